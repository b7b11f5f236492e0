import type { Clock, IdGenerator } from '../clock.js';
import { personalFieldsOf, personalMetadataFields, sealFieldsOf } from '../privacy/classification.js';
import type { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import type { DomainEvent } from './decider.js';
import type { Actor, EventMetadata, NewEvent, RecordedEvent } from './event-envelope.js';
import type { IdempotencyMark } from './idempotency.js';

/** Who asked for a change, and within which request: becomes every event's metadata. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  causationId?: string;
  requestId?: string;
  /** where the request came from; personal data, sealed under the month's client subject */
  client?: { ip?: string; userAgent?: string };
}

/** The current schema version of each event type; absent means 1. */
const schemaVersions: Readonly<Record<string, number>> = {};

/**
 * Turns domain events into stored envelopes and back. On the way in it
 * stamps id, instant, schema version and audit metadata, and seals every
 * declared personal value under its subject's key; on the way out it opens
 * them (a destroyed key reads as ERASED).
 */
export class EventCodec {
  constructor(
    private readonly personalData: PersonalDataCodec,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async encode(events: readonly DomainEvent[], context: CommandContext, idempotency?: IdempotencyMark): Promise<NewEvent[]> {
    const occurredAt = this.clock.now().toISOString();
    const plainMetadata: EventMetadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      ...(context.causationId ? { causationId: context.causationId } : {}),
      ...(context.requestId ? { requestId: context.requestId } : {}),
      ...(context.client?.ip ? { clientIp: context.client.ip } : {}),
      ...(context.client?.userAgent ? { userAgent: context.client.userAgent } : {}),
      ...(idempotency ? { idempotency } : {}),
    };
    const metadata = await this.personalData.seal(plainMetadata, sealFieldsOf(personalMetadataFields, plainMetadata, occurredAt));
    return Promise.all(
      events.map(async (event) => {
        const data = event.data as Record<string, unknown>;
        const fields = sealFieldsOf(personalFieldsOf(event.type), data, occurredAt);
        return {
          eventId: this.ids.next(),
          type: event.type,
          schemaVersion: schemaVersions[event.type] ?? 1,
          occurredAt,
          data: await this.personalData.seal(data, fields),
          metadata,
        };
      }),
    );
  }

  /** Decrypts the personal values of a batch with one key lookup. */
  async decode<E extends DomainEvent>(recorded: readonly RecordedEvent[]): Promise<E[]> {
    const data = await this.personalData.openMany(recorded.map((event) => event.data));
    return recorded.map((event, i) => ({ type: event.type, data: data[i] }) as E);
  }
}
