import { defineConfig } from 'drizzle-kit';

// One config, two dialects: `npm run db:generate` runs drizzle-kit once per dialect.
const dialect = process.env.DRIZZLE_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';
const folder = dialect === 'postgresql' ? 'pg' : 'sqlite';

export default defineConfig({
  dialect,
  schema: `./src/db/${folder}/schema.ts`,
  out: `./drizzle/${folder}`,
  casing: 'snake_case',
});
