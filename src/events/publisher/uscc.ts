import { ValidationError } from '../../errors.js';

/**
 * The Unified Social Credit Code (统一社会信用代码, GB 32100-2015): the 18
 * characters that identify a legal entity registered in China.
 *
 *   1     registration authority     2  entity category
 *   3-8   administrative division (6 digits)
 *   9-17  organisation code (GB 11714, itself ending in a check character)
 *   18    check character over 1-17, modulo 31
 *
 * The alphabet is digits and upper-case letters without I, O, S, V and Z.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

/** The check character that the first 17 characters call for. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * Normalises (trims, removes spaces and dashes, upper-cases) and validates a
 * code; throws a ValidationError that says which rule failed.
 */
export function requireUscc(field: string, value: string): string {
  const code = value.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== 18) throw new ValidationError(field, 'must be 18 characters');
  if (!SHAPE.test(code)) {
    throw new ValidationError(
      field,
      'must use digits and capital letters other than I, O, S, V and Z, with digits in positions 3 to 8',
    );
  }
  if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) {
    throw new ValidationError(field, 'has a wrong check character (position 18)');
  }
  return code;
}
