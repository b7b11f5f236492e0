import type { KeyStore } from '../../privacy/keys/key-store.js';
import { personalFieldsOf } from '../../privacy/classification.js';
import type { PersonalField } from '../../privacy/personal-field.js';
import { Masker, PSEUDONYM_KEY_SUBJECT } from '../../privacy/masking.js';
import type { OfferQueries, OfferView } from '../offer/offer.queries.js';
import type { PublisherQueries, PublisherView } from '../publisher/publisher.queries.js';
import { MAX_PAGE_SIZE } from '../../schema/page-size.js';

type Masked = Record<string, string | null>;

export interface MaskedOffer {
  id: string;
  name: string;
  kind: OfferView['kind'];
  status: OfferView['status'];
  createdAt: string;
  publishedAt: string | null;
  supportContacts: Masked[];
}

/** A publisher as an analyst sees it: every declared personal value masked, the rest as it is. */
export interface MaskedPublisher {
  id: string;
  companyName: string;
  registrationStatus: PublisherView['registrationStatus'];
  registeredAt: string;
  contact: Masked;
  aadUsers: Array<Masked & { addedAt: string }>;
  /** its newest offers (at most a page) */
  offers: MaskedOffer[];
}

/**
 * The masked view of a publisher and its offers, for the analyst role. Which
 * values are personal, and how each masks, is read from the declaration
 * (src/privacy/classification.ts) and masked by src/privacy/masking.ts: a field added there is masked here
 * without a change to this file.
 */
export class MaskedPublisherQueries {
  private masker: Promise<Masker> | undefined;

  constructor(
    private readonly publishers: PublisherQueries,
    private readonly offers: OfferQueries,
    private readonly keys: KeyStore,
  ) {}

  async publisher(id: string): Promise<MaskedPublisher | null> {
    const [[publisher], offers, masker] = await Promise.all([
      this.publishers.byIds([id]),
      this.offers.forPublisher(id, {}, MAX_PAGE_SIZE),
      this.getMasker(),
    ]);
    if (!publisher) return null;
    const mask = (eventType: string, prefix: string, record: Readonly<Record<string, unknown>>) =>
      maskDeclared(masker, personalFieldsOf(eventType), prefix, record);
    return {
      id: publisher.id,
      companyName: publisher.companyName,
      registrationStatus: publisher.registrationStatus,
      registeredAt: publisher.registeredAt,
      contact: mask('PublisherRegistered', 'contact.', { ...publisher.contact }),
      aadUsers: publisher.aadUsers.map((user) => ({
        ...mask('AadUserAdded', 'user.', { ...user }),
        addedAt: user.addedAt,
      })),
      offers: offers.items.map((offer) => ({
        id: offer.id,
        name: offer.name,
        kind: offer.kind,
        status: offer.status,
        createdAt: offer.createdAt,
        publishedAt: offer.publishedAt,
        supportContacts: offer.supportContacts.map((contact) =>
          mask('OfferCustomerServiceUpdated', 'supportContacts.*.', contact),
        ),
      })),
    };
  }

  private getMasker(): Promise<Masker> {
    this.masker ??= this.keys.getOrCreate(PSEUDONYM_KEY_SUBJECT).then((key) => new Masker(key));
    return this.masker;
  }
}

/** Each declared field under `prefix`, by its remaining name, masked; nothing else of the record. */
export function maskDeclared(
  masker: Masker,
  fields: readonly PersonalField[],
  prefix: string,
  record: Readonly<Record<string, unknown>>,
): Masked {
  return Object.fromEntries(
    fields
      .filter((field) => field.path.startsWith(prefix))
      .map((field) => {
        const name = field.path.slice(prefix.length);
        const value = record[name];
        return [name, masker.mask(field, typeof value === 'string' ? value : null)];
      }),
  );
}
