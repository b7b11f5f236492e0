/**
 * The key store port: one 256-bit data key per data subject, kept wrapped
 * by a master key. Destroying a subject's key is what erasure means: every
 * value encrypted under it, anywhere in the log, becomes unreadable.
 * Adapters: SQLite (embedded, its own file), MongoDB (distributed).
 */
export interface KeyStore {
  /** The subject's data key, created on first use. */
  getOrCreate(subjectId: string): Promise<Buffer>;
  /** Keys for the subjects that still have one; destroyed or unknown ones are absent. */
  getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** true if a key existed and is now gone for good. */
  destroy(subjectId: string): Promise<boolean>;
  /** Destroys several keys at once (one commit, one sync): the subjects whose key existed and is now gone. */
  destroyMany(subjectIds: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}
