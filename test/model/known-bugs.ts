/**
 * Bugs the model found that are being fixed on other branches (issues 18
 * and 19). Every invariant is checked by default; `MODEL_KNOWN_BUGS=off`
 * skips the checks these bugs fail, where the history could have hit them,
 * so the model can go on looking for others meanwhile. Remove an entry once
 * its fix is merged.
 */
export const KNOWN_BUGS = {
  analyticsIgnoresClosure: 'analytics counts a closed publisher as PENDING and its withdrawn offers as DRAFT/PUBLISHED',
  rotationEmptiesMe: 'after master-key rotation me.publishers is empty',
  recordedReadHasNoRole: 'PrivacyRequestRecorded events have actor role null',
  erasureRacesUpdate: 'an erasure racing an update can destroy an acknowledged write',
  /** found by this model: test/server/erasure-retry.e2e.test.ts */
  retriedErasureDestroysLaterWrite: 'a retried erasure (same idempotency key) destroys the key again, and with it values written since the first',
  closedExportHasAccess: 'exportPersonalData of a closed publisher shows hasAccess true',
  reeditedContactReadsErased: 'an erased contact edited again reads erased: true',
  repeatedErasureCountsOne: 'a repeated erasure answers erasedCount 1',
} as const;

export type KnownBug = keyof typeof KNOWN_BUGS;

/** `off`: skip them all; `only:<name>`: skip all but that one (to see its shrunk counterexample alone). */
const setting = process.env['MODEL_KNOWN_BUGS'] ?? 'on';
const skipped = (bug: KnownBug): boolean => setting === 'off' || (setting.startsWith('only:') && setting !== `only:${bug}`);

/** Whether to skip a check: only with MODEL_KNOWN_BUGS set, and only where the history could have hit the bug. */
export const skipKnownBug = (bug: KnownBug, applies: boolean): boolean => skipped(bug) && applies;
