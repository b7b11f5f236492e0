import { ERROR_CODE_NAMES, ERROR_CODES } from './error-codes.js';
import { settingsTable } from './server/settings-doc.js';

/** docs/api.md's error table, generated from ERROR_CODES. */
export function errorCodesTable(): string {
  const rows = ERROR_CODE_NAMES.map((code) => {
    const spec: { status?: number; meaning: string } = ERROR_CODES[code];
    return `| \`${code}\` | ${spec.status ?? '200'} | ${spec.meaning} |`;
  });
  return ['| code | HTTP | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * The tables in the docs that are generated from a declaration in the code:
 * `npm run docs:tables` writes them, test/doc-tables.test.ts checks them.
 */
export const DOC_TABLES: readonly { file: string; table: () => string }[] = [
  { file: 'README.md', table: settingsTable },
  { file: 'docs/api.md', table: errorCodesTable },
];

/** `markdown` with the table that has `table`'s header line (up to the table's last row) replaced by `table`. */
export function withTable(markdown: string, table: string): string {
  const lines = markdown.split('\n');
  const header = table.slice(0, table.indexOf('\n'));
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`no table headed "${header}"`);
  let end = start;
  while (lines[end + 1]?.startsWith('|')) end++;
  return [...lines.slice(0, start), table, ...lines.slice(end + 1)].join('\n');
}
