import { createRequire } from 'node:module';
import type * as KurrentClient from '@kurrent/kurrentdb-client';

let loaded: typeof KurrentClient | undefined;

/**
 * The official client, loaded on first use. It brings gRPC, the generated
 * protobuf code and a native bridge, 0.3–0.6 s of start-up on a small
 * machine; the embedded shape, the CLI and the tests never pay for it unless
 * they use KurrentDB. (The package is CommonJS, so require loads it
 * synchronously; the modules here import only its types statically.)
 */
export function kurrent(): typeof KurrentClient {
  loaded ??= createRequire(import.meta.url)('@kurrent/kurrentdb-client') as typeof KurrentClient;
  return loaded;
}
