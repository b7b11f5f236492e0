import type fc from 'fast-check';
import { expect } from 'vitest';
import type { LedgerSystem } from './ledger-system.js';
import { MUTATIONS } from './documents.js';
import { afterStep, changesSince, outcomes, type ModelState } from './mutation-command.js';
import { freshKey } from './publisher-operations.js';
import { OPERATOR } from './principals.js';
import { publisherView } from './views.js';

const REVOKE = `mutation ($input: RevokeAccessGrantInput!) { revokeAccessGrant(input: $input) { grant { status } } }`;
const GRANTS = `query ($p: ID!, $at: String) { accessGrants(publisherId: $p, minPosition: $at, first: 100) { edges { node { id status revokeReason } } } }`;
const PERSONAL = `query ($id: ID!) { publisher(id: $id) { contact { name telephone email erased } aadUsers { accountId objectId userPrincipalName displayName erased } } }`;

/** The settings of the model's ledger (the defaults): the longest grant and the longest emergency access, in minutes. */
const MAX_MINUTES = 480;
const EMERGENCY_MINUTES = 60;

/** The operator asks for a grant on a publisher, for `minutes` (refused beyond the setting); `keyed`: under an idempotency key, for RetryCommand. */
export class GrantCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(
    private readonly i: number,
    private readonly minutes: number,
    private readonly emergency: boolean,
    private readonly keyed = false,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const p = model.publisherAt(this.i);
    if (!p) return;
    system.clock.advance(1000);
    const endsAt = system.clock.now().getTime() + this.minutes * 60_000;
    const input = {
      publisherId: p.id,
      categories: ['ADMINISTRATOR', 'CUSTOMER', 'THIRD_PARTY'],
      reason: 'model',
      ticket: 'INC-model',
      endsAt: new Date(endsAt).toISOString(),
      emergency: this.emergency,
      ...(this.keyed ? { idempotencyKey: freshKey(model) } : {}),
    };
    const before = await system.head();
    const answer = await system.call(MUTATIONS.requestAccessGrant, { input }, OPERATOR);
    const context = `${this}: ${answer.code ?? 'ok'} ${answer.message ?? ''}`;
    outcomes.set(`grant ${answer.code ?? 'ok'}`, (outcomes.get(`grant ${answer.code ?? 'ok'}`) ?? 0) + 1);
    if (this.minutes > (this.emergency ? EMERGENCY_MINUTES : MAX_MINUTES)) {
      expect(answer.code, context).toBe('BAD_USER_INPUT');
      expect(await changesSince(system, before), `${context}: appended`).toEqual([]);
    } else {
      expect(answer.code, context).toBeNull();
      expect(answer.data.requestAccessGrant.grant, context).toMatchObject({
        status: 'ACTIVE',
        emergency: this.emergency,
      });
      model.grants.push({
        id: answer.data.requestAccessGrant.grant.id,
        publisherId: p.id,
        endsAt,
        emergency: this.emergency,
        revoked: false,
      });
      model.tallyGrant(this.emergency);
      if (this.keyed) {
        const { requestAccessGrant: payload } = answer.data;
        const { operatorForgets } = model;
        (model.keyed ??= []).push({
          name: 'requestAccessGrant',
          variables: { input },
          as: OPERATOR,
          payload,
          authAgain: () => null,
          operatorForgets,
        });
      }
    }
    await afterStep(model, system, p, OPERATOR);
  }
  toString(): string {
    return `${this.emergency ? 'emergency ' : ''}grant p${this.i} for ${this.minutes} min${this.keyed ? ' (keyed)' : ''}`;
  }
}

/** The operator revokes the newest grant on a publisher: refused when it is revoked already, or expired. */
export class RevokeGrantCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(private readonly i: number) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const p = model.publisherAt(this.i);
    const grant = p && model.grants.filter((g) => g.publisherId === p.id).at(-1);
    if (!p || !grant) return;
    system.clock.advance(1000);
    const answer = await system.call(
      REVOKE,
      { input: { publisherId: p.id, grantId: grant.id, reason: 'resolved' } },
      OPERATOR,
    );
    const context = `${this}: ${answer.code ?? 'ok'} ${answer.message ?? ''}`;
    const ended = grant.revoked || system.clock.now().getTime() >= grant.endsAt;
    expect(answer.code, context).toBe(ended ? 'BAD_USER_INPUT' : null);
    if (!ended) grant.revoked = true; // an expired grant stays EXPIRED
    await afterStep(model, system, p, OPERATOR);
  }
  toString(): string {
    return `revoke newest grant of p${this.i}`;
  }
}

/** The operator's grants on the publisher read back with the model's status (revoked ones: by the operator, or by an erasure that forgot them). */
async function checkGrants(model: ModelState, system: LedgerSystem, publisherId: string): Promise<void> {
  const answer = await system.call(GRANTS, { p: publisherId, at: String(await system.head()) }, OPERATOR);
  expect(answer.code, `accessGrants of ${publisherId}: ${answer.message ?? ''}`).toBeNull();
  const listed = new Map<string, { status: string }>(
    answer.data.accessGrants.edges.map(({ node }: { node: { id: string; status: string } }) => [node.id, node]),
  );
  const now = system.clock.now().getTime();
  for (const grant of model.grants.filter((g) => g.publisherId === publisherId)) {
    const status = grant.revoked ? 'REVOKED' : now >= grant.endsAt ? 'EXPIRED' : 'ACTIVE';
    expect(listed.get(grant.id)?.status, `grant ${grant.id} of ${publisherId}`).toBe(status);
  }
}

/** Time passes (grants expire). */
export class ElapseCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(private readonly minutes: number) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    system.clock.advance(this.minutes * 60_000);
    await afterStep(model, system, undefined, OPERATOR);
  }
  toString(): string {
    return `${this.minutes} minutes pass`;
  }
}

/**
 * The operator reads a publisher's contact and accounts: the model's values
 * under an active grant, FORBIDDEN (and nothing shown) without one.
 * `newestGrant`: the publisher of the operator's newest grant, whatever
 * became of it (else the i-th publisher).
 */
export class OperatorReadCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(
    private readonly i: number,
    private readonly newestGrant: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const newest = this.newestGrant ? model.grants.at(-1) : undefined;
    const p = newest ? model.publisher(newest.publisherId) : model.publisherAt(this.i);
    if (!p) return;
    system.clock.advance(1000);
    const res = await system.server.gql(PERSONAL, { id: p.id }, OPERATOR);
    const granted = model.operatorMayRead(p.id);
    const outcome = `operator read ${granted ? 'under a grant' : 'without one'}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    const context = `${this} (${granted ? 'granted' : 'no active grant'}): ${JSON.stringify(res.errors ?? null)}`;
    if (granted) {
      expect(res.errors, context).toBeUndefined();
      const { contact, aadUsers } = publisherView(p);
      expect(res.data!['publisher'], context).toEqual({ contact, aadUsers });
    } else {
      expect(res.errors?.length, context).toBeGreaterThan(0);
      expect(new Set(res.errors!.map((e) => e.extensions?.['code'])), context).toEqual(new Set(['FORBIDDEN']));
      const shown = JSON.stringify(res.data ?? null);
      for (const value of [p.contact.name, p.contact.email, ...p.accounts.map((a) => a.displayName)]) {
        if (value !== null) expect(shown.includes(value), `${context}: ${value} shown`).toBe(false);
      }
    }
    await checkGrants(model, system, p.id);
    await afterStep(model, system, p, OPERATOR);
  }
  toString(): string {
    return this.newestGrant ? 'operator reads the publisher of its newest grant' : `operator reads p${this.i}`;
  }
}
