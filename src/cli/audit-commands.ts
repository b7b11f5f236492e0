import fs from 'node:fs';
import type { ExportFormat } from '../history/export.js';
import { parseInstant } from '../history/point-in-time.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { Config } from '../server/config.js';
import { openLedger } from '../server/ledger.js';
import { UsageError } from './args.js';
import { requireLedger } from './data-dir.js';

function publisherOf(options: ReadonlyMap<string, string>): string {
  const id = options.get('--publisher');
  if (id === undefined) throw new UsageError('--publisher <id> is required.');
  return requireId('--publisher', id);
}

/**
 * `export --publisher ID --format jsonl|csv [--from ISO] [--to ISO] [--out FILE]`:
 * the publisher's and its offers' histories, to stdout or a file (mode 0600:
 * it holds personal data).
 */
export async function exportCommand(config: Config, options: ReadonlyMap<string, string>): Promise<number> {
  const publisherId = publisherOf(options);
  const format = options.get('--format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv.');
  const from = options.get('--from');
  const to = options.get('--to');
  const range = {
    from: from === undefined ? null : parseInstant('--from', from),
    to: to === undefined ? null : parseInstant('--to', to),
  };
  requireLedger(config);
  const ledger = await openLedger(config);
  try {
    const document = await ledger.services.historyExport.document(publisherId, format satisfies ExportFormat, range);
    const out = options.get('--out');
    if (out === undefined) process.stdout.write(document);
    else fs.writeFileSync(out, document, { mode: 0o600 });
    return 0;
  } finally {
    await ledger.close();
  }
}

/** `replay --publisher ID`: the publisher's and its offers' histories as a readable timeline. */
export async function replayCommand(config: Config, options: ReadonlyMap<string, string>): Promise<number> {
  const publisherId = publisherOf(options);
  requireLedger(config);
  const ledger = await openLedger(config);
  try {
    process.stdout.write(await ledger.services.historyExport.timeline(publisherId));
    return 0;
  } finally {
    await ledger.close();
  }
}
