import { describe, expect, it } from 'vitest';
import { uuidV7Ids } from '../src/clock.js';

describe('UUID v7 ids', () => {
  it('are RFC 9562 version 7 UUIDs carrying the millisecond they were made in', () => {
    const before = Date.now();
    const id = uuidV7Ids.next();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('made in a tight loop (many within one millisecond) are strictly ordered and never repeat', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidV7Ids.next());
    for (let i = 1; i < ids.length; i++) {
      if (!(ids[i - 1]! < ids[i]!)) expect.fail(`id ${i} (${ids[i]}) does not sort after id ${i - 1} (${ids[i - 1]})`);
    }
  });
});
