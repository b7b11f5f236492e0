import type { Clock } from '../../clock.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { Actor } from '../store/event-envelope.js';
import type { EventStore } from '../store/event-store.js';
import { accessGrantDecider, type AccessGrantCommand } from './access-grant.commands.js';
import { accessGrantStream, type AccessGrantsState } from './access-grant.events.js';

/** Why such a grant ended, as `revokeReason` shows it: fixed wording, nothing of the person in it (docs/privacy.md, Actors). */
export const FORGOTTEN_GRANTEE_REASON = "the grantee's person reference was forgotten: an account of theirs was erased";

/** Who ends them: the ledger itself, a system actor named by what it does (as `doctor` names its own events). */
export const ERASURE_ACTOR: Actor = { id: 'erasure', kind: 'system' };

const BATCH = 2500;
const REQUESTED = 'AccessGrantRequested';

/**
 * Ends the grants of people about to be forgotten. A grant names its
 * grantee by person reference; once the person is forgotten nothing leads
 * from their object id to it again, so it could never be used, yet it would
 * read as ACTIVE. Erasure calls this before it forgets them (a resumed
 * erasure still finds the references, and revokes what is left: a grant
 * already ended takes no second revocation), and again after, for a grant
 * the person requested meanwhile (src/privacy/account-actors.ts).
 *
 * The grants are found in the log itself, not the access-grant read model:
 * a grant requested a moment before the erasure may not be projected yet,
 * and would be missed for good. The scan reads grant requests only (a store
 * that selects by type reads nothing else), and runs only for someone with
 * a person reference: staff, mostly, whose grants are few.
 */
export class ForgottenGrantees {
  constructor(
    private readonly store: EventStore,
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
  ) {}

  /**
   * Revokes every grant of these references that has not ended, requested
   * after log position `after`, one append per publisher; returns the last
   * log position of their streams (0: none granted), for the erasure's
   * answer to cover (read-your-writes).
   */
  async revokeGrantsOf(grantees: readonly string[], correlationId: string, after = 0): Promise<number> {
    if (grantees.length === 0) return 0;
    const publisherIds = await this.publishersGranting(new Set(grantees), after);
    const results = await Promise.all(
      [...publisherIds].map((publisherId) =>
        revokeForgottenGrants(this.handler, publisherId, grantees, correlationId, this.clock.now().toISOString()),
      ),
    );
    return Math.max(0, ...results.map((result) => result.position));
  }

  /**
   * Records, in the grant stream of the publisher whose account is erased,
   * the references about to be forgotten and the position their new grants
   * lie after (GranteesForgotten): appended before the forgetting, so an
   * erasure resumed after it still finds them. Returns its log position.
   */
  async noteForgotten(
    publisherId: string,
    grantees: readonly string[],
    requestedAfter: number,
    correlationId: string,
  ): Promise<number> {
    const now = this.clock.now().toISOString();
    const command = {
      type: 'NoteForgottenGrantees' as const,
      data: { publisherId, grantees: [...grantees], requestedAfter, now },
    };
    return (await byErasure(this.handler, publisherId, command, correlationId)).position;
  }

  /** What erasures of this publisher's accounts recorded they forget (none: undefined). */
  async forgottenAt(publisherId: string): Promise<{ grantees: string[]; requestedAfter: number } | undefined> {
    const { forgotten } = (await this.handler.load(accessGrantDecider, accessGrantStream(publisherId))).state;
    return forgotten && { grantees: [...forgotten.grantees], requestedAfter: forgotten.requestedAfter };
  }

  /** The publishers whose grant streams hold a grant requested by one of these references after `after` (ended ones included). */
  private async publishersGranting(grantees: ReadonlySet<string>, after: number): Promise<Set<string>> {
    const found = new Set<string>();
    for (let position = after; ;) {
      const batch = await this.store.readStored({ fromPosition: position, maxCount: BATCH, type: REQUESTED });
      if (batch.length === 0) return found;
      for (const event of batch) {
        if (event.type !== REQUESTED) continue; // a store that cannot select by type returns every event
        const terms = parsed(event.dataJson);
        if (terms && grantees.has(terms.grantee)) found.add(terms.publisherId);
      }
      position = batch.at(-1)!.position;
    }
  }
}

/** Revokes what is left of these forgotten grantees' grants at one publisher, as `erasure` with the fixed reason. */
export function revokeForgottenGrants(
  handler: CommandHandler,
  publisherId: string,
  grantees: readonly string[],
  correlationId: string,
  now: string,
): Promise<CommandResult<AccessGrantsState>> {
  return byErasure(
    handler,
    publisherId,
    {
      type: 'RevokeGranteeGrants',
      data: { grantees: [...grantees], revoker: ERASURE_ACTOR.id, reason: FORGOTTEN_GRANTEE_REASON, now },
    },
    correlationId,
  );
}

/** A command on the publisher's grant stream, made by the ledger's `erasure` actor within the erasure's correlation. */
function byErasure(
  handler: CommandHandler,
  publisherId: string,
  command: AccessGrantCommand,
  correlationId: string,
): Promise<CommandResult<AccessGrantsState>> {
  return handler.handle(accessGrantDecider, accessGrantStream(publisherId), command, {
    context: { actor: ERASURE_ACTOR, correlationId },
  });
}

function parsed(dataJson: string): { grantee: string; publisherId: string } | undefined {
  try {
    const data = JSON.parse(dataJson) as Record<string, unknown>;
    return typeof data['grantee'] === 'string' && typeof data['publisherId'] === 'string'
      ? { grantee: data['grantee'], publisherId: data['publisherId'] }
      : undefined;
  } catch {
    return undefined; // tampered: `verify` names it
  }
}
