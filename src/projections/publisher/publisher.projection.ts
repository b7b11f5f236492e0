import { everyEventOf, type Handles } from '../../events/ledger-events.js';
import {
  evolvePublisher,
  initialPublisherState,
  type RegisteredPublisherState,
} from '../../events/publisher/publisher.events.js';
import type { PersonalValue } from '../../privacy/personal-value.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const PUBLISHERS = 'publishers';

/**
 * The publisher read model: the publisher aggregate's own state, folded by
 * its own evolve over the events as stored, so contact and account values
 * stay sealed (PublisherQueries opens them when read) and the read model
 * cannot drift from what the decider sees.
 */
export type PublisherDoc = ProjectedDoc &
  Omit<RegisteredPublisherState<PersonalValue>, 'status'> & {
    /** number of events in the publisher's stream (the version clients edit) */
    version: number;
  };

/** Every publisher event moves the version, so every one is folded. */
const handles = {
  publisher: everyEventOf.publisher,
} as const satisfies Handles;

export const publisherProjection = documentProjection<PublisherDoc, typeof handles>({
  name: 'publishers',
  // 2: the decider's own fold (its documents carry the erasure bookkeeping)
  shape: 2,
  // No secondary index yet: publishers are read by id only. Declare one with
  // the query that needs it (each index costs every upsert a JSON extraction).
  collection: { name: PUBLISHERS },
  handles,
  documentId: (event) => event.data.publisherId,
  evolve(doc, event) {
    const state = evolvePublisher<PersonalValue>(doc ? { ...doc, status: 'registered' } : initialPublisherState, event);
    // an event before the registration: nothing to show
    if (state.status !== 'registered') return doc;
    // the rest is a fresh object: given its version rather than copied once more for every event folded
    const { status: _, ...publisher } = state;
    return Object.assign(publisher, { version: event.revision + 1 });
  },
});
