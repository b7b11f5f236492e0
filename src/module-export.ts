import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Where a value is exported from (`module`'s URL, its export `name`), for
 * another thread to import the very same value: a thread cannot be handed
 * a function, only told where to find it.
 */
export interface ModuleExport {
  module: string;
  name: string;
}

/** The value `where` names (undefined when the module does not export it). */
export async function importExport(where: ModuleExport): Promise<unknown> {
  const module = (await import(where.module)) as Record<string, unknown>;
  return module[where.name];
}

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
