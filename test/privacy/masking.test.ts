import { describe, expect, it } from 'vitest';
import { declaredField, declaredFields } from '../../src/privacy/classification.js';
import { Masker } from '../../src/privacy/masking.js';

const masker = new Masker(Buffer.alloc(32, 7));
const contact = (what: string) => declaredField(`contact person ${what}`);

describe('masking personal values for analysts', () => {
  it('an email shows its domain only', () => {
    expect(masker.mask(contact('email'), 'li.lei@contoso.cn')).toBe('*@contoso.cn');
    expect(masker.mask(declaredField('AAD account user principal name'), 'lilei@contoso.partner.onmschina.cn')).toBe(
      '*@contoso.partner.onmschina.cn',
    );
  });

  it('a telephone shows its country calling code only', () => {
    expect(masker.mask(contact('telephone'), '+8613800138000')).toBe('+86');
    expect(masker.mask(declaredField('customer-service telephone'), '+14155552671')).toBe('+1');
  });

  it('names and ids become pseudonyms: stable, keyed, and different per field', () => {
    const name = masker.mask(contact('name'), 'Li Lei');
    expect(name).toMatch(/^psn_[A-Za-z0-9_-]{16}$/);
    expect(name).not.toContain('Li');
    expect(masker.mask(contact('name'), 'Li Lei')).toBe(name);
    expect(masker.mask(contact('name'), 'Han Meimei')).not.toBe(name);
    expect(masker.mask(declaredField('customer-service name'), 'Li Lei')).not.toBe(name);
    expect(new Masker(Buffer.alloc(32, 8)).mask(contact('name'), 'Li Lei')).not.toBe(name);
  });

  it('an absent or erased value stays null, and a malformed one is not shown', () => {
    for (const field of declaredFields) expect(masker.mask(field, null)).toBeNull();
    expect(masker.mask(contact('email'), 'not-an-email')).toBeNull();
    expect(masker.mask(contact('telephone'), '12')).toBeNull();
  });

  it('every declared field masks to something that does not contain its value', () => {
    const samples: Record<string, string> = {
      'email-domain': 'someone.private@example.org',
      'telephone-country': '+8613912345678',
      pseudonym: 'zhang_private_9',
    };
    for (const field of declaredFields) {
      const masked = masker.mask(field, samples[field.mask]!);
      expect(masked, field.label).not.toBeNull();
      expect(masked, field.label).not.toContain('private');
      expect(masked, field.label).not.toContain('12345678');
    }
  });
});
