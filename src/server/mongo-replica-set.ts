import type { Document } from 'mongodb';

/**
 * What keeps a MongoDB deployment from serving the read side, from its
 * `hello` answer: projections commit in transactions, which only a replica
 * set member (or a mongos in front of replica-set shards) runs. A
 * standalone mongod would accept the start and then fail every batch.
 */
export function replicaSetProblem(hello: Document): string | undefined {
  if (hello['msg'] === 'isdbgrid') return undefined;
  if (typeof hello['setName'] !== 'string') {
    return 'is a standalone mongod, not a replica set: projections commit in transactions, which only a replica set runs (a one-member replica set will do: mongod --replSet rs0, then rs.initiate())';
  }
  return undefined;
}
