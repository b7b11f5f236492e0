import {
  type LedgerModel,
  erasedSupport,
  supportValues,
  type OfferKind,
  type OfferModel,
  type PublisherModel,
  type SupportContactModel,
} from './ledger-model.js';
import type { MutationName } from './documents.js';
import { freshId, refused, type Operation, type Verdict } from './publisher-operations.js';
import type { ModelPrincipal } from './principals.js';

const nothing: Verdict = { appends: false, commit: () => undefined };

/** `takenId`: the id of an offer that exists already (of any publisher), which a new offer may not take. */
export function createOffer(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  kind: OfferKind,
  takenId?: string,
): Operation {
  const offer: OfferModel = {
    id: takenId ?? freshId(model),
    publisherId: p.id,
    name: model.fresh('Offer '),
    kind,
    status: 'DRAFT',
    supportContacts: [],
    supportErased: false,
    supportSealed: [],
    version: 1,
  };
  const denied = model.authorize('createOffer', as, p.id);
  return {
    name: 'createOffer',
    variables: { input: { id: offer.id, publisherId: p.id, name: offer.name, kind } },
    verdict: denied
      ? refused(denied)
      : takenId
        ? refused(model.takenIdAnswer('offer', as, model.offers.find((o) => o.id === takenId)!.publisherId))
        : p.status === 'CLOSED'
          ? refused('BAD_USER_INPUT')
          : { appends: true, commit: () => model.offers.push(offer) },
  };
}

/** A change to an offer: permission (another publisher's offer, or a deleted one, is NOT_FOUND), version, then the domain's rule. */
function offerChange(
  model: LedgerModel,
  name: MutationName,
  as: ModelPrincipal,
  o: OfferModel,
  stale: boolean,
  fields: Record<string, unknown>,
  decide: () => Verdict,
): Operation {
  const variables = { input: { id: o.id, expectedVersion: stale ? o.version + 1 : o.version, ...fields } };
  const denied = model.authorize(name, as, model.offerOwner(o));
  if (denied) return { name, variables, verdict: refused(denied) };
  if (o.status === 'DELETED') return { name, variables, verdict: refused('NOT_FOUND') };
  if (stale) return { name, variables, verdict: refused('CONFLICT') };
  return { name, variables, verdict: decide() };
}

/** `count` new contacts (0 clears the list), each with a few of the channels. */
export function updateSupport(
  model: LedgerModel,
  as: ModelPrincipal,
  o: OfferModel,
  count: number,
  channels: number,
  stale: boolean,
): Operation {
  const contacts: SupportContactModel[] = Array.from({ length: count }, () => ({
    name: channels & 1 ? model.fresh('Desk ') : null,
    telephone: channels & 2 ? `+86137${String(model.freshNumber()).padStart(8, '0')}` : null,
    email: channels & 4 ? `${model.fresh('desk')}@contoso.cn` : null,
    qq: channels & 8 ? String(10000 + model.freshNumber()) : null,
    wechat: channels & 16 ? `wx${String(model.freshNumber()).padStart(5, '0')}` : null,
    weibo: channels & 30 ? null : model.fresh('weibo'), // at least one channel besides the name
  }));
  const supportContacts = contacts.map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null)));
  return offerChange(model, 'updateOfferCustomerService', as, o, stale, { supportContacts }, () => {
    if (count === 0 && o.supportContacts.length === 0) return nothing;
    if (count === 0 && o.status === 'PUBLISHED') return refused('BAD_USER_INPUT');
    return {
      appends: true,
      commit() {
        o.supportContacts = contacts;
        o.supportSealed.push(...contacts.flatMap(supportValues).filter((v): v is string => v !== null));
        o.supportErased = false;
        o.version++;
        model.record(o.publisherId, 'EDIT', 'offer.supportContacts');
      },
    };
  });
}

export function publishOffer(model: LedgerModel, as: ModelPrincipal, o: OfferModel, stale: boolean): Operation {
  return offerChange(model, 'publishOffer', as, o, stale, {}, () => {
    if (o.status === 'PUBLISHED') return nothing;
    if (model.publisher(o.publisherId).status !== 'APPROVED') return refused('BAD_USER_INPUT');
    if (o.supportContacts.length === 0) return refused('BAD_USER_INPUT');
    return { appends: true, commit: () => Object.assign(o, { status: 'PUBLISHED', version: o.version + 1 }) };
  });
}

export function deleteOffer(model: LedgerModel, as: ModelPrincipal, o: OfferModel, stale: boolean): Operation {
  return offerChange(model, 'deleteOffer', as, o, stale, {}, () => ({
    appends: true,
    commit() {
      o.status = 'DELETED';
      o.version++;
      model.record(o.publisherId, 'DELETION', 'offer');
    },
  }));
}

/** Erases an offer's customer-service contacts: their values read as null, flagged erased. */
export function eraseSupport(model: LedgerModel, o: OfferModel): void {
  for (const contact of o.supportContacts) model.erase(supportValues(contact));
  model.erase(o.supportSealed);
  o.supportSealed = [];
  o.supportContacts = o.supportContacts.map(erasedSupport);
  o.supportErased = true;
}
