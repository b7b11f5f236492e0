import { createHash } from 'node:crypto';
import type { NewEvent } from './event-envelope.js';

/**
 * The tamper-evidence chain. Each event's hash covers its stream, revision,
 * identity, type, schema version, instant, stored data and metadata, and the
 * previous event's hash. Personal values are stored encrypted and erasure
 * destroys keys rather than rewriting bytes, so erasure never breaks the chain.
 *
 * Every adapter must call this with the exact JSON strings it stores.
 */
export function chainHash(
  streamId: string,
  revision: number,
  event: Pick<NewEvent, 'eventId' | 'type' | 'schemaVersion' | 'occurredAt'>,
  dataJson: string,
  metadataJson: string,
  prevHash: string,
): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        streamId,
        revision,
        event.eventId,
        event.type,
        event.schemaVersion,
        event.occurredAt,
        dataJson,
        metadataJson,
        prevHash,
      ]),
    )
    .digest('hex');
}
