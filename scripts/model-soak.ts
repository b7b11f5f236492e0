// `npm run test:model -- --runs N [--seed S] [--steps K]`: the model test
// (test/model/) with N random histories from a random seed (or S), for a
// soak before a release. Prints the seed first; a failure prints the seed,
// the replay path and the shrunk history.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const number = (name: string, fallback: number): number => {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`${name} takes a whole number\n`);
    process.exit(2);
  }
  return value;
};

const runs = number('--runs', 100);
const seed = number('--seed', randomInt(2 ** 31 - 1));
const steps = number('--steps', 60);
process.stdout.write(`model soak: ${runs} histories of up to ${steps} steps, seed ${seed}\n`);
const result = spawnSync('npx', ['vitest', 'run', 'test/model/ledger.model.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    MODEL_RUNS: String(runs),
    MODEL_SEED: String(seed),
    MODEL_STEPS: String(steps),
    // about 4 s a history on a loaded 2-core machine, and room to shrink a failure
    MODEL_TIMEOUT_MS: String(Math.max(600_000, runs * 20_000)),
  },
});
process.stdout.write(
  `model soak: seed ${seed} ${result.status === 0 ? 'passed' : 'FAILED'} (rerun: npm run test:model -- --runs ${runs} --seed ${seed} --steps ${steps})\n`,
);
process.exit(result.status ?? 1);
