import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { assertNever } from '../assert-never.js';
import type { PersonalField } from './personal-field.js';

/** The key store subject of the pseudonym key (wrapped by the master key like every data key). */
export const PSEUDONYM_KEY_SUBJECT = 'analytics/pseudonyms';

/**
 * Masks personal values for analysts, each as its declared field says
 * (PersonalField.mask):
 *
 * - `email-domain`: `*@contoso.cn`, the domain only;
 * - `telephone-country`: `+86`, the country calling code only;
 * - `pseudonym`: `psn_` and 16 characters of HMAC-SHA256 under a key of the
 *   key store: the same value of the same field always gives the same
 *   pseudonym (analysts can count and join), and nobody without the key can
 *   tell the value from it. The field's label is part of the input, so a
 *   name as a contact and as a support contact gives two pseudonyms.
 *
 * An absent or erased value (null) stays null: masking never brings an
 * erased value back, not even as a pseudonym.
 */
export class Masker {
  constructor(private readonly pseudonymKey: Buffer) {}

  mask(field: PersonalField, value: string | null): string | null {
    if (value === null) return null;
    switch (field.mask) {
      case 'email-domain': {
        const at = value.lastIndexOf('@');
        return at >= 0 && at < value.length - 1 ? `*@${value.slice(at + 1)}` : null;
      }
      case 'telephone-country': {
        const code = parsePhoneNumberFromString(value)?.countryCallingCode;
        return code ? `+${code}` : null;
      }
      case 'pseudonym':
        return `psn_${createHmac('sha256', this.pseudonymKey).update(`${field.label}\0${value}`).digest('base64url').slice(0, 16)}`;
      default:
        return assertNever(field.mask);
    }
  }
}
