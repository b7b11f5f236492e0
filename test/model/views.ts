import type { OfferModel, PublisherModel } from './ledger-model.js';

/** What the API should answer for a publisher in the model (documents.ts PUBLISHER_FIELDS). */
export function publisherView(p: PublisherModel) {
  return {
    id: p.id,
    companyName: p.companyName,
    registrationCode: p.registrationCode,
    registrationStatus: p.status,
    rejectionReason: p.rejectionReason,
    version: p.version,
    contact: { ...p.contact, erased: p.contactErased },
    contactPreferences: { ...p.preferences },
    aadUsers: p.accounts
      .filter((a) => a.listed)
      .map((a) => ({
        accountId: a.accountId,
        objectId: a.erased ? null : a.objectId,
        userPrincipalName: a.erased ? null : a.userPrincipalName,
        displayName: a.erased ? null : a.displayName,
        erased: a.erased,
      })),
  };
}

/** What the API should answer for an offer in the model (documents.ts OFFER_FIELDS). */
export function offerView(o: OfferModel) {
  return {
    id: o.id,
    publisherId: o.publisherId,
    name: o.name,
    kind: o.kind,
    status: o.status,
    version: o.version,
    supportContacts: o.supportContacts.map((c) => ({ ...c, erased: o.supportErased })),
  };
}

/**
 * A publisher as of a past step: as it stood then, except that whatever
 * was erased since reads as null and erased (erasure reaches the past).
 */
export function pastPublisherView(
  then: PublisherModel,
  erased: ReadonlySet<string>,
  erasedAccountIds: ReadonlySet<string>,
) {
  const view = publisherView(then);
  const gone = (value: string | null) => value !== null && erased.has(value);
  const contactGone = [view.contact.name, view.contact.telephone, view.contact.email].some(gone);
  const hide = <T extends string | null>(value: T) => (gone(value) ? null : value);
  return {
    ...view,
    contact: {
      name: hide(view.contact.name),
      telephone: hide(view.contact.telephone),
      email: hide(view.contact.email),
      erased: view.contact.erased || contactGone,
    },
    aadUsers: view.aadUsers.map((a) => {
      const accountGone = erasedAccountIds.has(a.accountId);
      return accountGone ? { ...a, objectId: null, userPrincipalName: null, displayName: null, erased: true } : a;
    }),
  };
}
