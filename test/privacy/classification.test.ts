import { describe, expect, it } from 'vitest';
import { concretePaths } from '../../src/privacy/classification.js';

describe('personal field paths', () => {
  it('expand * over every element of an array, and only where values could be', () => {
    const data = { supportContacts: [{ qq: '12345' }, { email: 'a@b.cn' }], contact: { email: 'x' } };
    expect(concretePaths(data, 'supportContacts.*.qq')).toEqual(['supportContacts.0.qq', 'supportContacts.1.qq']);
    expect(concretePaths(data, 'contact.email')).toEqual(['contact.email']);
    expect(concretePaths({ supportContacts: [] }, 'supportContacts.*.qq')).toEqual([]);
    expect(concretePaths({}, 'supportContacts.*.qq')).toEqual([]);
  });
});
