import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The test runner's environment without the settings that point at
 * servers (MONGODB_URL is set to run the MongoDB contract suites): a child
 * uses the embedded data directory unless a test says otherwise.
 */
function inherited(): NodeJS.ProcessEnv {
  const { MONGODB_URL: _url, MONGODB_KEYS_URL: _keys, MONGODB_DATABASE: _db, ...rest } = process.env;
  return rest;
}

/**
 * The time a test that starts CLI processes gets (instead of the suite's 30 s). Each start
 * costs about a second of CPU (tsx, then the app's modules), `serve` more: bounded work, but
 * on two cores shared with other busy processes a test of three or four starts ran past 30 s.
 */
export const CHILD_PROCESS_TEST_TIMEOUT_MS = 60_000;

/** Runs the CLI from source (tsx) as a real process, from the checkout's root unless `cwd` says otherwise, and waits for it to end. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = repoRoot) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { ...inherited(), NODE_ENV: 'production', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `privacy-ledger serve` as a real child process and resolves once it serves. */
export async function serveChild(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; logs: string[] }> {
  const started = await cliChild(['serve', '--port', '0', '--data-dir', dataDir], env, 'privacy-ledger is serving');
  return { ...started, url: started.entry['url'] as string };
}

/** Starts `privacy-ledger project` as a real child process and resolves once it runs its projections. */
export function projectChild(dataDir: string, env: Record<string, string> = {}) {
  return cliChild(['project', '--data-dir', dataDir], env, 'privacy-ledger is projecting');
}

/** Starts the CLI as a real child process and resolves at the first log entry with message `ready`. */
function cliChild(args: string[], env: Record<string, string>, ready: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', ...args],
    // NODE_ENV as in production: libraries behave differently under "test".
    { cwd: repoRoot, env: { ...inherited(), NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs: string[] = [];
  return new Promise<{
    child: ChildProcess;
    exited: Promise<number | null>;
    logs: string[];
    entry: Record<string, unknown>;
  }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not start in time')), 30_000);
    void exited.then((code) => reject(new Error(`child exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry['msg'] === ready) {
          clearTimeout(timer);
          resolve({ child, exited, logs, entry });
        }
      } catch {
        /* not a log line */
      }
    });
  });
}
