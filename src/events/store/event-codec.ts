import type { Clock, IdGenerator } from '../../clock.js';
import { personalFieldsOf, personalMetadataFields, sealFieldsOf } from '../../privacy/classification.js';
import type { ActorReferences } from '../../privacy/actor-references.js';
import type { Forgetting } from '../../privacy/forgetting.js';
import type { PersonalDataCodec, RetiredKeys } from '../../privacy/personal-data-codec.js';
import type { DomainEvent } from '../decider.js';
import type { Actor, EventMetadata, NewEvent, RecordedEvent } from './event-envelope.js';
import type { IdempotencyMark } from '../idempotency.js';
import { upcasters as productionUpcasters, type UpcasterRegistry } from './upcasters.js';

/** Who asked for a change, and within which request: becomes every event's metadata. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  causationId?: string;
  requestId?: string;
  /** where the request came from; personal data, sealed under the month's client subject */
  client?: { ip?: string; userAgent?: string };
  /** a registration's new first account, which its registrant acts as from the start (src/privacy/actor-references.ts) */
  newAccountId?: string;
}

/**
 * The request's client as event metadata: its address and user agent (either
 * may be unknown), one value sealed once (see EventMetadata.client).
 */
function clientOf(context: CommandContext): { ip?: string; userAgent?: string } | undefined {
  const ip = context.client?.ip;
  const userAgent = context.client?.userAgent;
  if (!ip && !userAgent) return undefined;
  const client: { ip?: string; userAgent?: string } = {};
  if (ip) client.ip = ip;
  if (userAgent) client.userAgent = userAgent;
  return client;
}

/**
 * Turns domain events into stored envelopes and back. On the way in it
 * stamps id, instant, schema version and audit metadata, and seals every
 * declared personal value under its subject's key; on the way out it opens
 * them (a destroyed key reads as ERASED). Events written in an older schema
 * version are upcast to the current shape before anything else reads them.
 */
export class EventCodec {
  constructor(
    private readonly personalData: PersonalDataCodec,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    /** production's registry unless a test injects its own */
    readonly upcasters: UpcasterRegistry = productionUpcasters,
    /** how a user actor is recorded: by pseudonymous reference in production (src/privacy/actor-references.ts) */
    private readonly actors: Pick<ActorReferences, 'recorded'> = { recorded: async (actor) => actor },
  ) {}

  /** Where whoever keeps what this codec decoded registers, to drop it when a key it was opened under is destroyed. */
  get forgetting(): Forgetting {
    return this.personalData.forgetting;
  }

  /** `retired`: the keys the target stream's erasures retired; nothing is sealed under them (a fresh key replaces one). */
  async encode(
    events: readonly DomainEvent[],
    context: CommandContext,
    idempotency?: IdempotencyMark,
    retired?: RetiredKeys,
  ): Promise<NewEvent[]> {
    const occurredAt = this.clock.now().toISOString();
    // every event of a command concerns one publisher (each names it): a member acts there as its account
    const publisherId = events
      .map((event) => (event.data as { publisherId?: unknown }).publisherId)
      .find((id) => typeof id === 'string');
    // Built field by field (in the stored order) and sealed in place: conditional spreads and the sealing's
    // deep copy of a document nobody else holds were 1.5 µs of each durable mutation (bench/ profile, Dec 2026).
    const actor = await this.actors.recorded(context.actor, publisherId as string | undefined, context.newAccountId);
    const plainMetadata: EventMetadata = {
      // never the caller's own objects (a service's actor is recorded as it is)
      actor: actor === context.actor ? { ...actor } : actor,
      correlationId: context.correlationId,
    };
    if (context.causationId) plainMetadata.causationId = context.causationId;
    if (context.requestId) plainMetadata.requestId = context.requestId;
    const client = clientOf(context);
    if (client) plainMetadata.client = client;
    if (idempotency) plainMetadata['idempotency'] = { ...idempotency };
    const metadata = await this.personalData.sealBuilt(
      plainMetadata,
      sealFieldsOf(personalMetadataFields, plainMetadata, occurredAt),
      retired,
    );
    const encodeOne = async (event: DomainEvent): Promise<NewEvent> => {
      const data = event.data as Record<string, unknown>;
      const fields = sealFieldsOf(personalFieldsOf(event.type), data, occurredAt);
      return {
        eventId: this.ids.next(),
        type: event.type,
        schemaVersion: this.upcasters.currentVersion(event.type),
        occurredAt,
        data: await this.personalData.seal(data, fields, retired),
        metadata,
      };
    };
    // most commands record one event: no Promise.all (a promise per element) around it
    return events.length === 1 ? [await encodeOne(events[0]!)] : Promise.all(events.map(encodeOne));
  }

  /** Decrypts the personal values of a batch with one key lookup. */
  async decode<E extends DomainEvent>(recorded: readonly RecordedEvent[]): Promise<E[]> {
    return (await this.openRecorded(recorded)).map((event) => ({ type: event.type, data: event.data }) as E);
  }

  /** The recorded events in their current shape, personal values opened (ERASED once a key is gone). */
  async openRecorded(recorded: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const current = this.upcasters.upcastAll(recorded);
    const data = await this.personalData.openMany(current.map((event) => event.data));
    return current.map((event, i) => ({ ...event, data: data[i]! }));
  }
}
