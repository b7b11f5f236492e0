import { ValidationError } from '../../errors.js';
import { requireEmail, requireTelephone, requireText } from '../publisher/publisher.validation.js';
import { offerKinds, type OfferKind, type SupportContact } from './offer.events.js';

/**
 * Normalising validators for the offer's commands. Each throws a
 * ValidationError naming the field and the rule; none echoes the value
 * (every support-contact field is personal data).
 */

export const maxSupportContacts = 20;

const QQ = /^[1-9][0-9]{4,10}$/;
const WECHAT = /^[A-Za-z][A-Za-z0-9_-]{5,19}$/;

/** A QQ number: 5 to 11 digits, no leading zero. */
export function requireQq(field: string, value: string): string {
  const qq = value.trim();
  if (!QQ.test(qq)) throw new ValidationError(field, 'must be 5 to 11 digits without a leading zero');
  return qq;
}

/** A WeChat id: 6 to 20 characters, a letter first, then letters, digits, `_` or `-`. */
export function requireWechat(field: string, value: string): string {
  const wechat = value.trim();
  if (!WECHAT.test(wechat)) {
    throw new ValidationError(
      field,
      'must be 6 to 20 characters, starting with a letter, then letters, digits, _ or -',
    );
  }
  return wechat;
}

/** A Weibo account name: trimmed, 1 to 50 characters. */
export function requireWeibo(field: string, value: string): string {
  return requireText(field, value, 50);
}

export function requireOfferKind(field: string, value: string): OfferKind {
  const kind = value.trim();
  if (!(offerKinds as readonly string[]).includes(kind)) {
    throw new ValidationError(field, `must be one of ${offerKinds.join(', ')}`);
  }
  return kind as OfferKind;
}

/** A contact as it arrives: every field optional; null, empty or blank counts as absent. */
export type SupportContactInput = { [K in keyof SupportContact]?: string | null };

const reachableBy = ['telephone', 'email', 'qq', 'wechat', 'weibo'] as const;

const normalisers: { [K in keyof SupportContact]-?: (field: string, value: string) => string } = {
  name: (field, value) => requireText(field, value, 100),
  telephone: requireTelephone,
  email: requireEmail,
  qq: requireQq,
  wechat: requireWechat,
  weibo: requireWeibo,
};

/** The normalised list; each contact keeps only the fields it has and must be reachable by at least one channel. */
export function requireSupportContacts(field: string, list: readonly SupportContactInput[]): SupportContact[] {
  if (list.length > maxSupportContacts) {
    throw new ValidationError(field, `must have at most ${maxSupportContacts} contacts`);
  }
  const failed: ValidationError[] = [];
  const contacts = list.map((input, index) => {
    const contactField = `${field}[${index}]`;
    const contact: SupportContact = {};
    for (const key of Object.keys(normalisers) as (keyof SupportContact)[]) {
      const value = input[key];
      if (value === undefined || value === null || value.trim() === '') continue;
      // Every contact's every field is checked: one answer names all that are invalid.
      try {
        contact[key] = normalisers[key](`${contactField}.${key}`, value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        failed.push(error);
      }
    }
    if (!reachableBy.some((key) => input[key] != null && input[key].trim() !== '')) {
      failed.push(new ValidationError(contactField, `must have at least one of ${reachableBy.join(', ')}`));
    }
    return contact;
  });
  if (failed.length > 0) throw ValidationError.of(failed);
  return contacts;
}
