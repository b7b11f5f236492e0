import { familyStreamPrefixes } from './ledger-events.js';

/**
 * The prefixes of every stream the ledger writes, taken from the stream
 * name functions themselves. On KurrentDB the ledger's log is `$all`
 * filtered on these on the server: a stream kind missing here would be
 * written but never projected. Each stream family of src/events/ledger-events.ts
 * is one (test/events/ledger-streams.test.ts checks what the services write).
 */
export const LEDGER_STREAM_PREFIXES: readonly string[] = familyStreamPrefixes;
