// Writes schema.graphql from the code; a test fails when the committed file differs.
import fs from 'node:fs';
import { printedSchema } from '../src/graphql/print-schema.js';

fs.writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
console.log('wrote schema.graphql');
