import { noContact, type PublisherEvent } from '../src/events/publisher/publisher.events.js';

/** The registration of bench publisher number `p`, with its contact person's personal values. */
export function registration(publisherId: string, p: number, at: string): PublisherEvent {
  return {
    type: 'PublisherRegistered',
    data: {
      publisherId,
      companyName: `Company ${p}`,
      registrationCode: '91350100M000100Y43',
      contactPreferences: noContact,
      contact: { name: `Person ${p}`, telephone: '+8613800138000', email: `p${p}@example.cn` },
      registeredAt: at,
    },
  };
}

/** The `i`-th contact change of publisher `p`, rotating over the three personal fields. */
export function contactChange(publisherId: string, p: number, i: number, at: string): PublisherEvent {
  const contact = [{ email: `p${p}.${i}@example.cn` }, { name: `Person ${p}.${i}` }, { telephone: '+8613900139000' }][
    i % 3
  ]!;
  return { type: 'ContactUpdated', data: { publisherId, contact, updatedAt: at } };
}
