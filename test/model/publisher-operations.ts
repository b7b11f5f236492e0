import {
  type LedgerModel,
  NO_CONTACT,
  contactValues,
  type ErrorCode,
  type Preferences,
  type PublisherModel,
} from './ledger-model.js';
import type { MutationName } from './documents.js';
import type { ModelPrincipal } from './principals.js';

/**
 * What the model expects of one mutation: refused with a code, or done,
 * with what it does to the model once the ledger's answer is known (the
 * answer carries what the server assigns, such as account ids).
 */
export type Verdict = { refused: ErrorCode } | { appends: boolean; erasedCount?: number; commit(answer: any): void };

export interface Operation {
  name: MutationName;
  variables: Record<string, unknown>;
  /** the root field's input, when it has one (for idempotency keys) */
  verdict: Verdict;
}

export const refused = (code: ErrorCode): Verdict => ({ refused: code });
const nothing: Verdict = { appends: false, commit: () => undefined };

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
export const freshId = (model: LedgerModel) => uuid(model.freshNumber());
export const freshKey = (model: LedgerModel) => model.fresh('model-key-');

/** A stale expectedVersion: one the publisher had before (or never had). */
const versionOf = (version: number, stale: boolean) => (stale ? (version > 1 ? version - 1 : version + 1) : version);

/** `takenId`: the id of a publisher already registered, which a second registration may not take. */
export function register(
  model: LedgerModel,
  as: ModelPrincipal,
  withPreferences: boolean,
  takenId?: string,
): Operation {
  const id = takenId ?? freshId(model);
  const contact = {
    name: model.fresh('Name '),
    telephone: `+86138${String(model.freshNumber()).padStart(8, '0')}`,
    email: `${model.fresh('c')}@contoso.cn`,
  };
  const preferences: Preferences = withPreferences
    ? { aboutOffers: true, aboutFeedback: false, byEmail: true, byPhone: false }
    : NO_CONTACT;
  const input = {
    id,
    companyName: model.fresh('Company '),
    registrationCode: model.freshRegistrationCode(),
    contact,
    ...(withPreferences ? { contactPreferences: preferences } : {}),
  };
  const denied = model.authorize('registerPublisher', as);
  return {
    name: 'registerPublisher',
    variables: { input },
    verdict: denied
      ? refused(denied)
      : takenId
        ? refused(model.takenIdAnswer('publisher', as, takenId))
        : {
            appends: true,
            commit(answer) {
              const first = answer.registerPublisher.publisher.aadUsers[0];
              model.publishers.push({
                id,
                companyName: input.companyName,
                registrationCode: input.registrationCode,
                contact: { ...contact },
                contactErased: false,
                contactSealed: Object.values(contact),
                preferences,
                status: 'PENDING',
                rejectionReason: null,
                version: 1,
                accounts: [
                  {
                    accountId: first.accountId,
                    objectId: as.oid,
                    userPrincipalName: as.userPrincipalName!,
                    displayName: as.displayName!,
                    listed: true,
                    erased: false,
                  },
                ],
                records: [],
                disclosures: [],
              });
            },
          },
  };
}

/** A change to a publisher that carries expectedVersion: permission, then version, then the domain's rule. */
function versioned(
  model: LedgerModel,
  name: MutationName,
  as: ModelPrincipal,
  p: PublisherModel,
  stale: boolean,
  fields: Record<string, unknown>,
  decide: () => Verdict,
): Operation {
  const variables = { input: { id: p.id, expectedVersion: versionOf(p.version, stale), ...fields } };
  const denied = model.authorize(name, as, p.id);
  if (denied) return { name, variables, verdict: refused(denied) };
  if (stale) return { name, variables, verdict: refused('CONFLICT') };
  if (p.status === 'CLOSED') return { name, variables, verdict: refused('BAD_USER_INPUT') };
  return { name, variables, verdict: decide() };
}

/** `mask` picks the fields to change (company name, name, telephone, email); `same` resends the current values. */
export function updateContact(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  mask: number,
  same: boolean,
  stale: boolean,
): Operation {
  const next = {
    companyName: mask & 1 ? (same ? p.companyName : model.fresh('Company ')) : undefined,
    name: mask & 2 ? (same ? p.contact.name : model.fresh('Name ')) : undefined,
    telephone:
      mask & 4 ? (same ? p.contact.telephone : `+86139${String(model.freshNumber()).padStart(8, '0')}`) : undefined,
    email: mask & 8 ? (same ? p.contact.email : `${model.fresh('e')}@contoso.cn`) : undefined,
  };
  const contact = Object.fromEntries(Object.entries(next).filter(([k, v]) => k !== 'companyName' && v != null));
  const fields = {
    ...(next.companyName != null ? { companyName: next.companyName } : {}),
    ...(Object.keys(contact).length ? { contact } : {}),
  };
  return versioned(model, 'updatePublisherContact', as, p, stale, fields, () => {
    const changedContact = (['name', 'telephone', 'email'] as const).filter(
      (k) => next[k] != null && next[k] !== p.contact[k],
    );
    const changedCompany = next.companyName != null && next.companyName !== p.companyName;
    if (!changedContact.length && !changedCompany) return nothing;
    return {
      appends: true,
      commit() {
        if (changedCompany) p.companyName = next.companyName!;
        for (const k of changedContact) {
          p.contact[k] = next[k]!;
          p.contactSealed.push(next[k]!);
        }
        if (changedContact.length) p.contactErased = false;
        p.version++;
        model.record(p.id, 'EDIT', 'contact');
      },
    };
  });
}

export function updatePreferences(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  bits: number,
  stale: boolean,
): Operation {
  const preferences: Preferences = {
    aboutOffers: !!(bits & 1),
    aboutFeedback: !!(bits & 2),
    byEmail: !!(bits & 4),
    byPhone: !!(bits & 8),
  };
  return versioned(model, 'updateContactPreferences', as, p, stale, { contactPreferences: preferences }, () =>
    JSON.stringify(preferences) === JSON.stringify(p.preferences)
      ? nothing
      : {
          appends: true,
          commit() {
            p.preferences = preferences;
            p.version++;
            model.record(p.id, 'EDIT', 'contactPreferences');
          },
        },
  );
}

export function review(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  approve: boolean,
  stale: boolean,
): Operation {
  const reason = approve ? undefined : model.fresh('Reason ');
  return versioned(
    model,
    approve ? 'approvePublisher' : 'rejectPublisher',
    as,
    p,
    stale,
    reason ? { reason } : {},
    () => {
      if (approve) {
        if (p.status === 'APPROVED') return nothing;
        return {
          appends: true,
          commit: () => Object.assign(p, { status: 'APPROVED', rejectionReason: null, version: p.version + 1 }),
        };
      }
      if (p.status !== 'PENDING') return refused('BAD_USER_INPUT');
      return {
        appends: true,
        commit: () => Object.assign(p, { status: 'REJECTED', rejectionReason: reason, version: p.version + 1 }),
      };
    },
  );
}

export function addAccount(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  who: ModelPrincipal,
  stale: boolean,
): Operation {
  const account = {
    objectId: who.oid,
    userPrincipalName: `${model.fresh('upn')}@contoso.cn`,
    displayName: model.fresh('Display '),
  };
  return versioned(model, 'addAadUser', as, p, stale, account, () => {
    if (p.accounts.some((a) => a.listed && a.objectId === who.oid)) return refused('BAD_USER_INPUT');
    return {
      appends: true,
      commit(answer) {
        const added = answer.addAadUser.publisher.aadUsers.at(-1);
        p.accounts.push({ ...account, accountId: added.accountId, listed: true, erased: false });
        p.version++;
        model.record(p.id, 'EDIT', 'aadUsers');
      },
    };
  });
}

export function removeAccount(
  model: LedgerModel,
  as: ModelPrincipal,
  p: PublisherModel,
  objectId: string,
  stale: boolean,
): Operation {
  return versioned(model, 'removeAadUser', as, p, stale, { objectId }, () => {
    const account = p.accounts.find((a) => a.listed && a.objectId === objectId);
    if (!account) return refused('NOT_FOUND');
    if (p.accounts.filter((a) => a.listed).length === 1) return refused('BAD_USER_INPUT');
    return {
      appends: true,
      commit() {
        account.listed = false;
        p.version++;
        model.record(p.id, 'DELETION', 'aadUsers');
      },
    };
  });
}

/** Erases the contact, and forgets its values for good. */
export function eraseContact(model: LedgerModel, p: PublisherModel): void {
  model.erase([...contactValues(p.contact), ...p.contactSealed]);
  p.contactSealed = [];
  p.contact = { name: null, telephone: null, email: null };
  p.contactErased = true;
}
