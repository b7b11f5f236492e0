import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import {
  requireOfferKind,
  requireQq,
  requireSupportContacts,
  requireWechat,
  requireWeibo,
} from '../../../src/events/offer/offer.validation.js';

describe('offer input validation', () => {
  it('a QQ number is 5 to 11 digits without a leading zero', () => {
    expect(requireQq('qq', '12345')).toBe('12345');
    expect(requireQq('qq', ' 12345678901 ')).toBe('12345678901');
    for (const bad of ['01234', '1234', '123456789012', '12a45']) {
      expect(() => requireQq('qq', bad), bad).toThrow(ValidationError);
    }
  });

  it('a WeChat id is 6 to 20 characters, a letter first, then letters, digits, _ or -', () => {
    expect(requireWechat('wechat', 'li_lei-88')).toBe('li_lei-88');
    expect(requireWechat('wechat', 'a'.repeat(20))).toBe('a'.repeat(20));
    for (const bad of ['8lilei', 'abc', 'a'.repeat(21), 'li lei88', 'li.lei88']) {
      expect(() => requireWechat('wechat', bad), bad).toThrow(ValidationError);
    }
  });

  it('a Weibo name is trimmed, 1 to 50 characters', () => {
    expect(requireWeibo('weibo', '  李雷 ')).toBe('李雷');
    expect(() => requireWeibo('weibo', '  ')).toThrow('weibo: must not be empty');
    expect(() => requireWeibo('weibo', 'x'.repeat(51))).toThrow('at most 50 characters');
  });

  it('the offer kind is one of the three kinds', () => {
    expect(requireOfferKind('kind', 'SOLUTION_TEMPLATE')).toBe('SOLUTION_TEMPLATE');
    expect(() => requireOfferKind('kind', 'SAAS')).toThrow(
      'kind: must be one of VIRTUAL_MACHINE, SOLUTION_TEMPLATE, CUSTOMIZED_SERVICE',
    );
  });

  it('contacts are normalised, with the telephone in E.164 and absent or empty fields left out', () => {
    expect(
      requireSupportContacts('supportContacts', [
        { name: '  Li   Lei ', telephone: '138 0013 8000', email: ' Li.Lei@Example.CN', qq: '', wechat: null },
        { weibo: 'lilei' },
      ]),
    ).toEqual([{ name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@example.cn' }, { weibo: 'lilei' }]);
  });

  it('an empty list is allowed', () => {
    expect(requireSupportContacts('supportContacts', [])).toEqual([]);
  });

  it('a contact with only a name is refused, naming the contact', () => {
    const attempt = () => requireSupportContacts('supportContacts', [{ name: 'Li Lei', email: '', telephone: '  ' }]);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow('supportContacts[0]: must have at least one of telephone, email, qq, wechat, weibo');
  });

  it('an unreachable contact further down the list is named by its index', () => {
    expect(() => requireSupportContacts('supportContacts', [{ qq: '12345' }, { email: 'a@b.cn' }, {}])).toThrow(
      'supportContacts[2]: must have at least one of',
    );
  });

  it('an invalid field names the contact and the field without echoing the value', () => {
    const attempt = () => requireSupportContacts('supportContacts', [{ email: 'a@b.cn' }, { qq: '01234' }]);
    expect(attempt).toThrow('supportContacts[1].qq: must be 5 to 11 digits without a leading zero');
    expect(attempt).not.toThrow(/01234/);
    expect(() => requireSupportContacts('supportContacts', [{ telephone: '12' }])).toThrow(
      'supportContacts[0].telephone: must be a valid telephone number',
    );
    expect(() => requireSupportContacts('supportContacts', [{ name: 'x'.repeat(101), qq: '12345' }])).toThrow(
      'supportContacts[0].name: must be at most 100 characters',
    );
  });

  it('at most 20 contacts', () => {
    const contact = { qq: '12345' };
    expect(requireSupportContacts('supportContacts', Array(20).fill(contact))).toHaveLength(20);
    expect(() => requireSupportContacts('supportContacts', Array(21).fill(contact))).toThrow(
      'supportContacts: must have at most 20 contacts',
    );
  });
});
