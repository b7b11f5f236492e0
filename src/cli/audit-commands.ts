import fs from 'node:fs';
import type { ExportFormat } from '../audit/export.js';
import { parseInstant } from '../audit/point-in-time.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { Config } from '../server/config.js';
import { openLedger } from '../server/ledger.js';

/** A failure the user can act on: printed as one sentence, no stack. */
export class UsageError extends Error {}

/** `--name value` / `--name=value` options of one command; anything else is a usage error. */
export function commandOptions(args: readonly string[], known: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.includes(name)) throw new UsageError(`unexpected argument "${arg}"; this command takes ${known.join(', ')}.`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value.`);
    options.set(name, value);
  }
  return options;
}

function publisherOf(options: Map<string, string>): string {
  const id = options.get('--publisher');
  if (id === undefined) throw new UsageError('--publisher <id> is required.');
  return requireId('--publisher', id);
}

/**
 * `export --publisher ID --format jsonl|csv [--from ISO] [--to ISO] [--out FILE]`:
 * the publisher's and its offers' histories, to stdout or a file (mode 0600:
 * it holds personal data).
 */
export async function exportCommand(config: Config, args: readonly string[]): Promise<number> {
  const options = commandOptions(args, ['--publisher', '--format', '--from', '--to', '--out']);
  const publisherId = publisherOf(options);
  const format = options.get('--format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv.');
  const from = options.get('--from');
  const to = options.get('--to');
  const range = { from: from === undefined ? null : parseInstant('--from', from), to: to === undefined ? null : parseInstant('--to', to) };
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
export async function replayCommand(config: Config, args: readonly string[]): Promise<number> {
  const publisherId = publisherOf(commandOptions(args, ['--publisher']));
  const ledger = await openLedger(config);
  try {
    process.stdout.write(await ledger.services.historyExport.timeline(publisherId));
    return 0;
  } finally {
    await ledger.close();
  }
}
