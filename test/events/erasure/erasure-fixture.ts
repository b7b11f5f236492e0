import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { CommandContext } from '../../../src/events/store/event-codec.js';
import { chainHash } from '../../../src/events/store/hash-chain.js';
import { openLedger, type Ledger } from '../../../src/server/ledger.js';
import type { LedgerOptions } from '../../../src/server/ledger-options.js';

export const operator: CommandContext = { actor: { id: 'op-1', kind: 'user', role: 'operator' }, correlationId: 'c-1' };

/** A publisher's account acting itself: events record it as their actor. */
export const member = (objectId: string): CommandContext => ({
  actor: { id: objectId, kind: 'user', role: 'member' },
  correlationId: 'c-2',
});

/** The personal values a scenario records: distinctive, so a byte search finds nothing else. */
export const values = {
  contact: { name: 'Ximena Qorvath', telephone: '+8613812345678', email: 'ximena.qorvath@erasure-test.example' },
  kept: {
    objectId: '3f1c9a7e-52d4-4b8f-9e0a-6c2d1b7f8a31',
    userPrincipalName: 'kept.vandermolen@erasure-test.example',
    displayName: 'Kept Vandermolen',
  },
  removed: {
    objectId: '7a2e4c6b-1d3f-4e5a-8b9c-0d1e2f3a4b5c',
    userPrincipalName: 'gone.oyelaran@erasure-test.example',
    displayName: 'Gone Oyelaran',
  },
  liveSupport: {
    name: 'Support Quillfeather',
    qq: '987654321',
    wechat: 'wx_quillfeather',
    email: 'desk.quillfeather@erasure-test.example',
  },
  deletedSupport: { name: 'Old Desk Brackenridge', qq: '876543219', weibo: 'brackenridge_weibo' },
};

/** Every plaintext value above, as strings. */
export const plaintexts = (): string[] =>
  Object.values(values).flatMap((group) => Object.values(group as Record<string, string>));

export function openTestLedger(dataDir: string, options: LedgerOptions = {}): Promise<Ledger> {
  return openLedger(
    { dataDir, masterKey: '', readYourWritesTimeoutMs: 10_000, kurrentdbUrl: '' },
    { ...options, projectionThread: false },
  );
}

/**
 * A publisher with a contact, two AAD accounts (one removed), a live offer
 * and a deleted one, both with customer-service contacts. Each account acts
 * once itself, so its object id is an actor of the log too.
 */
export async function recordScenario(ledger: Ledger) {
  const { publishers, offers } = ledger.services;
  const registered = await publishers.register(
    { companyName: 'Contoso China', registrationCode: '91350100M000100Y43', contact: values.contact },
    operator,
  );
  const publisherId = registered.publisher.id;
  let version = registered.version;
  for (const user of [values.kept, values.removed]) {
    version = (await publishers.addAadUser({ id: publisherId, expectedVersion: version, ...user }, operator)).version;
  }
  for (const [i, user] of [values.kept, values.removed].entries()) {
    const contactPreferences = { aboutOffers: i === 0, aboutFeedback: true, byEmail: true, byPhone: false };
    version = (
      await publishers.updateContactPreferences(
        { id: publisherId, expectedVersion: version, contactPreferences },
        member(user.objectId),
      )
    ).version;
  }
  const removed = await publishers.removeAadUser(
    { id: publisherId, expectedVersion: version, objectId: values.removed.objectId },
    operator,
  );
  const accountOf = (objectId: string) => removed.publisher.aadUsers.find((u) => u.objectId === objectId)?.accountId;
  const live = await offers.create({ publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' }, operator);
  await offers.updateCustomerService(
    { id: live.offer!.id, expectedVersion: live.version, supportContacts: [values.liveSupport] },
    operator,
  );
  const gone = await offers.create({ publisherId, name: 'Old template', kind: 'SOLUTION_TEMPLATE' }, operator);
  const supported = await offers.updateCustomerService(
    { id: gone.offer!.id, expectedVersion: gone.version, supportContacts: [values.deletedSupport] },
    operator,
  );
  const deleted = await offers.delete({ id: gone.offer!.id, expectedVersion: supported.version }, operator);
  await ledger.runner.waitFor(deleted.position, 10_000);
  return {
    publisherId,
    keptAccountId: accountOf(values.kept.objectId)!,
    liveOfferId: live.offer!.id,
    deletedOfferId: gone.offer!.id,
  };
}

/**
 * An object id as a file or an answer might hold it: its text in either
 * case as UTF-8 and UTF-16, hex and base64 of that text, and the GUID's 16
 * bytes raw, in hex and in base64 (the first 20 characters: those do not
 * depend on what follows).
 */
export function objectIdNeedles(objectId: string): Buffer[] {
  const raw = Buffer.from(objectId.replace(/-/g, ''), 'hex');
  const texts = [objectId.toLowerCase(), objectId.toUpperCase()].flatMap((text) => {
    const utf8 = Buffer.from(text, 'utf8');
    return [
      text,
      utf8.toString('hex'),
      utf8.toString('hex').toUpperCase(),
      utf8.toString('base64'),
      utf8.toString('base64url'),
    ];
  });
  const forms = [
    ...texts,
    raw.toString('hex'),
    raw.toString('base64').slice(0, 20),
    raw.toString('base64url').slice(0, 20),
  ];
  return [raw, ...forms.flatMap((form) => [Buffer.from(form, 'utf8'), Buffer.from(form, 'utf16le')])];
}

/** The needles found in a text (an API answer, a CLI output), named by their UTF-8 form. */
export function needlesIn(text: string, needles: readonly Buffer[]): string[] {
  const bytes = Buffer.from(text, 'utf8');
  return needles.filter((needle) => bytes.includes(needle)).map((needle) => needle.toString('utf8'));
}

/** Every file under the data directory (databases, -wal, -shm, journals, the master key). */
export function dataFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The files in which any of the needles occurs, byte for byte. */
export function filesHolding(dir: string, needles: readonly Buffer[]): string[] {
  return dataFiles(dir).filter((file) => {
    const bytes = fs.readFileSync(file);
    return needles.some((needle) => bytes.includes(needle));
  });
}

/** The wrapped form of each subject's key, as the key file holds it (read through a connection closed at once). */
export function wrappedKeys(dataDir: string, subjectIds: readonly string[]): Buffer[] {
  const db = new Database(path.join(dataDir, 'keys.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const select = db.prepare<[string], { wrapped_key: Buffer }>(
      'SELECT wrapped_key FROM subject_keys WHERE subject_id = ?',
    );
    return subjectIds.map((id) => {
      const row = select.get(id);
      if (!row) throw new Error(`no key for ${id}`);
      return Buffer.from(row.wrapped_key);
    });
  } finally {
    db.close();
  }
}

/** Recomputes every stored event's hash and link (what a `verify` command checks). */
export function expectChainVerifies(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT stream_id, revision, event_id, type, schema_version, occurred_at, data, metadata, prev_hash, hash FROM events ORDER BY stream_id, revision',
      )
      .all() as Array<Record<string, string | number>>;
    let previous: Record<string, string | number> | undefined;
    for (const row of rows) {
      const sameStream = previous?.['stream_id'] === row['stream_id'];
      expect(row['prev_hash']).toBe(sameStream ? previous!['hash'] : '');
      const event = {
        eventId: String(row['event_id']),
        type: String(row['type']),
        schemaVersion: Number(row['schema_version']),
        occurredAt: String(row['occurred_at']),
      };
      expect(
        chainHash(
          String(row['stream_id']),
          Number(row['revision']),
          event,
          String(row['data']),
          String(row['metadata']),
          String(row['prev_hash']),
        ),
      ).toBe(row['hash']);
      previous = row;
    }
    return rows.length;
  } finally {
    db.close();
  }
}
