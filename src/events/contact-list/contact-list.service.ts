import type { Clock, IdGenerator } from '../../clock.js';
import { ValidationError } from '../../errors.js';
import type { PublisherQueries, PublisherView } from '../../projections/publisher/publisher.queries.js';
import type { Filter } from '../../projections/store/read-store.js';
import type { CommandHandler } from '../command-handler.js';
import { asFamilyEvent } from '../ledger-events.js';
import type { CommandContext } from '../store/event-codec.js';
import { contactListDecider } from './contact-list.commands.js';
import {
  contactChannels,
  contactListStream,
  contactPurposes,
  preferencesApply,
  type ContactChannel,
  type ContactPurpose,
} from './contact-list.events.js';

/** One publisher on a list, with the value to contact it by. */
export interface ContactListEntry {
  publisherId: string;
  companyName: string;
  contactName: string | null;
  value: string;
}

export interface ContactList {
  id: string;
  purpose: ContactPurpose;
  channel: ContactChannel;
  preferencesApplied: boolean;
  publisherCount: number;
  /** the log position the read model had reached at least when the list was drawn */
  basedOnPosition: number;
  /** the list's own log position */
  position: number;
  entries: ContactListEntry[];
}

export interface ContactListDeps {
  handler: CommandHandler;
  publishers: PublisherQueries;
  clock: Clock;
  ids: IdGenerator;
  /** the log's last position now */
  headPosition(): Promise<number>;
  /** waits (bounded) until the read models reach a position */
  waitForPosition(position: number): Promise<void>;
}

const valueOf = (publisher: PublisherView, channel: ContactChannel): string | null =>
  channel === 'EMAIL' ? publisher.contact.email : publisher.contact.telephone;

/**
 * Produces contact lists (operators). Reads the publisher read model once it
 * has reached the log's head, lets the decider choose who may be contacted,
 * and records the list (and with it each publisher's USE record) before a
 * single value is handed out.
 */
export class ContactListService {
  constructor(private readonly deps: ContactListDeps) {}

  async produce(purpose: string, channel: string, context: CommandContext): Promise<ContactList> {
    const { handler, publishers, clock, ids } = this.deps;
    if (!(contactPurposes as readonly string[]).includes(purpose))
      throw new ValidationError('purpose', `must be one of ${contactPurposes.join(', ')}`);
    if (!(contactChannels as readonly string[]).includes(channel))
      throw new ValidationError('channel', `must be one of ${contactChannels.join(', ')}`);
    const basedOnPosition = await this.deps.headPosition();
    await this.deps.waitForPosition(basedOnPosition);
    const topic = purpose === 'OFFERS' ? 'aboutOffers' : 'aboutFeedback';
    const byChannel = channel === 'EMAIL' ? 'byEmail' : 'byPhone';
    // the decider judges every candidate; the filter only spares reading those it would refuse anyway
    const filter: Filter = {
      registrationStatus: { ne: 'CLOSED' },
      ...(preferencesApply(purpose as ContactPurpose)
        ? { [`contactPreferences.${topic}`]: true, [`contactPreferences.${byChannel}`]: true }
        : {}),
    };
    const found = await publishers.matching(filter);
    const listId = ids.next();
    const candidates = found.map((publisher) => ({
      publisherId: publisher.id,
      registrationStatus: publisher.registrationStatus,
      contactPreferences: publisher.contactPreferences,
      hasValue: valueOf(publisher, channel as ContactChannel) !== null,
    }));
    const result = await handler.handle(
      contactListDecider,
      contactListStream(listId),
      {
        type: 'ProduceContactList',
        data: { listId, purpose, channel, candidates, basedOnPosition, now: clock.now().toISOString() },
      },
      { context },
    );
    const appended = result.appended[0];
    if (!appended) throw new Error('producing a contact list appended no list');
    const { data } = asFamilyEvent('contactList', appended);
    const byId = new Map(found.map((publisher) => [publisher.id, publisher]));
    const entries = data.publisherIds.flatMap((id) => {
      const publisher = byId.get(id);
      const value = publisher && valueOf(publisher, data.channel);
      return publisher && value
        ? [{ publisherId: id, companyName: publisher.companyName, contactName: publisher.contact.name, value }]
        : [];
    });
    return {
      id: listId,
      purpose: data.purpose,
      channel: data.channel,
      preferencesApplied: data.preferencesApplied,
      publisherCount: data.publisherIds.length,
      basedOnPosition,
      position: result.position,
      entries,
    };
  }
}
