import { expect } from 'vitest';
import {
  aPublisher,
  aRegistrationCode,
  openAccessGrant,
  REGISTER,
  UPDATE,
  type GqlResponse,
  type TestServer,
  type TestPrincipal,
} from './harness.js';

/**
 * A full scenario over HTTP with distinctive personal values: every mutation
 * with valid input, and with invalid personal input. The declaration test
 * and the log test search what the server returned and logged for these
 * values and their parts.
 */
export const people = {
  contact: { name: 'Qiaoyun Zhenxi', telephone: '139 8765 4321', email: ' Zhenxi.Qiaoyun@Hushmail-Contoso.cn ' },
  contactLater: { name: 'Wumeng Lanxi', telephone: '+86 135 2468 1357', email: 'lanxi.wumeng@lanxi-mail.cn' },
  otherContact: { name: 'Fenghua Dongli', telephone: '137 1122 3344', email: 'dongli.fenghua@fenghua-corp.cn' },
  aad: {
    objectId: '7f3c9e2a-51d4-4b8e-9c6f-2a1b3c4d5e6f',
    userPrincipalName: 'yunfei.baoshan@contosotenant.partner.onmschina.cn',
    displayName: 'Baoshan Yunfei',
  },
  aadRemoved: {
    objectId: 'c0ffee00-1234-4abc-8def-0123456789ab',
    userPrincipalName: 'mingxia.tao@contosotenant.partner.onmschina.cn',
    displayName: 'Tao Mingxia',
  },
  support: {
    name: 'Xuelian Hongmei',
    telephone: '400 612 3459',
    email: 'hongmei.support@hongmei-help.cn',
    qq: '73958241',
    wechat: 'hongmei_wx88',
    weibo: 'hongmei_weibo_cs',
  },
  supportDeleted: { name: 'Jinhai Ruolan', wechat: 'ruolan_wechat77', qq: '52963187' },
  /** a complainant in person, to whom the contact's details were disclosed */
  recipient: { name: 'Lanfang Shuiyue' },
} as const;

/** The personal values as the API shows them (normalised: E.164, lower-cased emails). */
export function shownValues(): string[] {
  const all = Object.values(people).flatMap((person) => Object.values(person) as string[]);
  return [...new Set(all.map((value) => value.trim()).concat(all.map(normalise)))];
}

/** Parts that must not leak either: email local parts, telephone digits, each word of a name (five letters or more, so that no common word matches by chance). */
export function valueParts(): string[] {
  const parts = new Set<string>();
  for (const value of shownValues()) {
    if (value.includes('@')) parts.add(value.slice(0, value.indexOf('@')).toLowerCase());
    const digits = value.replace(/\D/g, '');
    if (/^[+\d\s]+$/.test(value) && digits.length >= 8) parts.add(digits.slice(-8));
    if (/^[A-Z][a-z]+ [A-Z][a-z]+$/.test(value))
      value
        .split(' ')
        .filter((word) => word.length >= 5)
        .forEach((word) => parts.add(word));
  }
  return [...parts];
}

function normalise(value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  if (/^[+\d\s]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 10) {
    const digits = trimmed.replace(/\D/g, '');
    return trimmed.startsWith('+') ? `+${digits}` : `+86${digits}`;
  }
  return trimmed;
}

const PAYLOAD = 'version position publisher { id }';
const OFFER_PAYLOAD = 'version position offer { id }';
const m = (name: string, input: string, payload = PAYLOAD) =>
  `mutation ($input: ${input}!) { ${name}(input: $input) { ${payload} } }`;

export interface ScenarioResult {
  publisherId: string;
  rejectedPublisherId: string;
  offerId: string;
  deletedOfferId: string;
  /** every response, in order: the error test searches them all */
  responses: GqlResponse<Record<string, any>>[];
  /** the last log position a mutation reached */
  position: string;
}

export async function runScenario(server: TestServer): Promise<ScenarioResult> {
  const responses: GqlResponse<Record<string, any>>[] = [];
  let position = '0';
  const send = async (query: string, variables: Record<string, unknown> = {}, as?: TestPrincipal) => {
    const res = await server.gql(query, variables, as);
    responses.push(res);
    const data = res.data && Object.values(res.data)[0];
    if (data && typeof data === 'object' && typeof data.position === 'string') position = data.position;
    return res;
  };
  const ok = async (query: string, variables: Record<string, unknown>, as?: TestPrincipal) => {
    const res = await send(query, variables, as);
    expect(res.errors, query).toBeUndefined();
    return Object.values(res.data!)[0] as Record<string, any>;
  };
  const refused = async (query: string, variables: Record<string, unknown> = {}, as?: TestPrincipal) => {
    const res = await send(query, variables, as);
    expect(res.errors?.length, query).toBeGreaterThan(0);
  };

  const register = (contact: object) => ({
    companyName: 'Contoso Yunhai',
    registrationCode: aRegistrationCode(),
    contact,
  });
  const publisherId = (await ok(m('registerPublisher', 'RegisterPublisherInput'), { input: register(people.contact) }))
    .publisher.id as string;
  const rejectedPublisherId = (
    await ok(m('registerPublisher', 'RegisterPublisherInput'), { input: register(people.otherContact) })
  ).publisher.id as string;
  let version = 1;
  const next = async (name: string, input: string, fields: Record<string, unknown>, as?: TestPrincipal) => {
    version = (await ok(m(name, input), { input: { id: publisherId, expectedVersion: version, ...fields } }, as))
      .version;
  };
  const operator: TestPrincipal = { role: 'operator' };
  await next('updatePublisherContact', 'UpdatePublisherContactInput', { contact: people.contactLater });
  await next('updateContactPreferences', 'UpdateContactPreferencesInput', {
    contactPreferences: { aboutOffers: true, byEmail: true },
  });
  await next('addAadUser', 'AddAadUserInput', people.aad);
  await next('addAadUser', 'AddAadUserInput', people.aadRemoved);
  await next('removeAadUser', 'RemoveAadUserInput', { objectId: people.aadRemoved.objectId });
  await next('approvePublisher', 'ReviewPublisherInput', {}, operator);
  await ok(
    m('rejectPublisher', 'ReviewPublisherInput'),
    { input: { id: rejectedPublisherId, expectedVersion: 1, reason: 'registration code does not match' } },
    operator,
  );
  // the operator reads personal values only under grants: an ordinary one, and an emergency access
  await openAccessGrant(server, operator, publisherId);
  await openAccessGrant(server, operator, rejectedPublisherId, {
    emergency: true,
    endsAt: new Date(Date.now() + 30 * 60_000).toISOString(),
  });

  const offer = async (name: string, support: object) => {
    const { offer: created } = await ok(m('createOffer', 'CreateOfferInput', OFFER_PAYLOAD), {
      input: { publisherId, name, kind: 'SOLUTION_TEMPLATE' },
    });
    await ok(m('updateOfferCustomerService', 'UpdateOfferCustomerServiceInput', OFFER_PAYLOAD), {
      input: { id: created.id, expectedVersion: 1, supportContacts: [support] },
    });
    return created.id as string;
  };
  const offerId = await offer('Contoso Data Box', people.support);
  await ok(m('publishOffer', 'OfferChangeInput', OFFER_PAYLOAD), { input: { id: offerId, expectedVersion: 2 } });
  const deletedOfferId = await offer('Contoso Old Box', people.supportDeleted);
  await ok(m('deleteOffer', 'OfferChangeInput', 'version position'), {
    input: { id: deletedOfferId, expectedVersion: 2 },
  });

  const records = await send(
    `query ($id: ID!, $p: String) { privacyRequests(publisherId: $id, minPosition: $p, first: 5) { edges { node { id } } } }`,
    { id: publisherId, p: position },
  );
  const recordId = records.data!['privacyRequests'].edges[0].node.id as string;
  await ok(`mutation ($id: ID!) { deletePrivacyRequestRecord(id: $id) { id position } }`, { id: recordId });

  const disclose = 'mutation ($input: RecordDisclosureInput!) { recordDisclosure(input: $input) { id position } }';
  const disclosure = {
    publisherId,
    recipientName: people.recipient.name,
    recipientCountry: 'CN',
    fields: ['contact person email'],
    legalBasis: 'THIRD_PARTY_COMPLAINT',
    notice: { notified: true },
  };
  await ok(disclose, { input: disclosure }, operator);
  await refused(disclose, { input: { ...disclosure, fields: [people.contact.email] } }, operator);

  // Invalid personal input: each refused, none of it may come back or be logged.
  const bad = { ...people.contact, email: 'zhenxi.qiaoyun@@hushmail-contoso' };
  await refused(m('registerPublisher', 'RegisterPublisherInput'), { input: register(bad) });
  await refused(m('registerPublisher', 'RegisterPublisherInput'), {
    input: register({ ...people.contact, telephone: '139-8765-4321-99999' }),
  });
  await refused(m('registerPublisher', 'RegisterPublisherInput'), {
    input: { ...register(people.contact), registrationCode: 'Qiaoyun Zhenxi' },
  });
  await refused(m('updatePublisherContact', 'UpdatePublisherContactInput'), {
    input: { id: publisherId, expectedVersion: 1, contact: people.contact },
  });
  await refused(m('addAadUser', 'AddAadUserInput'), {
    input: { id: publisherId, expectedVersion: version, ...people.aad },
  });
  await refused(m('addAadUser', 'AddAadUserInput'), {
    input: { id: publisherId, expectedVersion: version, ...people.aadRemoved, objectId: 'Tao Mingxia' },
  });
  await refused(m('removeAadUser', 'RemoveAadUserInput'), {
    input: { id: publisherId, expectedVersion: version, objectId: people.aadRemoved.objectId },
  });
  await refused(m('updateOfferCustomerService', 'UpdateOfferCustomerServiceInput', OFFER_PAYLOAD), {
    input: { id: offerId, expectedVersion: 3, supportContacts: [{ ...people.support, qq: '073958241' }] },
  });
  await refused(m('updateOfferCustomerService', 'UpdateOfferCustomerServiceInput', OFFER_PAYLOAD), {
    input: { id: offerId, expectedVersion: 3, supportContacts: [{ ...people.support, wechat: '9hongmei_wx88' }] },
  });
  await refused(m('updateOfferCustomerService', 'UpdateOfferCustomerServiceInput', OFFER_PAYLOAD), {
    input: { id: deletedOfferId, expectedVersion: 3, supportContacts: [people.support] },
  });
  const keyed = { ...register(people.otherContact), idempotencyKey: 'scenario-key-1' };
  await ok(m('registerPublisher', 'RegisterPublisherInput'), { input: keyed });
  await refused(m('registerPublisher', 'RegisterPublisherInput'), {
    input: { ...keyed, contact: people.contactLater },
  });
  // Errors graphql-js raises before any resolver: wrong types, unknown fields, bad syntax.
  await refused(m('updatePublisherContact', 'UpdatePublisherContactInput'), {
    input: { id: publisherId, expectedVersion: people.contact.email, contact: people.contact },
  });
  await refused(m('registerPublisher', 'RegisterPublisherInput'), {
    input: { ...register(people.contact), contact: { ...people.contact, nickname: people.contactLater.name } },
  });
  await refused(m('registerPublisher', 'RegisterPublisherInput'), {
    input: { ...register(people.contact), contact: { name: people.contact.name, email: people.contact.email } },
  });
  await refused(
    `mutation { registerPublisher(input: { companyName: "C", registrationCode: "91350100M000100Y43", contact: { name: 42, telephone: "${people.contact.telephone}", email: "${people.contact.email}" } }) { version } }`,
  );
  await refused(`mutation { registerPublisher(input: { contact: { name: "${people.contact.name}`);
  await refused(`query { publisher(id: "${people.contact.email}") { id } }`);
  await refused(`query { offer(id: "${people.support.wechat}") { id } }`);
  return { publisherId, rejectedPublisherId, offerId, deletedOfferId, responses, position };
}

/** Registers a publisher and edits its contact (one privacy request record); waits until the records show it. */
export async function recordAnEdit(server: TestServer): Promise<{ id: string; position: string }> {
  const registered = await server.gql(REGISTER, { input: aPublisher() });
  const id = registered.data!['registerPublisher'].publisher.id as string;
  const edit = await server.gql(UPDATE, { input: { id, expectedVersion: 1, contact: { name: 'Han Meimei' } } });
  const position = edit.data!['updatePublisherContact'].position as string;
  await server.ledger.runner.waitFor(Number(position), 5_000);
  return { id, position };
}
