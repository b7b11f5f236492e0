// Rewrites the tables in the docs that are generated from the code (the
// settings in README.md, the error codes in docs/api.md: src/doc-tables.ts);
// test/doc-tables.test.ts checks that they are current.
import fs from 'node:fs';
import { DOC_TABLES, withTable } from '../src/doc-tables.js';

for (const { file, table } of DOC_TABLES) {
  const url = new URL(`../${file}`, import.meta.url);
  fs.writeFileSync(url, withTable(fs.readFileSync(url, 'utf8'), table()));
  process.stdout.write(`wrote the generated table of ${file}\n`);
}
