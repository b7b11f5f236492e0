import fs from 'node:fs';
import type { Access, Column } from '../../src/auth/permissions.js';

/** One row of a permission table in the README. */
export interface ReadmeRow {
  /** the operation, or `Type.field` */
  name: string;
  /** what the operation names: `publisher`, `offer`, `record`, `subject` (README: publisher or offer), or `none` (README: —) */
  names: 'none' | 'publisher' | 'offer' | 'record' | 'subject';
  access: Record<Column, Access>;
}

export const COLUMNS: readonly Column[] = ['member', 'operator', 'auditor', 'analyst'];
const HEADER = ['names', 'publisher member', 'operator', 'auditor', 'analyst'];

/** The rows of the README table whose first header cell is `first` (`operation` or `personal field`). */
export function readmeTable(first: string): ReadmeRow[] {
  const lines = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n');
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const start = lines.findIndex(
    (line) => line.startsWith('|') && cells(line)[0] === first && cells(line)[1] === HEADER[0],
  );
  if (start < 0) throw new Error(`README.md has no table headed "${first}"`);
  if (cells(lines[start]!).slice(1).join('|') !== HEADER.join('|'))
    throw new Error(`README table "${first}" has other columns`);
  const rows: ReadmeRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [name, names, ...access] = cells(line);
    if (!access.every((a) => a === 'yes' || a === 'own' || a === 'grant' || a === 'no'))
      throw new Error(`README row ${line} has a cell other than yes, own, grant, no`);
    rows.push({
      name: name!.replaceAll('`', ''),
      names: names === '—' ? 'none' : names === 'publisher or offer' ? 'subject' : (names as ReadmeRow['names']),
      access: Object.fromEntries(COLUMNS.map((column, i) => [column, access[i]])) as Record<Column, Access>,
    });
  }
  return rows;
}

/** What the README promises: the error code of a refusal, or null when allowed (`granted`: the principal holds an active grant covering the row). */
export function expectedAnswer(
  row: ReadmeRow,
  column: Column,
  own: boolean,
  granted = false,
): 'FORBIDDEN' | 'NOT_FOUND' | null {
  const access = row.access[column];
  if (access === 'yes' || (access === 'own' && own) || (access === 'grant' && granted)) return null;
  if (access === 'own' && (row.names === 'offer' || row.names === 'record')) return 'NOT_FOUND';
  return 'FORBIDDEN';
}
