import type { Clock, IdGenerator } from '../../clock.js';
import { parseInstant } from '../../history/point-in-time.js';
import { validateAll } from '../../errors.js';
import type { ActorReferences } from '../../privacy/actor-references.js';
import type { CommandHandler } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import type { Idempotency } from '../idempotency.js';
import { publisherDecider } from '../publisher/publisher.commands.js';
import { publisherStream } from '../publisher/publisher.events.js';
import type { IdempotentInput } from '../publisher/publisher.service.js';
import { requireId, requireText } from '../publisher/publisher.validation.js';
import { disclosureDecider, type NoticeInput } from './disclosure.commands.js';
import { disclosureStream } from './disclosure.events.js';

export interface RecordDisclosureInput extends IdempotentInput {
  publisherId: string;
  recipientName: string;
  recipientCountry: string;
  fields: readonly string[];
  legalBasis?: string | null;
  /** default: now */
  disclosedAt?: string | null;
  notice: NoticeInput;
}

export interface RecordedDisclosure {
  id: string;
  /** log position of the record (read-your-writes) */
  position: number;
}

const optional =
  <T>(value: string | null | undefined, check: (value: string) => T) =>
  () =>
    value != null ? check(value) : undefined;

/**
 * Records disclosures (operators): normalises the input, stamps it and
 * lets the decider judge it against the publisher's stream as it stands.
 */
export class DisclosureService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly idempotency: Idempotency,
    private readonly actors: ActorReferences,
    /** ErasureService.eraseDisclosureRecipients */
    private readonly eraseRecipients: (publisherId: string, context: CommandContext) => Promise<void>,
  ) {}

  async record(input: RecordDisclosureInput, context: CommandContext): Promise<RecordedDisclosure> {
    const now = this.clock.now().toISOString();
    const valid = validateAll({
      publisherId: () => requireId('publisherId', input.publisherId),
      recipientName: () => requireText('recipientName', input.recipientName, 200),
      recipientCountry: () => input.recipientCountry.trim().toUpperCase(),
      fields: () => input.fields.map((field) => field.trim()),
      disclosedAt: optional(input.disclosedAt, (v) => parseInstant('disclosedAt', v)),
      notifiedAt: optional(input.notice.notifiedAt, (v) => parseInstant('notice.notifiedAt', v)),
      withheldReason: optional(input.notice.withheldReason, (v) => requireText('notice.withheldReason', v, 500)),
      withheldUntil: optional(input.notice.withheldUntil, (v) => parseInstant('notice.withheldUntil', v)),
    });
    const { publisherId } = valid;
    const disclosureId = input.idempotencyKey
      ? this.idempotency.derivedId(await this.actors.idOf(context.actor), input.idempotencyKey)
      : this.ids.next();
    const publisher = (await this.handler.load(publisherDecider, publisherStream(publisherId))).state;
    const data = {
      publisherId,
      disclosureId,
      recipient: { name: valid.recipientName, country: valid.recipientCountry },
      fields: valid.fields,
      legalBasis: input.legalBasis ?? null,
      disclosedAt: valid.disclosedAt ?? now,
      notice: {
        notified: input.notice.notified,
        notifiedAt: valid.notifiedAt ?? null,
        withheldReason: valid.withheldReason ?? null,
        withheldUntil: valid.withheldUntil ?? null,
      },
    };
    const streamId = disclosureStream(publisherId);
    const result = await this.handler.handle(
      disclosureDecider,
      streamId,
      {
        type: 'RecordDisclosure',
        data: {
          ...data,
          publisherStatus: publisher.status === 'registered' ? publisher.registrationStatus : null,
          now,
        },
      },
      // what the client sent (not the instant it was stamped with); the recipient's name is personal, so the fingerprint is keyed by the stream's idempotency key, which the account's closure destroys
      {
        context,
        ...(input.idempotencyKey
          ? {
              idempotency: await this.idempotency.markPersonal(
                input.idempotencyKey,
                'recordDisclosure',
                { ...data, disclosedAt: valid.disclosedAt ?? null },
                streamId,
              ),
            }
          : {}),
      },
    );
    // The account closed between our look and our append: its closure found nothing (or less) to erase here, so finish it.
    const after = (await this.handler.load(publisherDecider, publisherStream(publisherId))).state;
    if (after.status === 'registered' && after.registrationStatus === 'CLOSED')
      await this.eraseRecipients(publisherId, context);
    return { id: disclosureId, position: result.position };
  }
}
