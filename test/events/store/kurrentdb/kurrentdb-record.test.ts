import { describe, expect, it } from 'vitest';
import { chainHash } from '../../../../src/events/store/hash-chain.js';
import {
  chainForAppend,
  decodeRecord,
  RECORD_FORMAT,
  toLedgerPosition,
  toReadPosition,
  type KurrentRecord,
} from '../../../../src/events/store/kurrentdb/kurrentdb-record.js';
import { newEvent } from '../event-store.contract.js';

/**
 * What KurrentDB hands back for an event the client sent: the id, type and
 * event number it stores itself, the data and metadata bytes parsed again
 * (the client sends JSON.stringify of each and parses them on read).
 */
function asStored(
  proposed: ReturnType<typeof chainForAppend>['proposed'][number],
  streamId: string,
  revision: number,
  commit: bigint,
): KurrentRecord {
  return {
    streamId,
    id: proposed.id,
    revision: BigInt(revision),
    type: proposed.type,
    isJson: proposed.contentType === 'application/json',
    data: JSON.parse(JSON.stringify(proposed.data)),
    metadata: JSON.parse(JSON.stringify(proposed.metadata)),
    position: { commit, prepare: commit },
  };
}

describe('the ledger event layout in KurrentDB', () => {
  it('events chained after a stream head decode back to the recorded events, with the chain intact', () => {
    const head = { revision: 4, hash: 'a'.repeat(64) };
    const events = [
      newEvent(1),
      newEvent(2, {
        schemaVersion: 2,
        metadata: { actor: { id: 'u', kind: 'user', role: 'r' }, correlationId: 'c', requestId: 'q' },
      }),
    ];
    const { proposed, recorded } = chainForAppend('publisher-1', head, events);
    expect(recorded.map((e) => [e.revision, e.prevHash])).toEqual([
      [5, head.hash],
      [6, recorded[0]!.hash],
    ]);
    const decoded = proposed.map((p, i) => decodeRecord(asStored(p, 'publisher-1', 5 + i, 1000n + BigInt(i) * 300n)));
    expect(decoded).toEqual(recorded.map((e, i) => ({ ...e, position: 1000 + i * 300 })));
    for (const event of decoded) {
      expect(
        chainHash(
          event.streamId,
          event.revision,
          event,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          event.prevHash,
        ),
      ).toBe(event.hash);
    }
  });

  it('stores the event id as the KurrentDB id, the data as JSON, and the rest in the metadata under its format name', () => {
    const event = newEvent(3);
    const { proposed, recorded } = chainForAppend('offer-9', undefined, [event]);
    expect(proposed[0]).toMatchObject({
      id: event.eventId,
      type: event.type,
      contentType: 'application/json',
      data: event.data,
    });
    expect(proposed[0]!.metadata).toEqual({
      format: RECORD_FORMAT,
      schemaVersion: event.schemaVersion,
      occurredAt: event.occurredAt,
      metadata: event.metadata,
      prevHash: '',
      hash: recorded[0]!.hash,
    });
  });

  it('refuses to decode an event that privacy-ledger did not write', () => {
    const { proposed } = chainForAppend('publisher-1', undefined, [newEvent(1)]);
    const stored = asStored(proposed[0]!, 'publisher-1', 0, 500n);
    expect(() => decodeRecord({ ...stored, metadata: { $correlationId: 'x' } })).toThrow(
      'is not a privacy-ledger event',
    );
    expect(() => decodeRecord({ ...stored, isJson: false })).toThrow('is not a privacy-ledger event');
    const { position: _, ...withoutPosition } = stored;
    expect(() => decodeRecord(withoutPosition)).toThrow('22.6 or later');
  });

  it('commit positions become ledger positions exactly up to 2^53, and beyond that are refused rather than rounded', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(toLedgerPosition({ commit: max, prepare: max })).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toLedgerPosition({ commit: max + 1n, prepare: max + 1n })).toThrow(RangeError);
  });

  it('reading after position 0 starts at the beginning of the log; after any other, at that event', () => {
    expect(toReadPosition(0)).toBe('start');
    expect(toReadPosition(123_456)).toEqual({ commit: 123_456n, prepare: 123_456n });
  });
});
