import { ConfigError } from '../server/config.js';
import { DomainError, ValidationError } from '../errors.js';
import { RotationError } from '../privacy/keys/master-key-rotation.js';
import { UsageError } from './args.js';

/**
 * One sentence for whatever stopped a command: ours say what to do; the
 * system's errors at start-up (listen, resolve) name the port or host and
 * what to change; anything else is its message on one line, no stack.
 */
export function explain(error: unknown): string {
  if (error instanceof ValidationError) return `${error.field} ${error.rule}.`;
  if (
    error instanceof ConfigError ||
    error instanceof UsageError ||
    error instanceof DomainError ||
    error instanceof RotationError
  )
    return error.message;
  const { code, port, address, hostname, syscall } = (error ?? {}) as {
    code?: unknown;
    port?: unknown;
    address?: unknown;
    hostname?: unknown;
    syscall?: unknown;
  };
  const at = `${address ?? 'the host'}:${port ?? 'the port'}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use on ${address}: stop what listens there (another privacy-ledger?) or choose another port with --port or PORT.`;
    case 'EADDRNOTAVAIL':
      return `${address} is not an address of this machine: set --host or HOST to one of its interfaces (127.0.0.1, 0.0.0.0 for all).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      if (syscall === 'getaddrinfo') {
        return `the host "${hostname}" does not resolve to an address: set --host or HOST to an interface address such as 127.0.0.1 (0.0.0.0 for all).`;
      }
      break;
    case 'EACCES':
      if (syscall === 'listen')
        return `not allowed to listen on ${at} (ports below 1024 need privileges): choose another with --port or PORT.`;
      return 'permission denied: check that this user may write the data directory (--data-dir or DATA_DIR).';
  }
  const message = error instanceof Error ? error.message : String(error);
  return `could not run: ${message.replace(/\s+/g, ' ')}`;
}
