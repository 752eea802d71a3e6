// A worker thread does not inherit the TypeScript loader the process registered (bin/drift.js):
// register it here, then load the engine thread itself.
import { register } from 'tsx/esm/api';

register();
await import('./engine-thread.ts');
