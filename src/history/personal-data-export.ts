import { NotFoundError } from '../errors.js';
import type { CommandHandler } from '../events/command-handler.js';
import type { CommandContext } from '../events/store/event-codec.js';
import { offerDecider } from '../events/offer/offer.commands.js';
import { offerStream } from '../events/offer/offer.events.js';
import type { LoggedDisclosure } from '../events/disclosure/disclosure-log.js';
import type { ReadRecorder } from '../events/privacy-request/read-recorder.js';
import { publisherDecider } from '../events/publisher/publisher.commands.js';
import { publisherStream } from '../events/publisher/publisher.events.js';
import { anyErased, erasedUntilRewritten } from '../privacy/personal-value.js';
import type { OfferIds } from '../events/erasure/erasure.service.js';
import type { ShownValue } from './diff.js';
import type { History, HistoryEntry } from './history.js';

/** Where the record's personal values live (see src/privacy/classification.ts for the events' side). */
const PERSONAL_PREFIXES = ['contact.', 'aadUsers.', 'supportContacts.'] as const;
const isPersonalField = (field: string): boolean => PERSONAL_PREFIXES.some((prefix) => field.startsWith(prefix));

/** A value as the export shows it: the value, absent (null), or `{"$erased": true}`. */
type Held = ShownValue | undefined;

/**
 * The data-subject export (access and portability): everything held about a
 * publisher's people, their current values and the history of every
 * personal field, and the disclosures of their data they may be told of,
 * as one JSON document. Values read from the log, the
 * authority (folded with the aggregates' evolve), not from read models.
 * Erased values appear as `{"$erased": true}`, never as their value.
 * Every export is recorded (EXPORT) before the document is returned.
 */
export class PersonalDataExport {
  constructor(
    private readonly handler: CommandHandler,
    private readonly history: History,
    private readonly offers: OfferIds,
    private readonly recorder: ReadRecorder,
    private readonly now: () => Date,
    /** the disclosures its people may be told of by then (src/events/disclosure/disclosure-log.ts) */
    private readonly disclosures: (publisherId: string, now: string) => Promise<LoggedDisclosure[]>,
  ) {}

  async document(publisherId: string, context: CommandContext): Promise<string> {
    const { state } = await this.handler.load(publisherDecider, publisherStream(publisherId));
    if (state.status !== 'registered') throw new NotFoundError('publisher', publisherId);
    const offerIds = await this.offers.offerIdsOf(publisherId);
    const histories = await Promise.all([
      this.history.all({ kind: 'publisher', id: publisherId }),
      ...offerIds.map((id) => this.history.all({ kind: 'offer', id })),
    ]);
    const history = histories
      .flat()
      .sort((a, b) => a.position - b.position)
      .flatMap(personalEntry);
    const offers = await Promise.all(
      offerIds.map(async (offerId) => {
        const offer = (await this.handler.load(offerDecider, offerStream(offerId))).state;
        if (offer.status === 'DRAFT' || offer.status === 'PUBLISHED') {
          return {
            offerId,
            name: offer.name,
            status: offer.status,
            erased: offer.supportErased,
            supportContacts: offer.supportContacts,
          };
        }
        return {
          offerId,
          status: 'DELETED',
          erased: offer.status === 'DELETED' && offer.supportErased,
          supportContacts: [],
        };
      }),
    );
    const held = lastHeldValues(history);
    const exportedAt = this.now().toISOString();
    const disclosures = await this.disclosures(publisherId, exportedAt);
    const contact = state.contact;
    const document = {
      publisherId,
      exportedAt,
      registrationStatus: state.registrationStatus,
      contact: { ...contact, erased: erasedUntilRewritten([contact.name, contact.telephone, contact.email]) },
      aadAccounts: state.erasure.accountIds.map((accountId) => {
        const user = state.aadUsers.find((u) => u.accountId === accountId);
        const fields = user
          ? {
              objectId: user.objectId,
              userPrincipalName: user.userPrincipalName,
              displayName: user.displayName,
              addedAt: user.addedAt,
            }
          : held(`aadUsers.${accountId}.`);
        // a closed account grants nobody access, though its last accounts stay listed
        const hasAccess = user !== undefined && state.registrationStatus !== 'CLOSED';
        return {
          accountId,
          hasAccess,
          erased: state.erasure.erasedAccountIds.includes(accountId) || anyErased(Object.values(fields)),
          ...fields,
        };
      }),
      offers,
      // to whom their data was disclosed (the values themselves were never kept); withheld ones once notice may be given
      disclosures: disclosures.map(({ disclosureId, recipient, fields, legalBasis, disclosedAt, notice }) => ({
        disclosureId,
        recipient,
        fields,
        legalBasis,
        disclosedAt,
        notice,
      })),
      history,
    };
    const json = JSON.stringify(document, null, 2);
    await this.recorder.exported(publisherId, 'personalData', context);
    return json;
  }
}

/** The entry with only its changes of personal fields; none left: no entry. */
function personalEntry(entry: HistoryEntry): HistoryEntry[] {
  const changes = entry.changes.filter((change) => isPersonalField(change.field));
  return changes.length ? [{ ...entry, changes }] : [];
}

/** The last value the history shows for each field under a prefix (a removed account's values, as held in the log). */
function lastHeldValues(history: readonly HistoryEntry[]): (prefix: string) => Record<string, Held> {
  return (prefix) => {
    const out: Record<string, Held> = {};
    for (const entry of history) {
      for (const change of entry.changes) {
        if (!change.field.startsWith(prefix)) continue;
        out[change.field.slice(prefix.length)] = change.after ?? change.before; // a removal's after is null
      }
    }
    return out;
  };
}
