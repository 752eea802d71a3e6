#!/usr/bin/env node
// The `drift` command. The sources are TypeScript run through tsx, so a clone needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
