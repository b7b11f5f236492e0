import type { Account, LedgerModel, PublisherModel } from './ledger-model.js';
import { eraseRecipients } from './disclosure-operations.js';
import { eraseSupport } from './offer-operations.js';
import { eraseContact, refused, type Operation, type Verdict } from './publisher-operations.js';
import { OPERATOR, PRINCIPALS, type ModelPrincipal } from './principals.js';

export type ErasureTarget = 'CONTACT' | 'AAD_ACCOUNT' | 'OFFER_SUPPORT';

/** One person of the publisher: the contact, the `index`th account ever added, or the `index`th offer's contacts. */
export function erasePerson(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  target: ErasureTarget,
  index: number,
): Operation {
  // removed accounts first: only they may be erased
  const accounts = [...p.accounts.filter((a) => !a.listed), ...p.accounts.filter((a) => a.listed)];
  const account = accounts[index % accounts.length]!;
  const offers = model.offersOf(p.id);
  const offer = offers.length ? offers[index % offers.length] : undefined;
  const chosen = target === 'OFFER_SUPPORT' && !offer ? 'CONTACT' : target;
  const input = {
    publisherId: p.id,
    target: chosen,
    ...(chosen === 'AAD_ACCOUNT' ? { accountId: account.accountId } : {}),
    ...(chosen === 'OFFER_SUPPORT' ? { offerId: offer!.id } : {}),
  };
  const denied = model.authorize('erasePersonalData', as, p.id);
  const already: Verdict = { appends: false, erasedCount: 0, commit: () => undefined };
  const erases = (commit: () => void): Verdict => ({ appends: true, erasedCount: 1, commit });
  const verdict = (): Verdict => {
    switch (chosen) {
      case 'CONTACT':
        if (p.contactErased) return already;
        return erases(() => {
          eraseContact(model, p);
          p.version++;
          model.erasureEvents++;
          model.record(p.id, 'ERASURE', 'contact');
        });
      case 'AAD_ACCOUNT':
        if (account.erased) return already;
        if (account.listed) return refused('BAD_USER_INPUT');
        return erases(() => {
          eraseAccount(model, account);
          p.version++;
          model.erasureEvents++;
          model.record(p.id, 'ERASURE', 'aadUsers');
        });
      case 'OFFER_SUPPORT':
        if (offer!.supportErased) return already;
        return erases(() => {
          eraseSupport(model, offer!);
          offer!.version++;
          model.erasureEvents++;
          model.record(p.id, 'ERASURE', 'offer.supportContacts');
        });
    }
  };
  const shredded = chosen === 'OFFER_SUPPORT' ? `offer-${offer!.id}` : `publisher-${p.id}`;
  const decided = denied ? refused(denied) : verdict();
  // only an erasure that erases someone destroys the stream's idempotency keys
  return {
    name: 'erasePersonalData',
    variables: { input },
    verdict: shredding(model, decided, 'appends' in decided && decided.appends ? [shredded] : []),
  };
}

/** Every person of the publisher erased, its offers withdrawn, the account CLOSED: one ERASURE record. */
export function closeAccount(model: LedgerModel, as: ModelPrincipal, p: PublisherModel): Operation {
  const denied = model.authorize('closePublisherAccount', as, p.id);
  const commit = () => {
    if (!p.contactErased) {
      eraseContact(model, p);
      p.version++;
      model.erasureEvents++;
    }
    for (const account of p.accounts.filter((a) => !a.erased)) {
      eraseAccount(model, account);
      p.version++;
      model.erasureEvents++;
    }
    Object.assign(p, { status: 'CLOSED', rejectionReason: null, version: p.version + 1 });
    for (const offer of model.offersOf(p.id)) {
      if (offer.status === 'DELETED' && offer.supportErased) continue;
      eraseSupport(model, offer);
      offer.status = 'DELETED';
      offer.version++;
      model.erasureEvents++;
    }
    eraseRecipients(model, p);
    model.record(p.id, 'ERASURE', 'publisher');
  };
  // the streams the closure erases someone in (an offer withdrawn is erased again): their idempotency keys go
  const erasing =
    p.status === 'CLOSED'
      ? []
      : [
          ...(!p.contactErased || p.accounts.some((a) => !a.erased) ? [`publisher-${p.id}`] : []),
          ...model
            .offersOf(p.id)
            .filter((o) => !(o.status === 'DELETED' && o.supportErased))
            .map((o) => `offer-${o.id}`),
          ...(p.disclosures.some((d) => !d.erased) ? [`disclosures-${p.id}`] : []),
        ];
  return {
    name: 'closePublisherAccount',
    variables: { input: { publisherId: p.id } },
    verdict: denied
      ? refused(denied)
      : shredding(
          model,
          p.status === 'CLOSED' ? { appends: false, commit: () => undefined } : { appends: true, commit },
          erasing,
        ),
  };
}

/**
 * An erasure that erases someone in a stream destroys that stream's
 * idempotency keys (it records them); one that erases nothing there leaves
 * them, so retries of earlier keyed changes still answer their first result.
 */
function shredding(model: LedgerModel, verdict: Verdict, streamIds: readonly string[]): Verdict {
  if ('refused' in verdict) return verdict;
  return {
    ...verdict,
    commit(answer) {
      for (const streamId of streamIds) model.shredded(streamId);
      verdict.commit(answer);
    },
  };
}

/** Deletes the `index`th record the model knows the id of. */
export function deleteRecord(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  index: number,
): Operation | undefined {
  const known = p.records.filter((r) => r.id);
  const record = known[index % Math.max(known.length, 1)];
  if (!record) return undefined;
  const denied = model.authorize('deletePrivacyRequestRecord', as, p.id);
  return {
    name: 'deletePrivacyRequestRecord',
    variables: { id: record.id },
    verdict: denied ? refused(denied) : { appends: true, commit: () => p.records.splice(p.records.indexOf(record), 1) },
  };
}

/** A registrant's name and UPN come from its token, and so read back on every publisher it registers: only values given to addAadUser are its own. */
const fromTokens = new Set(PRINCIPALS.flatMap((p) => [p.userPrincipalName!, p.displayName!]));

function eraseAccount(model: LedgerModel, account: Account): void {
  model.erase([account.userPrincipalName, account.displayName].filter((value) => !fromTokens.has(value)));
  account.erased = true;
  model.erasedAccountIds.add(account.accountId);
  // the person behind it is forgotten as an actor: their grants end (revoked by the erasure) before
  if (account.objectId === OPERATOR.oid) model.forgetOperator();
}
