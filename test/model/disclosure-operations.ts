import { expect } from 'vitest';
import type { LedgerModel, PublisherModel } from './ledger-model.js';
import { refused, type Operation } from './publisher-operations.js';
import type { ModelPrincipal } from './principals.js';

/** How a history's disclosure is recorded: the publisher notified, notice withheld for five steps, or (refused) without legal basis. */
export type DisclosureKind = 'notified' | 'withheld' | 'noBasis';
export type Purpose = 'OFFERS' | 'FEEDBACK' | 'BILLING';
export type Channel = 'EMAIL' | 'PHONE';

/** A disclosure as the model knows it: its recipient's name is erased with the account. */
export interface DisclosureModel {
  id: string;
  recipient: string;
  /** null: notified; else members see it from this instant */
  withheldUntil: string | null;
  erased: boolean;
}

/** An operator records a disclosure of the publisher's contact email; members see it once notice may be given. */
export function recordDisclosure(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  kind: DisclosureKind,
): Operation {
  const recipient = model.fresh('Recipient ');
  // each step is a second: withheld for the next five
  const withheldUntil = kind === 'withheld' ? new Date(Date.parse(model.now()) + 5_000).toISOString() : null;
  const input = {
    publisherId: p.id,
    recipientName: recipient,
    recipientCountry: 'CN',
    fields: ['contact person email'],
    legalBasis: kind === 'noBasis' ? null : 'COMPELLED_BY_LAW',
    notice: withheldUntil ? { notified: false, withheldReason: 'Court order 17', withheldUntil } : { notified: true },
  };
  const denied = model.authorize('recordDisclosure', as, p.id);
  return {
    name: 'recordDisclosure',
    variables: { input },
    verdict:
      denied !== null
        ? refused(denied)
        : kind === 'noBasis' || p.status === 'CLOSED'
          ? refused('BAD_USER_INPUT')
          : {
              appends: true,
              commit(answer) {
                p.disclosures.push({ id: answer.recordDisclosure.id, recipient, withheldUntil, erased: false });
                model.disclosureEvents++;
              },
            },
  };
}

/** Whether the model's publisher is on a list for `purpose` by `channel` (the README: preferences for offers and feedback only). */
function listed(p: PublisherModel, purpose: Purpose, channel: Channel): boolean {
  const value = channel === 'EMAIL' ? p.contact.email : p.contact.telephone;
  if (p.status === 'CLOSED' || value === null) return false;
  if (purpose === 'BILLING') return true;
  const topic = purpose === 'OFFERS' ? p.preferences.aboutOffers : p.preferences.aboutFeedback;
  return topic && (channel === 'EMAIL' ? p.preferences.byEmail : p.preferences.byPhone);
}

/** An operator's contact list: exactly the publishers the preferences allow, each with its value, and a USE record each. */
export function contactList(model: LedgerModel, as: ModelPrincipal, purpose: Purpose, channel: Channel): Operation {
  const denied = model.authorize('contactList', as);
  return {
    name: 'contactList',
    variables: { purpose, channel },
    verdict:
      denied !== null
        ? refused(denied)
        : {
            appends: true,
            commit(answer) {
              const on = model.publishers.filter((p) => listed(p, purpose, channel));
              const expected = on.map((p) => ({
                publisherId: p.id,
                value: channel === 'EMAIL' ? p.contact.email : p.contact.telephone,
              }));
              const byId = (a: { publisherId: string }, b: { publisherId: string }) =>
                a.publisherId.localeCompare(b.publisherId);
              expect(answer.contactList.entries.sort(byId), `contactList ${purpose} ${channel}`).toEqual(
                expected.sort(byId),
              );
              for (const p of on)
                model.record(p.id, 'USE', channel === 'EMAIL' ? 'contact.email' : 'contact.telephone');
              model.contactListEvents++;
            },
          },
  };
}

/** Closing the account erases the recipients of its disclosures (one erasure, when it has any). */
export function eraseRecipients(model: LedgerModel, p: PublisherModel): void {
  if (p.disclosures.length === 0) return;
  for (const disclosure of p.disclosures) disclosure.erased = true;
  model.erase(p.disclosures.map((d) => d.recipient));
  model.recipientErasures++;
}

/** What `disclosures` shows the principal: staff all, a member those whose notice may be given by `now`. */
export function disclosuresSeen(p: PublisherModel, staff: boolean, now: string) {
  return p.disclosures
    .filter((d) => staff || d.withheldUntil === null || d.withheldUntil <= now)
    .map((d) => ({ id: d.id, recipient: { name: d.erased ? null : d.recipient, erased: d.erased } }));
}
