import { expect } from 'vitest';
import { READS } from './documents.js';
import type { LedgerModel, PublisherModel } from './ledger-model.js';
import type { LedgerSystem } from './ledger-system.js';
import { allPages, checkAnalytics, checkMe, checkOffers, checkPublisher, checkRecords } from './invariants.js';
import { ANALYST, AUDITOR, INSPECTOR, USERS } from './principals.js';
import { pastPublisherView } from './views.js';
import { disclosuresSeen } from './disclosure-operations.js';

const SUPPORT_FIELDS = ['name', 'telephone', 'email', 'qq', 'wechat', 'weibo'] as const;

interface FieldChange {
  field: string;
  after: string | null;
  afterErased: boolean;
}
type Entry = { eventType: string; actor: { kind: string; role: string | null }; changes: FieldChange[] };

/** A history folded: each field's last value (null when absent or erased). */
function replay(history: Entry[]): Map<string, string | null> {
  const fields = new Map<string, string | null>();
  for (const entry of history)
    for (const change of entry.changes) fields.set(change.field, change.afterErased ? null : change.after);
  return fields;
}

/** `history` replays to the publisher the model holds (the fields the model knows). */
function checkReplay(p: PublisherModel, history: Entry[]): void {
  const folded = replay(history);
  const expected: Record<string, string | null> = {
    companyName: p.companyName,
    'contact.name': p.contact.name,
    'contact.telephone': p.contact.telephone,
    'contact.email': p.contact.email,
    ...Object.fromEntries(Object.entries(p.preferences).map(([k, v]) => [`contactPreferences.${k}`, String(v)])),
  };
  for (const a of p.accounts.filter((account) => account.listed)) {
    expected[`aadUsers.${a.accountId}.displayName`] = a.erased ? null : a.displayName;
    expected[`aadUsers.${a.accountId}.userPrincipalName`] = a.erased ? null : a.userPrincipalName;
  }
  const actual = Object.fromEntries(Object.keys(expected).map((field) => [field, folded.get(field) ?? null]));
  expect(actual, `history of publisher ${p.id} replayed`).toEqual(expected);
}

/** At the end of a history, and after each offline step: every invariant over everything the history made. */
export async function checkAll(system: LedgerSystem, model: LedgerModel): Promise<void> {
  await system.settle();
  const seen: string[] = [];
  for (const p of model.publishers) {
    await checkPublisher(system, p);
    await checkOffers(system, model, p);
    await checkRecords(system, p);
    seen.push(JSON.stringify(await system.read(READS.publisher, { id: p.id }, INSPECTOR)));
    seen.push(JSON.stringify(await allPages(system, READS.offers, { id: p.id }, INSPECTOR, 'offers')));
    const history = await allPages<Entry>(system, READS.history, { kind: 'PUBLISHER', id: p.id }, AUDITOR, 'history');
    seen.push(JSON.stringify(history));
    checkReplay(p, history);
    seen.push(JSON.stringify(await checkDisclosures(system, model, p)));
    const granted = model.grants.some((g) => g.publisherId === p.id) ? [`access-grants-${p.id}`] : [];
    for (const streamId of [`publisher-${p.id}`, `privacy-requests-${p.id}`, ...granted])
      await checkIntegrity(system, streamId);
  }
  for (const o of model.offers) {
    const history = await allPages<Entry>(system, READS.history, { kind: 'OFFER', id: o.id }, AUDITOR, 'history');
    seen.push(JSON.stringify(history));
    const folded = replay(history);
    // a deleted offer keeps only what identifies it
    expect(folded.get('name') ?? null, `history of offer ${o.id}: name`).toBe(o.status === 'DELETED' ? null : o.name);
    if (o.status !== 'DELETED') {
      const replayed = o.supportContacts.map((_, i) =>
        Object.fromEntries(SUPPORT_FIELDS.map((f) => [f, folded.get(`supportContacts.${i}.${f}`) ?? null])),
      );
      expect(replayed, `history of offer ${o.id} replayed: support contacts`).toEqual(o.supportContacts);
    }
    await checkIntegrity(system, `offer-${o.id}`);
    const read = await system.call(READS.offer, { id: o.id }, INSPECTOR);
    if (o.status === 'DELETED') expect(read.code, `offer ${o.id} is deleted`).toBe('NOT_FOUND');
    else seen.push(JSON.stringify(read.data));
  }
  const everything = seen.join('\n');
  for (const value of model.erasedValues)
    expect(everything.includes(JSON.stringify(value)), `erased value ${value} reads back`).toBe(false);
  await checkAnalytics(system, model);
  for (const user of USERS) await checkMe(system, model, user);
  await checkAsOf(system, model);
  await checkActors(system);
  for (const p of model.publishers) await checkMasked(system, model, p);
  // last: an export is itself recorded
  for (const p of model.publishers) {
    const { exportHistory } = await system.read(READS.exportHistory, { id: p.id }, AUDITOR);
    model.record(p.id, 'EXPORT', 'history');
    for (const value of model.erasedValues)
      expect(exportHistory.includes(JSON.stringify(value)), `erased value ${value} in exportHistory of ${p.id}`).toBe(
        false,
      );
  }
}

/**
 * `disclosures`, newest first: the auditor sees every one (its recipient
 * erased with the account), a member of the publisher only those it may
 * be told of by the ledger's clock. Returns what the auditor saw.
 */
async function checkDisclosures(system: LedgerSystem, model: LedgerModel, p: PublisherModel): Promise<unknown> {
  const now = system.clock.now().toISOString();
  const all = await allPages(system, READS.disclosures, { id: p.id }, AUDITOR, 'disclosures');
  expect(all, `disclosures of ${p.id} (auditor)`).toEqual(disclosuresSeen(p, true, now).reverse());
  const member = USERS.find((user) => model.isMember(user, p.id));
  if (member) {
    const told = await allPages(system, READS.disclosures, { id: p.id }, member, 'disclosures');
    expect(told, `disclosures of ${p.id} (its member ${member.name})`).toEqual(
      disclosuresSeen(p, false, now).reverse(),
    );
  }
  return all;
}

/** What an analyst sees: the model's publisher masked (emails by domain, telephones by country code, the rest pseudonyms), erased values null. */
async function checkMasked(system: LedgerSystem, model: LedgerModel, p: PublisherModel): Promise<void> {
  const { maskedPublisher } = await system.read(READS.masked, { id: p.id }, ANALYST);
  const pseudonym = (value: string | null) => (value === null ? null : expect.stringMatching(/^psn_/));
  const email = (value: string | null) => (value === null ? null : `*@${value.split('@')[1]}`);
  const telephone = (value: string | null) => (value === null ? null : '+86');
  expect(maskedPublisher, `maskedPublisher ${p.id}`).toEqual({
    id: p.id,
    registrationStatus: p.status,
    contact: {
      name: pseudonym(p.contact.name),
      telephone: telephone(p.contact.telephone),
      email: email(p.contact.email),
    },
    aadUsers: p.accounts
      .filter((a) => a.listed)
      .map((a) =>
        a.erased
          ? { objectId: null, userPrincipalName: null, displayName: null }
          : {
              objectId: pseudonym(a.objectId),
              userPrincipalName: email(a.userPrincipalName),
              displayName: pseudonym(a.displayName),
            },
      ),
    offers: model
      .offersOf(p.id)
      .filter((o) => o.status !== 'DELETED')
      .reverse()
      .map((o) => ({
        id: o.id,
        status: o.status,
        supportContacts: o.supportContacts.map((c) => ({
          name: pseudonym(c.name),
          telephone: telephone(c.telephone),
          email: email(c.email),
          qq: pseudonym(c.qq),
          wechat: pseudonym(c.wechat),
          weibo: pseudonym(c.weibo),
        })),
      })),
  });
}

async function checkIntegrity(system: LedgerSystem, streamId: string): Promise<void> {
  const { verifyIntegrity } = await system.read(READS.verifyIntegrity, { streamId }, AUDITOR);
  expect(verifyIntegrity, `verifyIntegrity ${streamId}`).toMatchObject({ intact: true, firstBreak: null });
}

/** `asOf` at a step's instant shows the state after that step (erasures since then reaching into the past); ten steps of the history. */
async function checkAsOf(system: LedgerSystem, model: LedgerModel): Promise<void> {
  const every = Math.max(1, Math.ceil(model.snapshots.length / 10));
  for (const [i, snapshot] of model.snapshots.entries()) {
    if (i % every !== 0 && i !== model.snapshots.length - 1) continue;
    for (const then of snapshot.publishers.values()) {
      const { publisher } = await system.read(READS.publisherAsOf, { id: then.id, asOf: snapshot.instant }, INSPECTOR);
      const expected = pastPublisherView(then, model.erasedValues, model.erasedAccountIds);
      expect(publisher, `publisher ${then.id} as of ${snapshot.instant} (step ${i})`).toEqual(expected);
    }
  }
}

/** Every event a person caused records the permission column that allowed it. */
async function checkActors(system: LedgerSystem): Promise<void> {
  const entries = await allPages<{ type: string; streamId: string; actor: { kind: string; role: string | null } }>(
    system,
    READS.auditTrail,
    {},
    AUDITOR,
    'auditTrail',
  );
  for (const entry of entries) {
    if (entry.actor.kind !== 'USER') continue;
    expect(entry.actor.role, `actor role of ${entry.type} on ${entry.streamId}`).not.toBeNull();
  }
}
