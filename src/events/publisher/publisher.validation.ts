import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidationError } from '../../errors.js';

/**
 * Normalising validators shared by the publisher's commands. Each throws a
 * ValidationError naming the field and the rule; none echoes the value.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Deliberately simple: one @, no spaces, a dot in the domain, sane lengths.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

export function requireId(field: string, value: string): string {
  const id = value.trim().toLowerCase();
  if (!UUID.test(id)) throw new ValidationError(field, 'must be a UUID');
  return id;
}

export function requireText(field: string, value: string, maxLength: number): string {
  const text = value.trim().replace(/\s+/g, ' ');
  if (text.length === 0) throw new ValidationError(field, 'must not be empty');
  if (text.length > maxLength) {
    throw new ValidationError(field, `must be at most ${maxLength} characters`);
  }
  return text;
}

export function requireEmail(field: string, value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) {
    throw new ValidationError(field, 'must be an email address');
  }
  return email;
}

/** Parsed with libphonenumber-js, China (+86) assumed without a country code; stored as E.164. */
export function requireTelephone(field: string, value: string): string {
  const parsed = parsePhoneNumberFromString(value.trim(), 'CN');
  if (!parsed || !parsed.isValid()) {
    throw new ValidationError(field, 'must be a valid telephone number');
  }
  return parsed.number;
}
