import fs from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import type { Logger } from 'pino';
import { statusOf } from '../error-codes.js';

/** SQLite's and the file system's ways of saying a write cannot be made durable (disk full, quota, I/O error, read-only). */
const STORAGE_CODES = /^(SQLITE_FULL|SQLITE_IOERR\w*|SQLITE_READONLY\w*|SQLITE_CANTOPEN|ENOSPC|EDQUOT|EIO|EROFS)$/;

/** Whether an error, or one it wraps (`cause`, `originalError`), is the storage refusing a write. */
export function isStorageError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, cause, originalError } = error as { code?: unknown; cause?: unknown; originalError?: unknown };
  if (typeof code === 'string' && STORAGE_CODES.test(code)) return true;
  return isStorageError(cause, depth + 1) || isStorageError(originalError, depth + 1);
}

/** Seconds a client is told to wait before retrying a write refused as UNAVAILABLE. */
export const RETRY_AFTER_SECONDS = 5;

/** Bytes the probe writes: writes resume once at least this much can be made durable. */
const PROBE_BYTES = 256 * 1024;

/**
 * Whether writes can be made durable in the data directory. A storage error
 * marks them as not (so /readyz answers 503 and a balancer sends traffic
 * elsewhere); from then on a probe writes and fsyncs a file there every
 * `probeMs` until one succeeds, and writes are ready again by themselves.
 */
export class StorageHealth {
  private failing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly probeMs = 1_000,
  ) {}

  get writable(): boolean {
    return !this.failing;
  }

  /** A write failed for want of storage. */
  failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const code = (error as { code?: unknown } | null)?.code;
    this.logger.error(
      { code: typeof code === 'string' ? code : undefined },
      'storage cannot write: writes are refused (UNAVAILABLE) and /readyz is 503 until it can',
    );
    this.timer = setInterval(() => this.probe(), this.probeMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private probe(): void {
    const file = path.join(this.dataDir, '.storage-probe');
    try {
      const fd = fs.openSync(file, 'w');
      try {
        fs.writeSync(fd, Buffer.alloc(PROBE_BYTES));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return; // still cannot write
    } finally {
      fs.rmSync(file, { force: true });
    }
    this.failing = false;
    clearInterval(this.timer);
    this.logger.info('storage can write again: writes are accepted');
  }
}

/** Answers a request that met a storage error with HTTP 503 and Retry-After (its error reads UNAVAILABLE: src/server/format-error.ts). */
export function storageUnavailablePlugin(health: StorageHealth): ApolloServerPlugin {
  // One listener for every request: nothing is made per request.
  const listener: GraphQLRequestListener<BaseContext> = {
    async didEncounterErrors({ errors, response }) {
      const storage = errors.find((error) => isStorageError(error));
      if (!storage) return;
      health.failed(storage.originalError ?? storage);
      response.http.status = statusOf('UNAVAILABLE');
      response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
    },
  };
  return { requestDidStart: async () => listener };
}
