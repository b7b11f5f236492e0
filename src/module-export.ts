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
