import type { KeyStore } from '../privacy/keys/key-store.js';
import type { LeaseStore } from '../projections/store/lease.js';
import type { ReadStore } from '../projections/store/read-store.js';

/** The stores beside the log: read models, data keys and projection leases (./read-store-factory.ts opens them). */
export interface ReadSide {
  reads: ReadStore;
  keys: KeyStore;
  /** in the read models' store: a fenced write checks them in its own transaction */
  leases: LeaseStore;
  /** which backend, for logs and status (never the connection string) */
  backend: 'sqlite' | 'mongodb';
  close(): Promise<void>;
}
