import { rotateMasterKey } from '../privacy/keys/master-key-rotation.js';
import type { Config } from '../server/config.js';
import { embeddedFiles } from '../server/ledger.js';
import { UsageError } from './args.js';
import { requireLedger } from './data-dir.js';
import { liveHolder } from './serve-lock.js';

/**
 * `rotate-master-key [--new-master-key BASE64]`: re-wraps every data key
 * under a new master key. Refused while a server serves the data directory:
 * it holds the old key in memory and would wrap new data keys with it.
 */
export async function rotateMasterKeyCommand(config: Config, options: ReadonlyMap<string, string>): Promise<number> {
  requireLedger(config);
  const holder = liveHolder(config.dataDir);
  if (holder !== null) {
    throw new UsageError(
      `a server (pid ${holder}) is running on ${config.dataDir}; stop it before rotating the master key.`,
    );
  }
  const newKey = options.get('--new-master-key');
  const result = await rotateMasterKey({
    dataDir: config.dataDir,
    keyStoreFile: embeddedFiles.keys,
    ...(config.masterKey ? { currentMasterKeyBase64: config.masterKey } : {}),
    ...(newKey !== undefined ? { newMasterKeyBase64: newKey } : {}),
  });
  process.stdout.write(`re-wrapped ${result.rewrapped} data keys under the new master key.\n`);
  process.stdout.write(
    result.newKeyIn === 'file'
      ? `the new master key is in ${config.dataDir}/master.key; back it up now (the old one no longer opens this data).\n`
      : 'set PRIVACY_LEDGER_MASTER_KEY (or --master-key) to the new key before the next start.\n',
  );
  return 0;
}
