import type { EventCodec } from '../store/event-codec.js';
import type { EventStore } from '../store/event-store.js';
import { disclosureStream, visibleFrom, type DisclosureEvent, type DisclosureRecorded } from './disclosure.events.js';

/** A disclosure as the log holds it, its recipient's name opened (ERASED once the account closed). */
export type LoggedDisclosure = DisclosureRecorded<unknown>['data'];

/**
 * The disclosures of a publisher that its people may be told of at `now`,
 * read from the log (the authority) for the data-subject export: one whose
 * notice is withheld stays out until its `until` has passed, whoever asks
 * for the export, since the export is handed to the publisher.
 */
export async function disclosuresToTell(
  events: EventStore,
  codec: EventCodec,
  publisherId: string,
  now: string,
): Promise<LoggedDisclosure[]> {
  const decoded = await codec.decode<DisclosureEvent<unknown>>(await events.readStream(disclosureStream(publisherId)));
  return decoded.flatMap((event) =>
    event.type === 'DisclosureRecorded' && visibleFrom(event.data.notice, event.data.recordedAt) <= now
      ? [event.data]
      : [],
  );
}
