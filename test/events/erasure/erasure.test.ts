import { afterEach, describe, expect, it } from 'vitest';
import { aadAccountSubject, contactSubject, offerSupportSubject } from '../../../src/privacy/data-subjects.js';
import { createHmac, hkdfSync } from 'node:crypto';
import { loadMasterKey } from '../../../src/privacy/keys/master-key.js';
import { isErased } from '../../../src/privacy/personal-value.js';
import type { Ledger } from '../../../src/server/ledger.js';
import { runCli } from '../../server/child.js';
import { createLogger } from '../../../src/server/logger.js';
import { LogCapture, tempDataDir } from '../../server/harness.js';
import {
  expectChainVerifies,
  filesHolding,
  needlesIn,
  objectIdNeedles,
  openTestLedger,
  operator,
  plaintexts,
  recordScenario,
  values,
  wrappedKeys,
} from './erasure-fixture.js';

const bytes = (texts: readonly string[]) => texts.map((text) => Buffer.from(text, 'utf8'));

describe('closing a publisher account erases its people for good', () => {
  const data = tempDataDir('pl-erasure-');
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    data.remove();
  });

  it('leaves neither the values nor the keys in any file, while every read shows them as erased and the chain verifies', async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const scenario = await recordScenario(ledger);
    const { publisherId } = scenario;
    const removedAccountId = (await ledger.services.history.all({ kind: 'publisher', id: publisherId }))
      .flatMap((entry) => entry.changes)
      .map((change) => /^aadUsers\.([^.]+)\./.exec(change.field)?.[1])
      .find((id) => id && id !== scenario.keptAccountId)!;
    const subjects = [
      contactSubject(publisherId),
      aadAccountSubject(publisherId, scenario.keptAccountId),
      aadAccountSubject(publisherId, removedAccountId),
      offerSupportSubject(scenario.liveOfferId),
      offerSupportSubject(scenario.deletedOfferId),
    ];

    // Before: values are ciphertext only, everywhere; the wrapped keys are in the key file, the raw ones nowhere.
    const rawKeys = [...(await ledger.keys.getMany(subjects)).values()];
    expect(rawKeys).toHaveLength(subjects.length);
    const wrapped = wrappedKeys(data.dir, subjects);
    const keyNeedles = [...rawKeys, ...rawKeys.map((key) => Buffer.from(key.toString('base64')))];
    expect(filesHolding(data.dir, bytes(plaintexts()))).toEqual([]);
    expect(filesHolding(data.dir, keyNeedles)).toEqual([]);
    for (const key of wrapped) expect(filesHolding(data.dir, [key]).length).toBeGreaterThan(0);

    // The export shows everything held, the removed account and the deleted offer's contacts included.
    const before = await ledger.services.personalDataExport.document(publisherId, operator);
    for (const text of plaintexts()) expect(before).toContain(text);

    const result = await ledger.services.erasure.closeAccount({ publisherId }, operator);
    expect(new Set(result.subjectIds)).toEqual(new Set(subjects));
    await ledger.runner.waitFor(await ledger.events.headPosition(), 10_000);

    // Reads: an explicit erased marker, never the value.
    const [view] = await ledger.services.publisherQueries.byIds([publisherId]);
    expect(view).toMatchObject({
      registrationStatus: 'CLOSED',
      contact: { name: null, telephone: null, email: null, erased: true },
    });
    expect(view!.aadUsers).toEqual([
      expect.objectContaining({ accountId: scenario.keptAccountId, erased: true, objectId: null, displayName: null }),
    ]);
    expect((await ledger.services.offerQueries.forPublisher(publisherId, {}, 10)).items).toEqual([]);
    const history = await ledger.services.history.all({ kind: 'publisher', id: publisherId });
    const offerHistory = await ledger.services.history.all({ kind: 'offer', id: scenario.deletedOfferId });
    const shown = [...history, ...offerHistory].flatMap((entry) =>
      entry.changes.flatMap((change) => [change.before, change.after]),
    );
    expect(shown.filter(isErased).length).toBeGreaterThanOrEqual(plaintexts().length);
    const asOf = await ledger.services.pointInTime.publisher(publisherId, history[0]!.occurredAt);
    expect(asOf!.contact).toEqual({ name: null, telephone: null, email: null, erased: true });
    const documents = [
      await ledger.services.historyExport.document(publisherId, 'jsonl'),
      await ledger.services.historyExport.document(publisherId, 'csv'),
      await ledger.services.historyExport.timeline(publisherId),
      await ledger.services.personalDataExport.document(publisherId, operator),
    ];
    for (const document of documents) for (const text of plaintexts()) expect(document).not.toContain(text);
    expect(documents[0]).toContain('"$erased":true');
    expect(documents[2]).toContain('[erased]');
    expect(JSON.parse(documents[3]!)).toMatchObject({
      registrationStatus: 'CLOSED',
      contact: { name: { $erased: true }, erased: true },
    });

    // One ERASURE record for the closure, and the exports recorded.
    await ledger.services.readRecorder.drain();
    await ledger.runner.waitFor(await ledger.events.headPosition(), 10_000);
    const records = (await ledger.services.privacyRequestQueries.forPublisher(publisherId, 100)).items;
    expect(records.filter((r) => 'kind' in r && r.kind === 'ERASURE').map((r) => 'target' in r && r.target)).toEqual([
      'publisher',
    ]);
    expect(records.filter((r) => 'kind' in r && r.kind === 'EXPORT')).toHaveLength(2);

    // Files: no value, no raw key, no wrapped key; the same once the stores are closed and checkpointed.
    const needles = [...bytes(plaintexts()), ...keyNeedles, ...wrapped];
    expect(filesHolding(data.dir, needles)).toEqual([]);
    await ledger.close();
    ledger = undefined;
    expect(filesHolding(data.dir, needles)).toEqual([]);
    expect(expectChainVerifies(data.dir)).toBeGreaterThan(10);
  });

  it("leaves no erased account's object id, in any encoding, in any file, API answer, log line or CLI output; their actions show an erased actor", async () => {
    const logs = new LogCapture();
    ledger = await openTestLedger(data.dir, { logger: createLogger('debug', logs) });
    await ledger.runner.start();
    const { publisherId, deletedOfferId } = await recordScenario(ledger);
    const objectIds = [values.kept.objectId, values.removed.objectId];
    // and the blind index account events held before actor references (an HMAC under a secret derived from the master key)
    const legacySecret = hkdfSync(
      'sha256',
      loadMasterKey({ dataDir: data.dir }),
      Buffer.alloc(0),
      'privacy-ledger/blind-index/aad-object-id/v1',
      32,
    );
    const legacyIndex = (objectId: string) =>
      createHmac('sha256', Buffer.from(legacySecret)).update(objectId).digest('base64url');
    const needles = objectIds.flatMap((objectId) => [...objectIdNeedles(objectId), Buffer.from(legacyIndex(objectId))]);
    const { services } = ledger;
    const auditPage = async () => {
      const page = await services.auditQueries.page({ publisherId }, 100);
      return { entries: page.items, shown: await services.actors.shown(page.items.map((entry) => entry.actor)) };
    };
    const answers = async () => [
      JSON.stringify(await auditPage()),
      JSON.stringify(await services.history.all({ kind: 'publisher', id: publisherId })),
      JSON.stringify(await services.history.all({ kind: 'offer', id: deletedOfferId })),
      JSON.stringify(await services.publisherQueries.byIds([publisherId])),
      JSON.stringify(await services.privacyRequestQueries.forPublisher(publisherId, 100)),
      await services.historyExport.document(publisherId, 'jsonl'),
      await services.historyExport.document(publisherId, 'csv'),
      await services.historyExport.timeline(publisherId),
      await services.personalDataExport.document(publisherId, operator),
    ];

    // Before: each account is found by its object id (its own change, as its actor), and shown; no file holds it.
    expect(filesHolding(data.dir, needles)).toEqual([]);
    for (const objectId of objectIds) {
      const own = await services.auditQueries.page({ actorId: objectId }, 10);
      expect(own.items.map((entry) => entry.type)).toEqual(['ContactPreferencesChanged']);
      expect(await services.actors.shown(own.items.map((entry) => entry.actor))).toEqual([{ objectId, erased: false }]);
    }
    expect((await auditPage()).shown.filter((actor) => actor.erased)).toEqual([]);
    // (the search finds them where they are rightly shown)
    expect(needlesIn(JSON.stringify(await auditPage()), needles).length).toBeGreaterThan(0);

    await services.erasure.closeAccount({ publisherId }, operator);
    await ledger.runner.waitFor(await ledger.events.headPosition(), 10_000);
    await services.readRecorder.drain();

    // After: nothing finds them, their changes show an erased actor, and no answer, file or CLI output holds their object ids.
    for (const objectId of objectIds)
      expect((await services.auditQueries.page({ actorId: objectId }, 10)).items).toEqual([]);
    expect((await auditPage()).shown.filter((actor) => actor.erased)).toHaveLength(2);
    for (const answer of await answers()) expect(needlesIn(answer, needles)).toEqual([]);
    expect(filesHolding(data.dir, needles)).toEqual([]);
    await ledger.close();
    ledger = undefined;
    expect(filesHolding(data.dir, needles)).toEqual([]);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(needlesIn(logs.lines.join('\n'), needles)).toEqual([]);
    for (const args of [['export', '--format', 'jsonl'], ['export', '--format', 'csv'], ['replay']]) {
      const cli = runCli([...args, '--publisher', publisherId, '--data-dir', data.dir]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout.length).toBeGreaterThan(100);
      expect(needlesIn(cli.stdout + cli.stderr, needles)).toEqual([]);
    }
  }, 60_000);

  it('a closed account accepts no change, and closing it again appends nothing', async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { publisherId, liveOfferId } = await recordScenario(ledger);
    await ledger.services.erasure.closeAccount({ publisherId }, operator);
    const head = await ledger.events.headPosition();
    await ledger.services.erasure.closeAccount({ publisherId }, operator);
    expect(await ledger.events.headPosition()).toBe(head);
    await ledger.runner.waitFor(head, 10_000);
    const [closed] = await ledger.services.publisherQueries.byIds([publisherId]);
    await expect(
      ledger.services.publishers.updateContact(
        { id: publisherId, expectedVersion: closed!.version, contact: { name: 'New Name' } },
        operator,
      ),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/closed/) });
    await expect(
      ledger.services.offers.create({ publisherId, name: 'x', kind: 'VIRTUAL_MACHINE' }, operator),
    ).rejects.toMatchObject({ message: expect.stringMatching(/closed/) });
    await expect(
      ledger.services.offers.updateCustomerService(
        { id: liveOfferId, expectedVersion: 3, supportContacts: [{ qq: '12345' }] },
        operator,
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
