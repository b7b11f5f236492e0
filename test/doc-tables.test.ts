import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_TABLES, withTable } from '../src/doc-tables.js';
import { ERROR_CODE_NAMES } from '../src/error-codes.js';

const read = (file: string) => fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

/** The first cell of each row of the table headed `header`, without backticks. */
function firstCells(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const rows: string[] = [];
  for (const line of lines.slice(lines.indexOf(header) + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|')[1]!.trim().replaceAll('`', ''));
  }
  return rows;
}

describe('the tables the docs share with the code', () => {
  it.each(DOC_TABLES.map((t) => [t.file, t]))(
    '%s holds the table generated from its declaration (npm run docs:tables rewrites it)',
    (file, { table }) => {
      // On failure the diff's "Expected" side is the generated table: run `npm run docs:tables`.
      const markdown = read(file);
      expect(markdown).toBe(withTable(markdown, table()));
    },
  );

  it("docs/api.md's error table lists exactly the declared error codes", () => {
    expect(firstCells(read('docs/api.md'), '| code | HTTP | meaning |')).toEqual(ERROR_CODE_NAMES);
  });
});
