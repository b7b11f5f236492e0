import type { ReadStore } from '../store/read-store.js';
import { MEMBERSHIPS, type MembershipDoc } from './membership.projection.js';

export class MembershipQueries {
  constructor(private readonly store: ReadStore) {}

  /** The publishers where the person with this member index has an account listed now, as far as the read model has got. */
  async publisherIds(objectIdIndex: string): Promise<string[]> {
    const docs = await this.accounts(objectIdIndex);
    return [...new Set(docs.filter((doc) => doc.listed !== false).map((doc) => doc.publisherId))];
  }

  /** The person's accounts that are not erased, removed ones included (they still name their person in the audit trail). */
  async accountIds(objectIdIndex: string): Promise<string[]> {
    return (await this.accounts(objectIdIndex)).map((doc) => doc.accountId);
  }

  private async accounts(objectIdIndex: string): Promise<MembershipDoc[]> {
    return (await this.store.find<MembershipDoc>(MEMBERSHIPS, { filter: { objectIdIndex }, first: 100 })).items;
  }
}
