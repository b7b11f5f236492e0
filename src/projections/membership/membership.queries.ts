import type { ReadStore } from '../store/read-store.js';
import { MEMBERSHIPS, type MembershipDoc } from './membership.projection.js';

export class MembershipQueries {
  constructor(private readonly store: ReadStore) {}

  /** The publishers with an account whose object id has this blind index, as far as the read model has got. */
  async publisherIds(objectIdIndex: string): Promise<string[]> {
    const page = await this.store.find<MembershipDoc>(MEMBERSHIPS, { filter: { objectIdIndex }, first: 100 });
    return [...new Set(page.items.map((doc) => doc.publisherId))];
  }
}
