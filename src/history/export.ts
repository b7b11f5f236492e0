import { assertNever } from '../assert-never.js';
import { NotFoundError } from '../errors.js';
import type { OfferDirectoryQueries } from '../projections/offer-directory/offer-directory.queries.js';
import { isErased } from '../privacy/personal-value.js';
import type { ShownValue } from './diff.js';
import type { History, HistoryEntry } from './history.js';

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportRange {
  /** inclusive ISO-8601 instants (normalised, see parseInstant) */
  from?: string | null;
  to?: string | null;
}

/**
 * A publisher's audit export: its own history and the histories of every
 * offer it created (deleted ones included), in log order. The document
 * holds personal values in clear (erased ones as erased): it is what the
 * auditor asked for, and is never logged.
 */
export class HistoryExport {
  constructor(
    private readonly history: History,
    private readonly offers: OfferDirectoryQueries,
  ) {}

  async entries(publisherId: string, range: ExportRange = {}): Promise<HistoryEntry[]> {
    const own = await this.history.all({ kind: 'publisher', id: publisherId });
    if (own.length === 0) throw new NotFoundError('publisher', publisherId);
    const offers = await Promise.all(
      (await this.offers.offerIdsOf(publisherId)).map((id) => this.history.all({ kind: 'offer', id })),
    );
    return [...own, ...offers.flat()]
      .filter((e) => (!range.from || e.occurredAt >= range.from) && (!range.to || e.occurredAt <= range.to))
      .sort((a, b) => a.position - b.position);
  }

  async timeline(publisherId: string): Promise<string> {
    return timeline(await this.entries(publisherId));
  }

  async document(publisherId: string, format: ExportFormat, range: ExportRange = {}): Promise<string> {
    const entries = await this.entries(publisherId, range);
    switch (format) {
      case 'jsonl':
        return toJsonl(entries);
      case 'csv':
        return toCsv(entries);
      default:
        return assertNever(format);
    }
  }
}

/** One JSON object per line, one line per entry; erased values as {"$erased":true}. */
export function toJsonl(entries: readonly HistoryEntry[]): string {
  return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

export const CSV_COLUMNS = [
  'subject_kind',
  'subject_id',
  'revision',
  'position',
  'event_type',
  'schema_version',
  'occurred_at',
  'actor_id',
  'actor_kind',
  'actor_role',
  'field',
  'before',
  'after',
  'before_erased',
  'after_erased',
] as const;

/**
 * RFC 4180 CSV, one row per changed field (an event that changed no field
 * gets one row with an empty `field`). An absent value is an empty cell; an
 * erased one is an empty cell with `*_erased` true. A value a spreadsheet
 * would run as a formula starts with an apostrophe (see {@link inert});
 * the JSON Lines export keeps every value exactly as it is.
 */
export function toCsv(entries: readonly HistoryEntry[]): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const entry of entries) {
    const head = [
      entry.subject.kind,
      entry.subject.id,
      String(entry.revision),
      String(entry.position),
      entry.type,
      String(entry.schemaVersion),
      entry.occurredAt,
      entry.actor.id,
      entry.actor.kind,
      entry.actor.role ?? '',
    ];
    const changes = entry.changes.length ? entry.changes : [null];
    for (const change of changes) {
      rows.push(
        change
          ? [
              ...head,
              change.field,
              cell(change.before),
              cell(change.after),
              String(isErased(change.before)),
              String(isErased(change.after)),
            ]
          : [...head, '', '', '', 'false', 'false'],
      );
    }
  }
  return rows.map((row) => `${row.map((text) => quote(inert(text))).join(',')}\r\n`).join('');
}

function cell(value: ShownValue): string {
  return value === null || isErased(value) ? '' : String(value);
}

/**
 * A cell that a spreadsheet cannot run: values come from publishers (and
 * actor ids from tokens), and `=HYPERLINK(...)` or `-1+cmd|...` as a company name
 * would otherwise be a live formula on the auditor's machine (CSV
 * injection). Such a value gets a leading apostrophe, which spreadsheets
 * read as "text". A plain number keeps its sign: `+8613800138000` (every
 * stored telephone number) and `-5` are numbers to a spreadsheet, not
 * formulas, and stay as they are.
 */
export function inert(text: string): string {
  const formula = /^[=@\t\r]/.test(text) || (/^[+-]/.test(text) && !/^[+-][\d .()-]*$/.test(text));
  return formula ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The history as a readable timeline (`privacy-ledger replay`). */
export function timeline(entries: readonly HistoryEntry[]): string {
  const lines: string[] = [];
  for (const e of entries) {
    const role = e.actor.role ? `, ${e.actor.role}` : '';
    lines.push(
      `${e.occurredAt}  ${e.subject.kind} ${e.subject.id} #${e.revision} (position ${e.position})  ${e.type}  by ${e.actor.kind} ${e.actor.id}${role}`,
    );
    for (const change of e.changes)
      lines.push(`    ${change.field}: ${shown(change.before)} -> ${shown(change.after)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function shown(value: ShownValue): string {
  if (value === null) return '(none)';
  if (isErased(value)) return '[erased]';
  return JSON.stringify(value);
}
