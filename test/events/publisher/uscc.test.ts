import { describe, expect, it } from 'vitest';
import { requireUscc, usccCheckCharacter } from '../../../src/events/publisher/uscc.js';

// Codes with a correct check character, computed by hand from GB 32100-2015's
// weights (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, modulo 31).
const VALID = ['91350100M000100Y43', '91110000600037341L'];

describe('Unified Social Credit Code', () => {
  it.each(VALID)('%s is accepted', (code) => {
    expect(requireUscc('registrationCode', code)).toBe(code);
  });

  it('spaces, dashes and lower case are normalised away', () => {
    expect(requireUscc('registrationCode', ' 9135-0100-m000 100y43 ')).toBe('91350100M000100Y43');
  });

  it('a wrong check character is refused with the reason', () => {
    expect(() => requireUscc('registrationCode', '91350100M000100Y44')).toThrow(
      'registrationCode: has a wrong check character (position 18)',
    );
  });

  it('every single-character change to a valid code is caught', () => {
    const code = VALID[0]!;
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let i = 0; i < 18; i++) {
      for (const c of alphabet) {
        if (c === code[i]) continue;
        const altered = code.slice(0, i) + c + code.slice(i + 1);
        expect(() => requireUscc('registrationCode', altered), altered).toThrow();
      }
    }
  });

  it('the wrong length is refused', () => {
    expect(() => requireUscc('registrationCode', '91350100M000100Y4')).toThrow('must be 18 characters');
  });

  it('letters outside the alphabet, or letters in the division code, are refused', () => {
    expect(() => requireUscc('registrationCode', '91350100M000100I43')).toThrow(
      'capital letters other than I, O, S, V and Z',
    );
    expect(() => requireUscc('registrationCode', '9135A100M000100Y43')).toThrow('digits in positions 3 to 8');
  });

  it('the check character is computed modulo 31 over the first 17 characters', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
  });
});
