import type { Clock } from '../../clock.js';
import { NotFoundError } from '../../errors.js';
import type { PrivacyRequestQueries } from '../../projections/privacy-request/privacy-request.queries.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { CommandContext } from '../event-codec.js';
import { requireId } from '../publisher/publisher.validation.js';
import { privacyRequestDecider, privacyRequestStream, type PrivacyRequestState } from './privacy-request.js';

export class PrivacyRequestService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly queries: PrivacyRequestQueries,
    private readonly clock: Clock,
  ) {}

  /** Deletes one record of a publisher's privacy requests; the change it recorded stays in the log. */
  async deleteRecord(id: string, context: CommandContext): Promise<Omit<CommandResult<PrivacyRequestState>, 'state'> & { id: string }> {
    const recordId = requireId('id', id);
    const record = await this.queries.byId(recordId);
    if (!record) throw new NotFoundError('privacy request record', recordId);
    const { state: _state, ...result } = await this.handler.handle(
      privacyRequestDecider,
      privacyRequestStream(record.publisherId),
      { type: 'DeletePrivacyRequestRecord', data: { publisherId: record.publisherId, recordId, now: this.clock.now().toISOString() } },
      { context },
    );
    return { ...result, id: recordId };
  }
}
