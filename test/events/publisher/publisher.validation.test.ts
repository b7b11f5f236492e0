import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import {
  requireEmail,
  requireId,
  requireTelephone,
  requireText,
} from '../../../src/events/publisher/publisher.validation.js';

describe('publisher input validation', () => {
  it('telephone numbers are stored in E.164, with +86 assumed without a country code', () => {
    expect(requireTelephone('contact.telephone', '138 0013 8000')).toBe('+8613800138000');
    expect(requireTelephone('contact.telephone', '+44 20 7946 0958')).toBe('+442079460958');
  });

  it('an invalid telephone number is refused naming the field and not echoing the value', () => {
    const attempt = () => requireTelephone('contact.telephone', '12');
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow('contact.telephone: must be a valid telephone number');
  });

  it('emails are trimmed and lower-cased; malformed ones are refused', () => {
    expect(requireEmail('contact.email', '  Li.Lei@Example.CN ')).toBe('li.lei@example.cn');
    for (const bad of ['li.lei', 'li lei@example.cn', '@example.cn', 'li@example', 'a@b@c.cn']) {
      expect(() => requireEmail('contact.email', bad), bad).toThrow('contact.email: must be an email address');
    }
  });

  it('text is trimmed and collapsed; empty and over-long text is refused', () => {
    expect(requireText('companyName', '  Contoso   China ', 200)).toBe('Contoso China');
    expect(() => requireText('companyName', '   ', 200)).toThrow('companyName: must not be empty');
    expect(() => requireText('contact.name', 'x'.repeat(101), 100)).toThrow('at most 100 characters');
  });

  it('ids must be UUIDs', () => {
    expect(requireId('id', '0190F5A2-7B3C-7D4E-8F60-123456789ABC')).toBe('0190f5a2-7b3c-7d4e-8f60-123456789abc');
    expect(() => requireId('id', 'publisher-1')).toThrow('id: must be a UUID');
  });
});
