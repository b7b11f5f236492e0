import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { CommandContext } from '../../src/events/event-codec.js';
import { chainHash } from '../../src/events/hash-chain.js';
import { openLedger, type Ledger } from '../../src/server/ledger.js';

export const operator: CommandContext = { actor: { id: 'op-1', kind: 'user', role: 'operator' }, correlationId: 'c-1' };

/** The personal values a scenario records: distinctive, so a byte search finds nothing else. */
export const values = {
  contact: { name: 'Ximena Qorvath', telephone: '+8613812345678', email: 'ximena.qorvath@erasure-test.example' },
  kept: { objectId: '3f1c9a7e-52d4-4b8f-9e0a-6c2d1b7f8a31', userPrincipalName: 'kept.vandermolen@erasure-test.example', displayName: 'Kept Vandermolen' },
  removed: { objectId: '7a2e4c6b-1d3f-4e5a-8b9c-0d1e2f3a4b5c', userPrincipalName: 'gone.oyelaran@erasure-test.example', displayName: 'Gone Oyelaran' },
  liveSupport: { name: 'Support Quillfeather', qq: '987654321', wechat: 'wx_quillfeather', email: 'desk.quillfeather@erasure-test.example' },
  deletedSupport: { name: 'Old Desk Brackenridge', qq: '876543219', weibo: 'brackenridge_weibo' },
};

/** Every plaintext value above, as strings. */
export const plaintexts = (): string[] =>
  Object.values(values).flatMap((group) => Object.values(group as Record<string, string>));

export function openTestLedger(dataDir: string): Promise<Ledger> {
  return openLedger({ dataDir, masterKey: '', readYourWritesTimeoutMs: 10_000, kurrentdbUrl: '' });
}

/**
 * A publisher with a contact, two AAD accounts (one removed), a live offer
 * and a deleted one, both with customer-service contacts.
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
  const removed = await publishers.removeAadUser({ id: publisherId, expectedVersion: version, objectId: values.removed.objectId }, operator);
  const accountOf = (objectId: string) => removed.publisher.aadUsers.find((u) => u.objectId === objectId)?.accountId;
  const live = await offers.create({ publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' }, operator);
  await offers.updateCustomerService({ id: live.offer!.id, expectedVersion: live.version, supportContacts: [values.liveSupport] }, operator);
  const gone = await offers.create({ publisherId, name: 'Old template', kind: 'SOLUTION_TEMPLATE' }, operator);
  const supported = await offers.updateCustomerService({ id: gone.offer!.id, expectedVersion: gone.version, supportContacts: [values.deletedSupport] }, operator);
  const deleted = await offers.delete({ id: gone.offer!.id, expectedVersion: supported.version }, operator);
  await ledger.runner.waitFor(deleted.position, 10_000);
  return { publisherId, keptAccountId: accountOf(values.kept.objectId)!, liveOfferId: live.offer!.id, deletedOfferId: gone.offer!.id };
}

/** Every file under the data directory (databases, -wal, -shm, journals, the master key). */
export function dataFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
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
    const select = db.prepare<[string], { wrapped_key: Buffer }>('SELECT wrapped_key FROM subject_keys WHERE subject_id = ?');
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
      .prepare('SELECT stream_id, revision, event_id, type, schema_version, occurred_at, data, metadata, prev_hash, hash FROM events ORDER BY stream_id, revision')
      .all() as Array<Record<string, string | number>>;
    let previous: Record<string, string | number> | undefined;
    for (const row of rows) {
      const sameStream = previous?.['stream_id'] === row['stream_id'];
      expect(row['prev_hash']).toBe(sameStream ? previous!['hash'] : '');
      const event = { eventId: String(row['event_id']), type: String(row['type']), schemaVersion: Number(row['schema_version']), occurredAt: String(row['occurred_at']) };
      expect(chainHash(String(row['stream_id']), Number(row['revision']), event, String(row['data']), String(row['metadata']), String(row['prev_hash']))).toBe(row['hash']);
      previous = row;
    }
    return rows.length;
  } finally {
    db.close();
  }
}
