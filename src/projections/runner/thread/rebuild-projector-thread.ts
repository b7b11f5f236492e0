// A rebuild's projecting thread (see ../threaded-replay.ts): reads the
// batches of the log it is given, parses, upcasts and projects each, turns
// its upserts into the rows their tables store, and answers with them,
// batch after batch in order. Never imported; started as a worker.
import { parentPort, workerData } from 'node:worker_threads';
import { LogReader } from '../../../events/store/sqlite/log-reader.js';
import type { UpcasterRegistry } from '../../../events/store/upcasters.js';
import { importExport } from '../../../module-export.js';
import type { StandaloneProjection } from '../../projection.js';
import { type BatchProjection, preparedBatch } from '../prepared-batch.js';
import type { FromProjector, ProjectorSetup, ToProjector } from './rebuild-messages.js';

if (!parentPort) throw new Error('rebuild-projector-thread.ts runs as a worker thread');
const port = parentPort;
const setup = workerData as ProjectorSetup;
const post = (message: FromProjector) => port.postMessage(message);

async function load(): Promise<BatchProjection> {
  const projection = (await importExport(setup.projection)) as StandaloneProjection | undefined;
  if (projection?.name !== setup.name) throw new Error(`the module does not export projection "${setup.name}" there`);
  const upcasters = (await importExport(setup.upcasters)) as UpcasterRegistry | undefined;
  if (typeof upcasters?.upcastAll !== 'function') throw new Error('the module does not export the upcasters there');
  return { projection, upcasters, collections: setup.collections, layouts: setup.layouts };
}

const loaded = load();
const log = new LogReader(setup.file);
let failed = false;
/** batches are prepared one after another, in the order they came */
let previous = Promise.resolve();

async function prepare({ after, through }: ToProjector): Promise<void> {
  try {
    const { last, items } = await preparedBatch(log, after, through, await loaded);
    post({ type: 'batch', last, items });
  } catch (error) {
    failed = true;
    // preparedBatch's errors say what failed and quote no data; load's name the module's export
    post({ type: 'failed', error: error instanceof Error ? error.message : 'unknown error' });
  }
}

port.on('message', (message: ToProjector) => {
  previous = previous.then(() => (failed ? undefined : prepare(message)));
});
