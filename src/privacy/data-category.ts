/**
 * The data categories of src/privacy/classification.ts, on their own: event
 * types (access grants name the categories they cover) need the name
 * without the declaration, which itself reads the event types.
 *
 * Categories follow the marketplace's privacy statement: administrator data
 * (the publisher's contact person and accounts) and customer data; and
 * third-party data (people outside the publisher its records name).
 */
export const DATA_CATEGORIES = ['administrator', 'customer', 'third-party'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];
