import { LRUCache } from 'lru-cache';
import type { Clock, IdGenerator } from '../../clock.js';
import { parseInstant } from '../../history/point-in-time.js';
import { NotFoundError, validateAll } from '../../errors.js';
import { actorSubject, type ActorReferences } from '../../privacy/actor-references.js';
import type { Forgetful } from '../../privacy/forgetting.js';
import type { DataCategory } from '../../privacy/classification.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import { reusedKeyError, type Idempotency } from '../idempotency.js';
import { offerDecider } from '../offer/offer.commands.js';
import { offerStream } from '../offer/offer.events.js';
import { publisherDecider } from '../publisher/publisher.commands.js';
import { publisherStream } from '../publisher/publisher.events.js';
import type { IdempotentInput } from '../publisher/publisher.service.js';
import { requireId, requireText } from '../publisher/publisher.validation.js';
import { accessGrantDecider, type AccessGrantCommand, type GrantPolicy } from './access-grant.commands.js';
import { revokeForgottenGrants } from './forgotten-grantees.js';
import {
  accessGrantStream,
  covers,
  grantStatus,
  type AccessGrantsState,
  type GrantState,
} from './access-grant.events.js';

export interface RequestAccessGrantInput extends IdempotentInput {
  publisherId: string;
  offerId?: string | null;
  categories: DataCategory[];
  reason: string;
  ticket: string;
  /** ISO-8601 with a zone; default: now */
  startsAt?: string | null;
  endsAt: string;
  emergency?: boolean | null;
}

const REFERENCE_TTL_MS = 60_000;
const MAX_REFERENCES = 10_000;

export interface GrantChange extends Omit<CommandResult<AccessGrantsState>, 'state'> {
  grant: GrantState;
}

/**
 * Access grants' use cases: validate, check the publisher (and offer) from
 * their streams, run the command on the publisher's grant stream; and the
 * question authorisation asks on every staff read of a personal value.
 */
export class AccessGrantService implements Forgetful {
  /** object id -> actor reference, for a minute of the ledger's clock (see referenceOf) */
  private readonly references: LRUCache<string, string>;

  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly idempotency: Idempotency,
    private readonly actors: ActorReferences,
    private readonly policy: GrantPolicy,
  ) {
    this.references = new LRUCache({
      max: MAX_REFERENCES,
      ttl: REFERENCE_TTL_MS,
      perf: { now: () => this.clock.now().getTime() },
    });
  }

  /** The grantee is whoever asks: a staff member requests their own access (or breaks the glass). */
  async request(input: RequestAccessGrantInput, context: CommandContext): Promise<GrantChange> {
    const now = this.clock.now().toISOString();
    const valid = validateAll({
      publisherId: () => requireId('publisherId', input.publisherId),
      offerId: () => (input.offerId ? requireId('offerId', input.offerId) : undefined),
      categories: () => [...new Set(input.categories)],
      reason: () => requireText('reason', input.reason, 500),
      ticket: () => requireText('ticket', input.ticket, 100),
      startsAt: () => (input.startsAt ? parseInstant('startsAt', input.startsAt) : now),
      endsAt: () => parseInstant('endsAt', input.endsAt),
    });
    const { publisherId, offerId } = valid;
    const publisher = await this.handler.load(publisherDecider, publisherStream(publisherId));
    if (publisher.state.status !== 'registered') throw new NotFoundError('publisher', publisherId);
    if (offerId !== undefined) {
      const offer = await this.handler.load(offerDecider, offerStream(offerId));
      if (offer.state.status === 'none' || offer.state.publisherId !== publisherId)
        throw new NotFoundError('offer', offerId);
    }
    const grantee = await this.actors.idOf(context.actor);
    const grantId = input.idempotencyKey ? this.idempotency.derivedId(grantee, input.idempotencyKey) : this.ids.next();
    // the input as sent: a start left to default is "now", which a retry's now is not
    const { idempotencyKey: _key, ...fingerprinted } = {
      ...input,
      ...valid,
      startsAt: input.startsAt ? valid.startsAt : undefined,
    };
    const terms = {
      grantId,
      publisherId,
      ...(offerId ? { offerId } : {}),
      categories: valid.categories,
      reason: valid.reason,
      ticket: valid.ticket,
      grantee,
    };
    const command: AccessGrantCommand = {
      type: 'RequestAccessGrant',
      data: {
        ...terms,
        startsAt: valid.startsAt,
        endsAt: valid.endsAt,
        emergency: input.emergency === true,
        now,
        policy: this.policy,
      },
    };
    const mark = input.idempotencyKey
      ? this.idempotency.mark(input.idempotencyKey, 'requestAccessGrant', fingerprinted)
      : undefined;
    const change = await this.run(publisherId, grantId, command, context, mark);
    return this.unlessForgotten(change, context);
  }

  /**
   * A grant whose requester was forgotten (an account of theirs erased)
   * after their reference was looked up, and before it was appended, names
   * a reference nothing leads to any more: the erasure, done before the
   * append, could not find it, so it is revoked here as the erasure would
   * (src/events/access-grant/forgotten-grantees.ts), and answered REVOKED.
   */
  private async unlessForgotten(change: GrantChange, context: CommandContext): Promise<GrantChange> {
    const { grant } = change;
    if (context.actor.kind !== 'user' || grant.revokedAt !== undefined) return change;
    if ((await this.actors.existingReferenceOf(context.actor.id)) === grant.grantee) return change;
    const { state, ...result } = await revokeForgottenGrants(
      this.handler,
      grant.publisherId,
      [grant.grantee],
      context.correlationId,
      this.clock.now().toISOString(),
    );
    return { ...result, grant: state.grants.get(grant.grantId) ?? grant };
  }

  async approve(input: { publisherId: string; grantId: string }, context: CommandContext): Promise<GrantChange> {
    const { publisherId, grantId } = ids(input);
    const approver = await this.actors.idOf(context.actor);
    return this.run(
      publisherId,
      grantId,
      { type: 'ApproveAccessGrant', data: { grantId, approver, now: this.clock.now().toISOString() } },
      context,
    );
  }

  /** The issue is resolved: the grantee reads masked values from the next request on. */
  async revoke(
    input: { publisherId: string; grantId: string; reason: string },
    context: CommandContext,
  ): Promise<GrantChange> {
    const { publisherId, grantId } = ids(input);
    const reason = requireText('reason', input.reason, 500);
    const revoker = await this.actors.idOf(context.actor);
    return this.run(
      publisherId,
      grantId,
      { type: 'RevokeAccessGrant', data: { grantId, revoker, reason, now: this.clock.now().toISOString() } },
      context,
    );
  }

  /**
   * The active grant under which the person with this object id may read
   * `category` of the publisher (of one of its offers: `offerId`) now, or
   * null. Read from the grant stream (cached, new events only), so a
   * revocation holds from the very next request, whatever the read models' lag.
   */
  async activeGrant(
    objectId: string,
    publisherId: string,
    category: DataCategory,
    offerId?: string,
  ): Promise<GrantState | null> {
    const { state } = await this.handler.load(accessGrantDecider, accessGrantStream(publisherId));
    const now = this.now();
    const active = [...state.grants.values()].filter(
      (grant) => grantStatus(grant, now) === 'ACTIVE' && covers(grant, category, offerId),
    );
    // most reads of most publishers find no grant at all: no reference to look up then
    if (active.length === 0) return null;
    const reference = await this.referenceOf(objectId);
    return active.find((grant) => grant.grantee === reference) ?? null;
  }

  /**
   * A person's actor reference, remembered for a minute: every read under a
   * grant asks, and the lookup (two HMACs and a key) was half of what a
   * grant check cost. A person forgotten (erased) is dropped here when the
   * key store announces it (register this with the store's `forgetting`):
   * their old grants are revoked then, and their next grant names a new
   * reference, which this must not hide.
   */
  private async referenceOf(objectId: string): Promise<string | null> {
    const known = this.references.get(objectId);
    if (known !== undefined) return known;
    const reference = await this.actors.existingReferenceOf(objectId);
    // none yet is not remembered: the person's first grant request makes one
    if (reference !== null) this.references.set(objectId, reference);
    return reference;
  }

  /** Drops the references of people just forgotten (their `actor/<reference>` key destroyed). */
  forgetSubjects(subjectIds: ReadonlySet<string>): void {
    for (const [objectId, reference] of this.references.entries()) {
      if (subjectIds.has(actorSubject(reference))) this.references.delete(objectId);
    }
  }

  /** The instant grants are judged at (the injected clock's now). */
  now(): string {
    return this.clock.now().toISOString();
  }

  private async run(
    publisherId: string,
    grantId: string,
    command: AccessGrantCommand,
    context: CommandContext,
    idempotency?: ReturnType<Idempotency['mark']>,
  ): Promise<GrantChange> {
    const { state, ...result } = await this.handler.handle(
      accessGrantDecider,
      accessGrantStream(publisherId),
      command,
      {
        context,
        ...(idempotency ? { idempotency } : {}),
      },
    );
    const grant = state.grants.get(grantId);
    // A retry's id, derived from its requester's reference, names no grant when that reference was forgotten
    // since (erasure): answering the old grant would link them to it again. Refused as data erased since is.
    if (!grant) throw result.replayed ? reusedKeyError() : new NotFoundError('access grant', grantId);
    return { ...result, grant };
  }
}

function ids(input: { publisherId: string; grantId: string }): { publisherId: string; grantId: string } {
  return validateAll({
    publisherId: () => requireId('publisherId', input.publisherId),
    grantId: () => requireId('grantId', input.grantId),
  });
}
