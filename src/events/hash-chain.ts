import { createHash } from 'node:crypto';
import type { NewEvent } from './event-envelope.js';

/**
 * The tamper-evidence chain. Each event's hash covers its stream, revision,
 * identity, type, schema version, instant, stored data and metadata, and the
 * previous event's hash. Personal values are stored encrypted and erasure
 * destroys keys rather than rewriting bytes, so erasure never breaks the chain.
 *
 * The input is every field as `<length>:<text>` in a fixed order: unambiguous
 * without escaping the (already JSON) data and metadata a second time.
 * Every adapter must call this with the exact JSON strings it stores; this
 * encoding is part of the log format and may never change for written events.
 */
export function chainHash(
  streamId: string,
  revision: number,
  event: Pick<NewEvent, 'eventId' | 'type' | 'schemaVersion' | 'occurredAt'>,
  dataJson: string,
  metadataJson: string,
  prevHash: string,
): string {
  let input = 'privacy-ledger/chain/v1';
  for (const field of [
    streamId,
    String(revision),
    event.eventId,
    event.type,
    String(event.schemaVersion),
    event.occurredAt,
    dataJson,
    metadataJson,
    prevHash,
  ]) {
    input += `${field.length}:${field}`;
  }
  return createHash('sha256').update(input, 'utf8').digest('hex');
}
