import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ledgerCommands, prelude } from './commands.js';
import { checkAll } from './final-checks.js';
import { LedgerModel } from './ledger-model.js';
import { LedgerSystem } from './ledger-system.js';
import { outcomes, tally, type ModelState } from './mutation-command.js';

/**
 * Random histories of the whole ledger, each run against a real server
 * (in-process, real SQLite in a temporary directory) and against the model
 * in ledger-model.ts, with the invariants checked after every step and at
 * the end. `npm test` runs a fixed seed and a few runs; `npm run
 * test:model -- --runs N` (scripts/model-soak.ts) runs N with a random seed.
 * A failure prints the seed and the shrunk history.
 */
const runs = Number(process.env['MODEL_RUNS'] ?? 6);
const seed = process.env['MODEL_SEED'] ? Number(process.env['MODEL_SEED']) : 19_2026;
const maxCommands = Number(process.env['MODEL_STEPS'] ?? 60);

describe('the ledger against its model', () => {
  it(
    `${runs} random histories (seed ${seed}, up to ${maxCommands} steps) agree with the model`,
    async () => {
      await fc.assert(
        fc.asyncProperty(ledgerCommands({ offline: true, maxCommands }), async (commands) => {
          const system = await LedgerSystem.start();
          const model = new LedgerModel() as ModelState;
          model.now = () => system.clock.now().toISOString();
          try {
            const setup = async () => {
              for (const step of prelude()) await step.run(model, system);
              return { model, real: system };
            };
            await fc.asyncModelRun(setup, commands);
            await checkAll(system, model);
            const handovers = await system.handovers();
            tally(`lease handovers in a history: ${handovers === 0 ? '0' : handovers < 10 ? '1-9' : '10 or more'}`);
          } finally {
            await system.close();
          }
        }),
        { seed, numRuns: runs, verbose: 1 },
      );
      if (process.env['MODEL_DEBUG'])
        console.log(
          [...outcomes]
            .sort()
            .map(([k, n]) => `${k}: ${n}`)
            .join('\n'),
        );
    },
    Number(process.env['MODEL_TIMEOUT_MS'] ?? 600_000),
  );
});
