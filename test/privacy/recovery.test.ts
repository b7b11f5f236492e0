import { createHmac, hkdfSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../src/privacy/keys/master-key.js';
import { keyIdOf } from '../../src/privacy/personal-value.js';
import type { Ledger } from '../../src/server/ledger.js';
import { tempDataDir } from '../server/harness.js';
import { dataFiles, openTestLedger, operator, recordScenario, values } from '../events/erasure/erasure-fixture.js';

/**
 * An attacker who holds every file of the data directory and every key that
 * remains (the master key included) tries a small candidate set, the real
 * value among them, against every fingerprint the files hold. Before the
 * erasure one of the keys must find the real value (else the search could
 * not fail); after it, none may.
 */

/** JSON with object keys sorted: how an attacker would canonicalise a guessed input. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url');

/** Every key an attacker holds now: the master key, what the code derives from it, and every key the key file still opens to. */
async function remainingKeys(ledger: Ledger, dataDir: string): Promise<Buffer[]> {
  const master = loadMasterKey({ dataDir });
  const derived = ['idempotency/v1', 'blind-index/aad-object-id/v1'].map((info) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `privacy-ledger/${info}`, 32)),
  );
  const db = new Database(path.join(dataDir, 'keys.sqlite'), { readonly: true, fileMustExist: true });
  const subjects = (db.prepare('SELECT subject_id FROM subject_keys').all() as Array<{ subject_id: string }>).map(
    (row) => row.subject_id,
  );
  db.close();
  return [master, ...derived, ...(await ledger.keys.getMany(subjects)).values()];
}

/** Every idempotency fingerprint in the log's metadata. */
function fingerprints(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT metadata FROM events').all() as Array<{ metadata: string }>)
      .map((row) => (JSON.parse(row.metadata) as { idempotency?: { fingerprint: string } }).idempotency?.fingerprint)
      .filter((fingerprint): fingerprint is string => fingerprint !== undefined);
  } finally {
    db.close();
  }
}

describe('nothing left after an erasure confirms a guessed value', () => {
  const data = tempDataDir('pl-recovery-');
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    data.remove();
  });

  it('a telephone changed under an idempotency key cannot be found by trying candidates against its fingerprint once erased', async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { publisherId } = await recordScenario(ledger);
    const telephone = '+8613912345670';
    const [current] = await ledger.services.publisherQueries.byIds([publisherId]);
    await ledger.services.publishers.updateContact(
      { id: publisherId, expectedVersion: current!.version, contact: { telephone }, idempotencyKey: 'tel-change-0001' },
      operator,
    );
    // 200 numbers of the same prefix, the real one among them, as a brute force over a mobile prefix would try
    const candidates = Array.from({ length: 200 }, (_, i) => `+8613912345${500 + i}`);
    expect(candidates).toContain(telephone);
    const guess = (candidate: string) =>
      `UpdatePublisherContact\0${canonical({ contact: { telephone: candidate }, publisherId })}`;
    const guesses = candidates.map(guess);
    const found = async () => {
      const stored = new Set(fingerprints(data.dir));
      const keys = await remainingKeys(ledger!, data.dir);
      return guesses.filter((guess) => keys.some((key) => stored.has(hmac(key, guess))));
    };

    expect(await found()).toEqual([guess(telephone)]);
    await ledger.services.erasure.closeAccount({ publisherId }, operator);
    expect(await found()).toEqual([]);
  });

  /**
   * Of the real object ids and 40 that differ from them in their last
   * digits, those whose keyed hash (under any key left) some file holds.
   */
  async function confirmedObjectIds(ledger: Ledger): Promise<string[]> {
    const real = [values.kept.objectId, values.removed.objectId];
    const candidates = [
      ...real,
      ...real.flatMap((oid) => Array.from({ length: 20 }, (_, i) => `${oid.slice(0, -2)}${(i + 0x40).toString(16)}`)),
    ];
    const files = dataFiles(data.dir).map((file) => fs.readFileSync(file));
    const keys = await remainingKeys(ledger, data.dir);
    return candidates.filter((candidate) =>
      keys.some((key) => {
        const digest = createHmac('sha256', key).update(candidate).digest();
        const forms = [digest.toString('base64url'), digest.toString('base64'), digest.toString('hex')].map((form) =>
          Buffer.from(form),
        );
        return forms.some((form) => files.some((bytes) => bytes.includes(form)));
      }),
    );
  }

  it("an erased account's object id cannot be confirmed against any keyed hash (blind index, lookup) left in the files", async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { publisherId } = await recordScenario(ledger);
    expect(await confirmedObjectIds(ledger)).toEqual([values.kept.objectId, values.removed.objectId]);
    const closed = await ledger.services.erasure.closeAccount({ publisherId }, operator);
    // the membership read model indexes accounts by a keyed hash of the object id: it drops them as it projects the erasure
    await ledger.runner.waitFor(closed.position, 10_000);
    expect(await confirmedObjectIds(ledger)).toEqual([]);
  });

  it("an account erased while a rebuilt membership model's old copy waits to be erased leaves no keyed hash of it either", async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { publisherId } = await recordScenario(ledger);
    await ledger.runner.rebuild('memberships');
    // the old model, with both accounts' keyed hashes, was moved aside: the rebuild did not erase it on its path
    const retired = () => {
      const db = new Database(path.join(data.dir, 'read-models.sqlite'), { readonly: true });
      const names = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'retired%'").pluck().all();
      db.close();
      return names;
    };
    expect(retired()).toEqual([expect.stringMatching(/^retired_\d+_doc_aad_memberships$/)]);
    const closed = await ledger.services.erasure.closeAccount({ publisherId }, operator);
    await ledger.runner.waitFor(closed.position, 10_000);
    expect(await confirmedObjectIds(ledger)).toEqual([]);
    expect(retired()).toEqual([]);
  });

  it("no key that fingerprinted personal input in a closed publisher's streams remains, its disclosures' recipients included", async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { publisherId, liveOfferId } = await recordScenario(ledger);
    const { publishers, offers, disclosures } = ledger.services;
    const [current] = await ledger.services.publisherQueries.byIds([publisherId]);
    await publishers.updateContact(
      {
        id: publisherId,
        expectedVersion: current!.version,
        contact: { telephone: '+8613912345671' },
        idempotencyKey: 'tel-change-0002',
      },
      operator,
    );
    const [offer] = await ledger.services.offerQueries.byIds([liveOfferId]);
    await offers.updateCustomerService(
      {
        id: liveOfferId,
        expectedVersion: offer!.version,
        supportContacts: [{ name: 'Zhou Min', email: 'zhou.min@contoso.cn' }],
        idempotencyKey: 'support-0001',
      },
      operator,
    );
    await disclosures.record(
      {
        publisherId,
        recipientName: 'Wenjing Haoyu',
        recipientCountry: 'CN',
        fields: ['contact person name'],
        legalBasis: 'THIRD_PARTY_COMPLAINT',
        notice: { notified: true },
        idempotencyKey: 'disclosure-0001',
      },
      operator,
    );
    /** The key ids the personal fingerprints of the publisher's streams were taken under, by stream. */
    const markedKeys = () => {
      const db = new Database(path.join(data.dir, 'events.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare('SELECT stream_id, metadata FROM events').all() as Array<{
          stream_id: string;
          metadata: string;
        }>;
        return rows.flatMap((row) => {
          const keyId = (JSON.parse(row.metadata) as { idempotency?: { keyId?: string } }).idempotency?.keyId;
          return keyId ? [`${row.stream_id.replace(/-[0-9a-f-]{36}$/, '')} ${keyId}`] : [];
        });
      } finally {
        db.close();
      }
    };
    const remaining = async () => {
      const held = new Set(
        (await remainingKeys(ledger!, data.dir)).filter((key) => key.length === 32).map((key) => keyIdOf(key)),
      );
      return markedKeys().filter((marked) => held.has(marked.split(' ')[1]!));
    };

    expect((await remaining()).map((marked) => marked.split(' ')[0]).sort()).toEqual([
      'disclosures',
      'offer',
      'publisher',
    ]);
    await ledger.services.erasure.closeAccount({ publisherId }, operator);
    expect(await remaining()).toEqual([]);
  });
});
