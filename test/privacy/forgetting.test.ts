import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, uuidV7Ids } from '../../src/clock.js';
import { AggregateCache } from '../../src/events/aggregate-cache.js';
import { CommandHandler } from '../../src/events/command-handler.js';
import { EventCodec } from '../../src/events/store/event-codec.js';
import { offerDecider } from '../../src/events/offer/offer.commands.js';
import { offerStream } from '../../src/events/offer/offer.events.js';
import { publisherDecider } from '../../src/events/publisher/publisher.commands.js';
import { publisherStream } from '../../src/events/publisher/publisher.events.js';
import { contactSubject } from '../../src/privacy/data-subjects.js';
import { KeyCache } from '../../src/privacy/keys/key-wrap.js';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import type { Ledger } from '../../src/server/ledger.js';
import { tempDataDir } from '../server/harness.js';
import { openTestLedger, operator, recordScenario, values } from '../events/erasure/erasure-fixture.js';

/*
 * Erasure reaches memory through one mechanism: the key store announces
 * every destroy, and every cache of opened values or keys in the process is
 * registered with it (src/privacy/forgetting.ts). These tests hold caches the
 * erasure service knows nothing of, as any new cache would be.
 */
describe('forgetting at erasure', () => {
  const data = tempDataDir('pl-forgetting-');
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    ledger = undefined;
    data.remove();
  });

  /** The erasure scenario, and a second codec and command handler on the same key store, with caches of their own. */
  async function scenarioWithOwnCaches() {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const scenario = await recordScenario(ledger);
    const states = new AggregateCache();
    const handler = new CommandHandler(
      ledger.events,
      new EventCodec(new PersonalDataCodec(ledger.keys), systemClock, uuidV7Ids),
      states,
    );
    return { ...scenario, states, handler };
  }

  it('after an erasure no cache of the process returns a state holding the erased values; the others stay cached', async () => {
    const { publisherId, liveOfferId, states, handler } = await scenarioWithOwnCaches();
    const before = await handler.load(publisherDecider, publisherStream(publisherId));
    expect(JSON.stringify(before.state)).toContain(values.contact.email);
    await handler.load(offerDecider, offerStream(liveOfferId));
    expect(JSON.stringify(states.get(publisherStream(publisherId))?.state)).toContain(values.contact.email);

    await ledger!.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator);

    expect(states.get(publisherStream(publisherId))).toBeUndefined();
    expect(states.get(offerStream(liveOfferId))).toBeDefined(); // no value of the contact in it
    expect((await ledger!.keys.getMany([contactSubject(publisherId)])).size).toBe(0);
    const after = await handler.load(publisherDecider, publisherStream(publisherId));
    expect(JSON.stringify(after.state)).not.toContain(values.contact.email);
  });

  it('closing an account forgets every stream it erased, offers included', async () => {
    const { publisherId, liveOfferId, states, handler } = await scenarioWithOwnCaches();
    await handler.load(publisherDecider, publisherStream(publisherId));
    await handler.load(offerDecider, offerStream(liveOfferId));
    expect(JSON.stringify(states.get(offerStream(liveOfferId))?.state)).toContain(values.liveSupport.email);

    await ledger!.services.erasure.closeAccount({ publisherId }, operator);

    expect(states.get(publisherStream(publisherId))).toBeUndefined();
    expect(states.get(offerStream(liveOfferId))).toBeUndefined();
  });
});

describe('KeyCache', () => {
  it('zeroes a key when it leaves: evicted past its budget, or forgotten at erasure', () => {
    const cache = new KeyCache(2);
    const [a, b, c] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
    cache.set('a', a);
    cache.set('b', b);
    cache.get('a'); // b is now the least recently used
    cache.set('c', c);
    expect(cache.get('b')).toBeUndefined();
    expect(b.every((byte) => byte === 0)).toBe(true);
    cache.forgetSubjects(new Set(['a']));
    expect(cache.get('a')).toBeUndefined();
    expect(a.every((byte) => byte === 0)).toBe(true);
    expect(cache.get('c')).toEqual(Buffer.alloc(32, 3));
  });

  it('with a budget of 0 keeps nothing', () => {
    const cache = new KeyCache(0);
    cache.set('a', Buffer.alloc(32, 1));
    expect(cache.get('a')).toBeUndefined();
  });
});
