import v8 from 'node:v8';

/** How often a server still catching up looks again. */
const LOOK_MS = 100;

/**
 * Turns V8's allocation-site pretenuring off for the whole process once
 * every projection of the server has caught up with the log.
 *
 * Serving requests, pretenuring does harm: V8 learned to allocate some of a
 * durable mutation's objects straight into the old generation, where, dead,
 * they kept the young objects they pointed to alive through every scavenge
 * until a mark-compact: 4.6 KB promoted per mutation on the request thread
 * (bare Apollo 0.6), 0.9 KB without it, and V8's helper threads spent a
 * third less time per mutation (docs/performance.md, "GC per durable
 * mutation"). A catch-up, which builds what it keeps, needs it: without
 * it from the start, a first start on a 200k-event log was ready 1–3 s
 * later and caught up up to 6 s later (three alternating runs each). V8 reads the flag as it collects
 * feedback, so turning it off later takes effect at once; a site it
 * pretenured meanwhile (requests served while the last projections caught
 * up) stays pretenured. Returns a cancel, for a server closed before then.
 */
export function stopPretenuringOnceCaughtUp(host: { readonly live: boolean }): () => void {
  const look = setInterval(() => {
    if (!host.live) return;
    clearInterval(look);
    v8.setFlagsFromString('--no-allocation-site-pretenuring');
  }, LOOK_MS);
  look.unref();
  return () => clearInterval(look);
}
