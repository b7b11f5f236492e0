import { describe, expect, it } from 'vitest';
import { chainHash } from '../../../src/events/store/hash-chain.js';

const event = { eventId: 'e-1', type: 'T', schemaVersion: 1, occurredAt: '2026-11-22T10:00:00.000Z' };

describe('hash chain', () => {
  it('changes when any byte of the stored event or the previous hash changes', () => {
    const base = chainHash('s-1', 0, event, '{"a":1}', '{"m":1}', '');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      chainHash('s-2', 0, event, '{"a":1}', '{"m":1}', ''),
      chainHash('s-1', 1, event, '{"a":1}', '{"m":1}', ''),
      chainHash('s-1', 0, { ...event, eventId: 'e-2' }, '{"a":1}', '{"m":1}', ''),
      chainHash('s-1', 0, { ...event, type: 'U' }, '{"a":1}', '{"m":1}', ''),
      chainHash('s-1', 0, { ...event, schemaVersion: 2 }, '{"a":1}', '{"m":1}', ''),
      chainHash('s-1', 0, { ...event, occurredAt: '2026-11-22T10:00:00.001Z' }, '{"a":1}', '{"m":1}', ''),
      chainHash('s-1', 0, event, '{"a":2}', '{"m":1}', ''),
      chainHash('s-1', 0, event, '{"a":1}', '{"m":2}', ''),
      chainHash('s-1', 0, event, '{"a":1}', '{"m":1}', 'f'.repeat(64)),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('cannot be fooled by moving text from one field into the next', () => {
    expect(chainHash('s-1', 0, event, '{"a":1}', '{"m":1}', '')).not.toBe(
      chainHash('s-1', 0, event, '{"a":1}{', '"m":1}', ''),
    );
  });

  it('keeps its encoding: hashes already in logs must still verify', () => {
    // Golden value. If this fails, the change breaks every written log's chain.
    expect(chainHash('s-1', 0, event, '{"a":1}', '{"m":1}', '')).toBe(
      '1d2a5f5156a81411b5788ae20ba3e8caf7db5c711f52a4cd54cde2163df45b8a',
    );
  });
});
