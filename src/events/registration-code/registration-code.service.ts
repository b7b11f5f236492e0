import { ConcurrencyError } from '../../errors.js';
import type { CommandHandler } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import { publisherDecider } from '../publisher/publisher.commands.js';
import { publisherStream } from '../publisher/publisher.events.js';
import { holderLapsed, registrationCodeDecider, registrationCodeStream } from './registration-code.js';

/** A race lost to another claim is decided again on what it claimed; a code fought over this hard is a CONFLICT. */
const MAX_ATTEMPTS = 3;

/** Claims registration codes for registering publishers (./registration-code.ts). */
export class RegistrationCodeService {
  constructor(private readonly handler: CommandHandler) {}

  /** Claims `registrationCode` (normalised) for `publisherId`, or refuses with BAD_USER_INPUT while another publisher holds it. */
  async claim(registrationCode: string, publisherId: string, now: string, context: CommandContext): Promise<void> {
    const streamId = registrationCodeStream(registrationCode);
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.handler.load(registrationCodeDecider, streamId);
      const { holder } = state;
      const lapsed =
        holder !== null && holder.publisherId !== publisherId
          ? holderLapsed(
              registrationCode,
              holder,
              (await this.handler.load(publisherDecider, publisherStream(holder.publisherId))).state,
              now,
            )
          : false;
      const command = {
        type: 'ClaimRegistrationCode' as const,
        data: { registrationCode, publisherId, holderLapsed: lapsed, now },
      };
      try {
        // The version read: a claim appended meanwhile (a racing registration) is a conflict, decided again.
        await this.handler.handle(registrationCodeDecider, streamId, command, { context, expectedVersion: version });
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}
