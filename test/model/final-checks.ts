import { expect } from 'vitest';
import { READS } from './documents.js';
import type { LedgerModel } from './ledger-model.js';
import type { LedgerSystem } from './ledger-system.js';
import { allPages, checkAnalytics, checkMe, checkOffers, checkPublisher, checkRecords } from './invariants.js';
import { AUDITOR, OPERATOR, USERS } from './principals.js';

/** At the end of a history, and after each offline step: every invariant over everything the history made. */
export async function checkAll(system: LedgerSystem, model: LedgerModel): Promise<void> {
  for (const p of model.publishers) {
    await checkPublisher(system, p);
    await checkOffers(system, model, p);
    await checkRecords(system, p);
  }
  await checkAnalytics(system, model);
  for (const user of USERS) await checkMe(system, model, user);
  for (const p of model.publishers) {
    const history = await allPages<any>(system, READS.history, { kind: 'PUBLISHER', id: p.id }, AUDITOR, 'history');
    if (process.env['MODEL_DEBUG']) console.log(JSON.stringify(history.map((h: any) => [h.eventType, h.changes.map((c: any) => c.field)])));
  }
  void expect;
  void OPERATOR;
}
