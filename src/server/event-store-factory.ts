import path from 'node:path';
import type { Logger } from 'pino';
import type { EventStore } from '../events/store/event-store.js';
import { KurrentDbEventStore } from '../events/store/kurrentdb/kurrentdb-event-store.js';
import { LEDGER_STREAM_PREFIXES } from '../events/ledger-streams.js';
import {
  EMBEDDED_LOG_FILE,
  SqliteEventStore,
  type SqliteEventStoreOptions,
} from '../events/store/sqlite/sqlite-event-store.js';
import { ConfigError, type Config } from './config.js';
import { whereOf } from './settings.js';

/**
 * The log the configuration asks for: the KurrentDB cluster that
 * `--kurrentdb-url` names, or else the SQLite file in the data directory
 * (opened with `embedded`).
 * Connecting to KurrentDB is lazy: a cluster that is down shows as failing
 * appends and reconnecting subscriptions, not as a failed start.
 */
export function openEventStore(
  config: Pick<Config, 'dataDir' | 'kurrentdbUrl'>,
  logger?: Logger,
  embedded: SqliteEventStoreOptions = {},
): EventStore {
  if (!config.kurrentdbUrl) return SqliteEventStore.open(path.join(config.dataDir, EMBEDDED_LOG_FILE), embedded);
  // Client errors name gRPC statuses and hosts, never event data.
  const onReconnect = (attempt: number, delayMs: number, error: Error) =>
    logger?.warn(
      { attempt, delayMs, error: `${error.name}: ${error.message}` },
      'KurrentDB subscription lost; resubscribing',
    );
  try {
    return KurrentDbEventStore.open(config.kurrentdbUrl, {
      streamPrefixes: LEDGER_STREAM_PREFIXES,
      reconnect: { onReconnect },
    });
  } catch (error) {
    throw new ConfigError(
      `${whereOf('kurrentdbUrl')}: ${error instanceof Error ? error.message.replace(/\.+$/, '') : 'not usable'}.`,
    );
  }
}
