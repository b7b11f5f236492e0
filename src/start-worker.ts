import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker `file` (a name without extension, beside the module
 * at `base`, an import.meta.url). Built, the worker is plain JavaScript;
 * from the sources (tests, tsx, the bench) it loads its TypeScript through
 * tsx, a development dependency.
 */
export function startWorker(base: string, file: string, options: WorkerOptions): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`${file}.js`, base), options);
  const entry = new URL(`${file}.ts`, base).href;
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { ...options, eval: true },
  );
}
