import type { Clock } from '../../clock.js';
import { NotFoundError } from '../../errors.js';
import type { PrivacyRequestQueries } from '../../projections/privacy-request/privacy-request.queries.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import type { Idempotency } from '../idempotency.js';
import { requireId } from '../publisher/publisher.validation.js';
import { privacyRequestDecider, privacyRequestStream, type PrivacyRequestState } from './privacy-request.js';

export class PrivacyRequestService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly queries: PrivacyRequestQueries,
    private readonly clock: Clock,
    private readonly idempotency: Idempotency,
  ) {}

  /**
   * Deletes one record of a publisher's privacy requests; the change it
   * recorded stays in the log. A retry with the same idempotency key answers
   * as the first attempt did; without one, deleting again is NOT_FOUND.
   */
  async deleteRecord(
    id: string,
    idempotencyKey: string | null | undefined,
    context: CommandContext,
  ): Promise<Omit<CommandResult<PrivacyRequestState>, 'state'> & { id: string }> {
    const recordId = requireId('id', id);
    const mark = idempotencyKey
      ? this.idempotency.mark(idempotencyKey, 'deletePrivacyRequestRecord', { recordId })
      : undefined;
    const record = await this.queries.locate(recordId);
    if (!record || (record.deleted && !mark)) throw new NotFoundError('privacy request record', recordId);
    const { state: _state, ...result } = await this.handler.handle(
      privacyRequestDecider,
      privacyRequestStream(record.publisherId),
      {
        type: 'DeletePrivacyRequestRecord',
        data: { publisherId: record.publisherId, recordId, now: this.clock.now().toISOString() },
      },
      { context, ...(mark ? { idempotency: mark } : {}) },
    );
    return { ...result, id: recordId };
  }
}
