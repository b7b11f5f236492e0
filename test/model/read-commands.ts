import type fc from 'fast-check';
import { expect } from 'vitest';
import { PROBES, READS } from './documents.js';
import { checkAll } from './final-checks.js';
import type { LedgerSystem } from './ledger-system.js';
import { afterStep, tally, type ModelState } from './mutation-command.js';
import { principalAt, resolveActor } from './principals.js';

/**
 * A query by anyone of the history on a publisher or offer of it: what the
 * README's permission table allows (the operator's reads under an active
 * grant included) is not FORBIDDEN, what it denies is FORBIDDEN (or
 * NOT_FOUND for another publisher's offer).
 */
export class ProbeCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  static readonly operations = Object.keys(PROBES);
  constructor(
    private readonly who: number,
    private readonly i: number,
    private readonly operation: string,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const probe = PROBES[this.operation]!;
    const as = principalAt(this.who);
    const p = model.publisherAt(this.i);
    const o = model.offerAt(this.i);
    if (!p || (probe.names === 'offer' && !o)) return;
    const publisherId = probe.names === 'offer' ? model.liveOfferPublisher(o) : p.id;
    const variables = { p: this.operation === 'verifyIntegrity' ? `publisher-${p.id}` : p.id, o: o?.id };
    const answer = await system.call(probe.query, variables, as);
    const expected = model.authorize(this.operation, as, publisherId);
    const context = `${this} as ${as.name}: ${answer.code ?? 'ok'} ${answer.message ?? ''}`;
    if (expected) expect(answer.code, context).toBe(expected);
    else if (probe.names === 'offer' && o!.status === 'DELETED') expect(answer.code, context).toBe('NOT_FOUND');
    else expect(answer.code, context).toBeNull();
  }
  toString(): string {
    return `probe ${this.operation} #${this.i} by ${this.who}`;
  }
}

/**
 * exportPersonalData: permitted as the table says; the document shows the
 * model's people (erased values as {"$erased": true}) and no erased value;
 * recorded as an EXPORT.
 */
export class ExportCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(
    private readonly who: number,
    private readonly i: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const p = model.publisherAt(this.i);
    if (!p) return;
    system.clock.advance(1000);
    const as = resolveActor(model, this.who, p);
    const answer = await system.call(READS.exportPersonalData, { id: p.id }, as);
    const denied = model.authorize('exportPersonalData', as, p.id);
    const context = `${this} as ${as.name}: ${answer.code ?? 'ok'} ${answer.message ?? ''}`;
    if (denied) {
      expect(answer.code, context).toBe(denied);
    } else {
      expect(answer.code, context).toBeNull();
      const text: string = answer.data.exportPersonalData;
      for (const value of model.erasedValues)
        expect(text.includes(JSON.stringify(value)), `${context}: erased value ${value} in the export`).toBe(false);
      const document = JSON.parse(text);
      const shown = (value: string | null) => value ?? { $erased: true };
      expect(document.contact, `${context}: contact`).toEqual({
        name: shown(p.contact.name),
        telephone: shown(p.contact.telephone),
        email: shown(p.contact.email),
        // as the publisher view says it: erased until a value is given again (an edit after an erasure starts the contact afresh)
        erased: p.contactErased,
      });
      const accounts = document.aadAccounts.map((a: { accountId: string; hasAccess: boolean; erased: boolean }) => ({
        accountId: a.accountId,
        hasAccess: a.hasAccess,
        erased: a.erased,
      }));
      const expected = p.accounts.map((a) => ({
        accountId: a.accountId,
        hasAccess: a.listed && p.status !== 'CLOSED',
        erased: a.erased,
      }));
      expect(accounts, `${context}: aadAccounts`).toEqual(expected);
      model.record(p.id, 'EXPORT', 'personalData');
    }
    await afterStep(model, system, p, as);
  }
  toString(): string {
    return `exportPersonalData p${this.i} by ${this.who}`;
  }
}

/** What an operator does with the server stopped; afterwards every invariant is checked. */
export class OfflineCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  static readonly kinds = [
    'restart',
    'rebuild',
    'rebuild-online',
    'rebuild-online, its lease running out',
    'rotate-master-key',
    'retention',
  ] as const;
  constructor(private readonly kind: (typeof OfflineCommand.kinds)[number]) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    // The operator stops every worker for offline maintenance; a restart or an online rebuild leaves a standby running.
    if (!this.kind.startsWith('rebuild-online') && this.kind !== 'restart') await system.stopStandby();
    if (this.kind === 'restart') await system.restart();
    // how many projections a rebuild replayed on two threads (MODEL_DEBUG prints the tally)
    let threaded: number | undefined;
    if (this.kind === 'rebuild') threaded = await system.rebuildOffline();
    if (this.kind === 'rebuild-online') threaded = await system.rebuildOnline();
    if (this.kind === 'rebuild-online, its lease running out') {
      // the first batch held its thread past the time to live: the server's (and a standby's) leases ran out too
      let batches = 0;
      threaded = await system.rebuildOnline(() => {
        if (batches++ === 0) system.leaseClock.jump(system.leaseTtlMs + 1);
      });
    }
    if (threaded !== undefined) tally(`${this.kind}: ${threaded > 0 ? `${threaded} on two threads` : 'on one thread'}`);
    if (this.kind === 'retention') {
      // 400 days on: every month of the history so far is past RETENTION_DAYS (365)
      await system.retentionAfter(400);
      for (const p of model.publishers) for (const record of p.records) record.requesterErased = true;
    }
    if (this.kind === 'rotate-master-key') {
      await system.rotateMasterKey();
    }
    // A retry across a rotation is refused as other input (README): not what the retry step checks.
    if (this.kind === 'rotate-master-key') model.keyed = [];
    await checkAll(system, model);
  }
  toString(): string {
    return this.kind;
  }
}
