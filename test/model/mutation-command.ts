import type fc from 'fast-check';
import { expect } from 'vitest';
import { assertNever } from '../../src/assert-never.js';
import { MUTATIONS, READS, retryDocument, type MutationName } from './documents.js';
import type { LedgerModel, PublisherModel } from './ledger-model.js';
import type { LedgerSystem } from './ledger-system.js';
import { checkPublisher, checkStep } from './invariants.js';
import { freshKey, type Operation } from './publisher-operations.js';
import { INSPECTOR, type ModelPrincipal } from './principals.js';

/** One mutation of a history, resolved against the model when it runs (indices wrap, so shrinking keeps it valid). */
export interface Built {
  operation: Operation;
  as: ModelPrincipal;
  /** the publisher the step touched, after it ran (the checks look at it) */
  touched(): PublisherModel | undefined;
  /** the version the payload should carry, after it ran */
  version?(): number;
  /** who may retry it now (authorisation is judged on the current state, before idempotency) */
  authAgain(): string | null;
}

/** The last keyed mutation that appended: a retry of it must answer the same and append nothing. */
export interface KeyedAttempt {
  name: MutationName;
  variables: Record<string, any>;
  as: ModelPrincipal;
  payload: unknown;
  authAgain(): string | null;
  /** the stream whose idempotency key fingerprinted it (changes of publishers and offers), and how often that stream was shredded then */
  fingerprinted?: { streamId: string; epoch: number };
  /** a grant request: how often the operator had been forgotten then (a retry after one more is refused) */
  operatorForgets?: number;
}

/** The stream whose key a keyed change's fingerprint is taken under; none for erasures and record deletions (they hold no personal input). */
function fingerprintStream(name: MutationName, variables: Record<string, any>): string | undefined {
  switch (name) {
    case 'registerPublisher':
    case 'updatePublisherContact':
    case 'updateContactPreferences':
    case 'approvePublisher':
    case 'rejectPublisher':
    case 'addAadUser':
    case 'removeAadUser':
      return `publisher-${variables['input'].id}`;
    case 'createOffer':
    case 'updateOfferCustomerService':
    case 'publishOffer':
    case 'deleteOffer':
      return `offer-${variables['input'].id}`;
    case 'recordDisclosure':
      return `disclosures-${variables['input'].publisherId}`;
    case 'erasePersonalData':
    case 'closePublisherAccount':
    case 'deletePrivacyRequestRecord':
    case 'requestAccessGrant': // under the ledger's secret: its input holds nothing personal
    case 'contactList': // never keyed: it takes no idempotency key
      return undefined;
    default:
      return assertNever(name);
  }
}

/** `keyed`: every keyed mutation that appended, oldest first; a retry may come any time later. */
export type ModelState = LedgerModel & { keyed?: KeyedAttempt[] };

/** How many changes (anything but recorded reads, which queries make) the log holds after `position`. */
export async function changesSince(system: LedgerSystem, position: number): Promise<string[]> {
  await system.server.ledger.services.readRecorder.drain();
  const events = await system.server.ledger.events.readAll({ fromPosition: position });
  return events
    .filter((e) => e.type !== 'PrivacyRequestRecorded' && e.type !== 'AccessGrantUsed')
    .map((e) => `${e.streamId}:${e.type}`);
}

/** One step: the clock moves a second, the mutation runs against ledger and model, then the step's checks. */
export async function step(
  model: ModelState,
  system: LedgerSystem,
  label: string,
  built: Built,
  keyed: boolean,
): Promise<void> {
  const { operation, as } = built;
  const { name, variables, verdict } = operation;
  if (keyed) {
    const key = freshKey(model);
    if (name === 'deletePrivacyRequestRecord') variables['idempotencyKey'] = key;
    else (variables['input'] as Record<string, unknown>)['idempotencyKey'] = key;
  }
  const before = await system.head();
  const answer = await callAs(system, name, variables, as);
  const context = `${label} as ${as.name}: ${answer.code ?? 'ok'} ${answer.message ?? ''}`;
  if ('refused' in verdict) {
    expect(answer.code, context).toBe(verdict.refused);
  } else {
    expect(answer.code, context).toBeNull();
    const payload = answer.data[name];
    if (verdict.erasedCount !== undefined) {
      expect(payload.erasedCount, `${context}: erasedCount`).toBe(verdict.erasedCount);
    }
    verdict.commit(answer.data);
    if (built.version) expect(payload.version, `${context}: version in the payload`).toBe(built.version());
    const touched = built.touched();
    if (touched && payload.position) {
      // read your own write: with the step's position, before the read models are known to have caught up
      await checkPublisher(system, touched, payload.position);
    }
  }
  tally(`${name} ${'refused' in verdict ? verdict.refused : verdict.appends ? 'appends' : 'no-op'}`);
  const appended = await changesSince(system, before);
  expect(appended.length > 0, `${context}: appended ${appended.join(', ') || 'nothing'}`).toBe(
    !('refused' in verdict) && verdict.appends,
  );
  if (keyed && appended.length > 0) {
    const streamId = fingerprintStream(name, variables);
    const fingerprinted =
      streamId === undefined ? {} : { fingerprinted: { streamId, epoch: model.idempotencyEpoch(streamId) } };
    (model.keyed ??= []).push({
      name,
      variables,
      as,
      payload: answer.data[name],
      authAgain: built.authAgain,
      ...fingerprinted,
    });
  }
  await afterStep(model, system, built.touched(), as);
}

/**
 * The mutation as `as` sends it. An operator reads no account values
 * without a grant, so it asks for none; the accounts a commit needs (the
 * new account's id) are read as the INSPECTOR, at the mutation's position.
 */
async function callAs(
  system: LedgerSystem,
  name: MutationName,
  variables: Record<string, unknown>,
  as: ModelPrincipal,
) {
  if (as.column !== 'operator') return system.call(MUTATIONS[name], variables, as);
  const answer = await system.call(retryDocument(name), variables, as);
  const publisher = answer.data?.[name]?.publisher;
  if (publisher && answer.code === null) {
    const read = await system.read(
      READS.publisher,
      { id: publisher.id, minPosition: answer.data[name].position },
      INSPECTOR,
    );
    publisher.aadUsers = read.publisher.aadUsers.map((a: { accountId: string; objectId: string }) => ({
      accountId: a.accountId,
      objectId: a.objectId,
    }));
  }
  return answer;
}

/** With MODEL_DEBUG: how often each outcome came, to see what the histories exercise. */
export const outcomes = new Map<string, number>();
export const tally = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

export async function afterStep(
  model: ModelState,
  system: LedgerSystem,
  touched: PublisherModel | undefined,
  as: ModelPrincipal,
): Promise<void> {
  // Halfway to the next step's instant: `asOf` there must show the state after this step.
  model.tallyDay();
  model.snapshot(new Date(system.clock.now().getTime() + 500).toISOString());
  await system.settle();
  await checkStep(system, model, touched, as);
}

/** A command of fast-check's model-based testing whose mutation is built when it runs. */
export class MutationCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(
    private readonly label: string,
    private readonly build: (model: ModelState) => Built | undefined,
    private readonly keyed: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  /** whom it resolved to when it last ran, for the printed counterexample */
  private resolved = '';
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    system.clock.advance(1000);
    const built = this.build(model);
    this.resolved = ' [skipped]';
    if (!built) return;
    const touched = built.touched();
    this.resolved = ` [${built.as.name}${touched ? ` on publisher #${model.publishers.indexOf(touched)}` : ''}]`;
    try {
      await step(model, system, this.label, built, this.keyed);
    } finally {
      const after = built.touched();
      this.resolved = ` [${built.as.name}${after ? ` on publisher #${model.publishers.indexOf(after)}` : ''}]`;
    }
  }
  toString(): string {
    return `${this.label}${this.keyed ? ' (keyed)' : ''}${this.resolved}`;
  }
}

/**
 * What a retry must answer as the first attempt did: its version, position,
 * ids and erasure counts (the record it returns is as of the first attempt,
 * with whatever was erased since reading as erased).
 */
function unchanging(payload: any): unknown {
  const { publisher, offer, grant, ...rest } = payload ?? {};
  return {
    ...rest,
    ...(publisher ? { publisher: { id: publisher.id, version: publisher.version } } : {}),
    ...(offer ? { offer: { id: offer.id, version: offer.version } } : {}),
    // a grant's status is judged at the retry's instant (it may have expired since)
    ...(grant ? { grant: { id: grant.id, emergency: grant.emergency, endsAt: grant.endsAt } } : {}),
  };
}

/**
 * Whether an erasure destroyed the key the attempt's fingerprint was taken
 * under, or (a grant request) forgot the operator whose reference its id was
 * derived from: a retry cannot be told from other input any more.
 */
const shreddedSince = (model: ModelState, attempt: KeyedAttempt): boolean =>
  (attempt.fingerprinted !== undefined &&
    model.idempotencyEpoch(attempt.fingerprinted.streamId) !== attempt.fingerprinted.epoch) ||
  (attempt.operatorForgets !== undefined && model.operatorForgets !== attempt.operatorForgets);

/** Sends a keyed mutation again, now or steps later, with its key: the same answer and nothing appended (or, with other input, BAD_USER_INPUT). */
export class RetryCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(
    private readonly otherInput: boolean,
    /** which keyed attempt, counted from the newest */
    private readonly back: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const attempts = model.keyed ?? [];
    const attempt = attempts[attempts.length - 1 - (this.back % Math.max(attempts.length, 1))];
    if (!attempt) return;
    system.clock.advance(1000);
    const variables = structuredClone(attempt.variables);
    const tamper =
      this.otherInput && (attempt.name === 'registerPublisher' || attempt.name === 'updatePublisherContact');
    if (tamper) variables['input'].companyName = model.fresh('Other company ');
    const before = await system.head();
    const answer = await system.call(retryDocument(attempt.name), variables, attempt.as);
    const denied = attempt.authAgain();
    const context = `retry of ${attempt.name} as ${attempt.as.name}: ${answer.code ?? 'ok'} ${answer.message ?? ''}`;
    if (denied) expect(answer.code, context).toBe(denied);
    else if (tamper || shreddedSince(model, attempt)) expect(answer.code, context).toBe('BAD_USER_INPUT');
    else expect(unchanging(answer.data?.[attempt.name]), context).toEqual(unchanging(attempt.payload));
    expect(await changesSince(system, before), `${context}: appended`).toEqual([]);
    await afterStep(model, system, undefined, attempt.as);
  }
  toString(): string {
    return `${this.otherInput ? 'retry with other input' : 'retry'} of the ${this.back === 0 ? 'last' : `${this.back + 1}th last`} keyed mutation`;
  }
}
