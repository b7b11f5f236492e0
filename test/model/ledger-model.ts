import { expectedAnswer, readmeTable } from '../auth/readme-tables.js';
import { usccCheckCharacter } from '../../src/events/publisher/uscc.js';
import type { DisclosureModel } from './disclosure-operations.js';
import type { ModelPrincipal } from './principals.js';

/**
 * A simple in-test model of the whole ledger: what a careful reader of the
 * README expects each operation to leave behind. No event sourcing, no
 * keys: plain records, with erased values replaced by null and remembered,
 * so that an erased value can be searched for everywhere afterwards.
 */

export type Status = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CLOSED';
export type OfferStatus = 'DRAFT' | 'PUBLISHED' | 'DELETED';
export const OFFER_KINDS = ['VIRTUAL_MACHINE', 'SOLUTION_TEMPLATE', 'CUSTOMIZED_SERVICE'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];
export type ErrorCode = 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT';

export interface Contact {
  name: string | null;
  telephone: string | null;
  email: string | null;
}
export interface Preferences {
  aboutOffers: boolean;
  aboutFeedback: boolean;
  byEmail: boolean;
  byPhone: boolean;
}
export const NO_CONTACT: Preferences = { aboutOffers: false, aboutFeedback: false, byEmail: false, byPhone: false };

export interface Account {
  /** server-assigned: learned from the answer that added it */
  accountId: string;
  objectId: string;
  userPrincipalName: string;
  displayName: string;
  /** still on the publisher's list (not removed) */
  listed: boolean;
  erased: boolean;
}

/** A privacy request record the model can predict (VIEW records depend on who read what when, and are left out). */
export interface RecordModel {
  kind: 'EDIT' | 'DELETION' | 'ERASURE' | 'EXPORT' | 'USE';
  target: string;
  /** the ledger's instant when it was made (records of one instant may list in any order) */
  at: string;
  /** learned from the first read of the records after it was made */
  id?: string;
  /** its requester's retention month was destroyed */
  requesterErased: boolean;
}

export interface PublisherModel {
  id: string;
  companyName: string;
  registrationCode: string;
  contact: Contact;
  contactErased: boolean;
  /** every contact value written under the contact's current key: an erasure makes them all unreadable, past ones included */
  contactSealed: string[];
  preferences: Preferences;
  status: Status;
  rejectionReason: string | null;
  version: number;
  /** every account ever added, in order */
  accounts: Account[];
  /** oldest first; deleted ones removed */
  records: RecordModel[];
  /** oldest first */
  disclosures: DisclosureModel[];
}

export interface SupportContactModel {
  name: string | null;
  telephone: string | null;
  email: string | null;
  qq: string | null;
  wechat: string | null;
  weibo: string | null;
}

export interface OfferModel {
  id: string;
  publisherId: string;
  name: string;
  kind: OfferKind;
  status: OfferStatus;
  supportContacts: SupportContactModel[];
  supportErased: boolean;
  /** every support value written under the current key */
  supportSealed: string[];
  version: number;
}

/** An access grant of the operator's: every data category, ending at `endsAt` (ms). */
export interface GrantModel {
  id: string;
  publisherId: string;
  endsAt: number;
  emergency: boolean;
  revoked: boolean;
}

/** The state after one step, for `asOf` at that step's instant. */
export interface Snapshot {
  instant: string;
  publishers: Map<string, PublisherModel>;
}

export class LedgerModel {
  publishers: PublisherModel[] = [];
  offers: OfferModel[] = [];
  /** every value an erasure made unreadable: none may read back anywhere */
  readonly erasedValues = new Set<string>();
  /** every AAD account erased */
  readonly erasedAccountIds = new Set<string>();
  readonly snapshots: Snapshot[] = [];
  private counter = 0;

  /** A value no other part of the history uses, nor contains (erased values are searched for in everything the API answers). */
  fresh(prefix: string): string {
    return `${prefix}${String(++this.counter).padStart(6, '0')}`;
  }
  freshNumber(): number {
    return ++this.counter;
  }

  publisherAt(i: number): PublisherModel | undefined {
    return this.publishers.length ? this.publishers[i % this.publishers.length] : undefined;
  }
  offerAt(i: number): OfferModel | undefined {
    return this.offers.length ? this.offers[i % this.offers.length] : undefined;
  }
  publisher(id: string): PublisherModel {
    const found = this.publishers.find((p) => p.id === id);
    if (!found) throw new Error(`model: no publisher ${id}`);
    return found;
  }
  offersOf(publisherId: string): OfferModel[] {
    return this.offers.filter((o) => o.publisherId === publisherId);
  }

  isMember(principal: ModelPrincipal, publisherId: string | undefined): boolean {
    if (!publisherId) return false;
    const p = this.publishers.find((candidate) => candidate.id === publisherId);
    return (
      !!p && p.status !== 'CLOSED' && p.accounts.some((a) => a.listed && !a.erased && a.objectId === principal.oid)
    );
  }

  /** The publishers `me` should list for the principal. */
  membershipsOf(principal: ModelPrincipal): string[] {
    return this.publishers
      .filter((p) => this.isMember(principal, p.id))
      .map((p) => p.id)
      .sort();
  }

  /** What the README's permission table says of this principal and operation on this target. */
  authorize(operation: string, principal: ModelPrincipal, publisherId?: string): ErrorCode | null {
    const row = permissionRows.get(operation);
    if (!row) throw new Error(`README has no permission row for ${operation}`);
    // the operator's grants cover every category (grant-commands.ts)
    const granted = principal.column === 'operator' && publisherId !== undefined && this.operatorMayRead(publisherId);
    return expectedAnswer(row, principal.column, this.isMember(principal, publisherId), granted);
  }

  /**
   * What a create naming a taken id answers (src/auth/foreign-id.ts): "already
   * taken" (BAD_USER_INPUT) to whoever may read the publisher holding it,
   * FORBIDDEN to anyone else, as for an operation it may not make.
   */
  takenIdAnswer(query: 'publisher' | 'offer', principal: ModelPrincipal, holderPublisherId: string): ErrorCode {
    return this.authorize(query, principal, holderPublisherId) === null ? 'BAD_USER_INPUT' : 'FORBIDDEN';
  }

  /** The publisher a live offer belongs to (what authorisation finds for a query's offer argument). */
  liveOfferPublisher(offer: OfferModel | undefined): string | undefined {
    return offer && offer.status !== 'DELETED' ? offer.publisherId : undefined;
  }

  /** The publisher an offer belongs to, deleted or not (what authorisation finds for a mutation's offer argument). */
  offerOwner(offer: OfferModel | undefined): string | undefined {
    return offer?.publisherId;
  }

  /**
   * Per stream, how many erasures have erased someone in it: each destroys
   * the stream's idempotency keys, so a keyed change of that stream made
   * before it can no longer be told from other input on a retry
   * (docs/privacy.md, Erasure); an erasure that erases nothing does not.
   */
  private readonly shreds = new Map<string, number>();
  shredded(streamId: string): void {
    this.shreds.set(streamId, this.idempotencyEpoch(streamId) + 1);
  }
  idempotencyEpoch(streamId: string): number {
    return this.shreds.get(streamId) ?? 0;
  }

  /** PersonalDataErased events appended so far to publisher and offer streams */
  erasureEvents = 0;
  /** PersonalDataErased events of disclosure recipients (no publisher or offer version moves), disclosures and contact lists so far */
  recipientErasures = 0;
  disclosureEvents = 0;
  contactListEvents = 0;
  /** changes (events of publisher and offer streams but erasures), erasures, disclosures, lists and the operator's grants per UTC day, as `analytics.changesPerDay` counts them */
  readonly days = new Map<
    string,
    {
      changes: number;
      erasures: number;
      disclosures: number;
      contactLists: number;
      accessGrants?: number;
      emergencyAccesses?: number;
    }
  >();
  private counted = { events: 0, erasures: 0, recipientErasures: 0, disclosures: 0, contactLists: 0 };

  /** Attributes what the last step appended to its day: every event of a publisher or offer stream bumps its version. */
  tallyDay(): void {
    const events = [...this.publishers, ...this.offers].reduce((sum, x) => sum + x.version, 0);
    const erasures = this.erasureEvents - this.counted.erasures;
    const recipientErasures = this.recipientErasures - this.counted.recipientErasures;
    const disclosures = this.disclosureEvents - this.counted.disclosures;
    const contactLists = this.contactListEvents - this.counted.contactLists;
    if (events === this.counted.events && erasures + recipientErasures + disclosures + contactLists === 0) return;
    const day = this.now().slice(0, 10);
    const count = this.days.get(day) ?? { changes: 0, erasures: 0, disclosures: 0, contactLists: 0 };
    this.days.set(day, {
      ...count,
      changes: count.changes + events - this.counted.events - erasures,
      erasures: count.erasures + erasures + recipientErasures,
      disclosures: count.disclosures + disclosures,
      contactLists: count.contactLists + contactLists,
    });
    this.counted = {
      events,
      erasures: this.erasureEvents,
      recipientErasures: this.recipientErasures,
      disclosures: this.disclosureEvents,
      contactLists: this.contactListEvents,
    };
  }

  /** the operator's access grants, oldest first (the model's ledger needs no approval) */
  readonly grants: GrantModel[] = [];

  /** Whether the operator holds a grant on the publisher now: not revoked, not past its end. */
  operatorMayRead(publisherId: string): boolean {
    const now = Date.parse(this.now());
    return this.grants.some((g) => g.publisherId === publisherId && !g.revoked && now < g.endsAt);
  }

  /** how often the operator was forgotten: a grant request's id is derived from the reference they had then */
  operatorForgets = 0;

  /**
   * An account of the operator's was erased, so the operator is forgotten as
   * an actor (src/privacy/account-actors.ts): every grant of theirs that had
   * not ended is revoked by the erasure (the ended ones stay as they were).
   */
  forgetOperator(): void {
    this.operatorForgets++;
    const now = Date.parse(this.now());
    for (const grant of this.grants) if (now < grant.endsAt) grant.revoked = true;
  }

  /** Counts a grant on today's day, as `analytics.changesPerDay` does. */
  tallyGrant(emergency: boolean): void {
    const day = this.now().slice(0, 10);
    const count = this.days.get(day) ?? { changes: 0, erasures: 0, disclosures: 0, contactLists: 0 };
    this.days.set(day, {
      ...count,
      accessGrants: (count.accessGrants ?? 0) + 1,
      emergencyAccesses: (count.emergencyAccesses ?? 0) + (emergency ? 1 : 0),
    });
  }

  /** the ledger's clock, for the instants of records */
  now: () => string = () => '';

  record(publisherId: string, kind: RecordModel['kind'], target: string): void {
    this.publisher(publisherId).records.push({ kind, target, at: this.now(), requesterErased: false });
  }

  erase(values: Array<string | null>): void {
    for (const value of values) if (value !== null) this.erasedValues.add(value);
  }

  /** Remembers the state of every publisher after a step, for `asOf`. */
  snapshot(instant: string): void {
    this.snapshots.push({ instant, publishers: new Map(this.publishers.map((p) => [p.id, structuredClone(p)])) });
  }

  /** A valid Unified Social Credit Code no other publisher of the history has. */
  freshRegistrationCode(): string {
    const first17 = `91350100MA${String(this.freshNumber()).padStart(7, '0')}`;
    return first17 + usccCheckCharacter(first17);
  }
}

const permissionRows = new Map(readmeTable('operation').map((row) => [row.name, row]));

export const contactValues = (c: Contact): Array<string | null> => [c.name, c.telephone, c.email];
export const supportValues = (s: SupportContactModel): Array<string | null> => [
  s.name,
  s.telephone,
  s.email,
  s.qq,
  s.wechat,
  s.weibo,
];
export const erasedSupport = (): SupportContactModel => ({
  name: null,
  telephone: null,
  email: null,
  qq: null,
  wechat: null,
  weibo: null,
});
