import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './child.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir } from './harness.js';

/** Every entry under `dir` (itself included) with its permission bits. */
function modes(dir: string): Array<{ entry: string; directory: boolean; mode: number }> {
  const out = [{ entry: '.', directory: true, mode: fs.statSync(dir).mode & 0o777 }];
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stat = fs.lstatSync(path.join(dir, name));
    out.push({ entry: name, directory: stat.isDirectory(), mode: stat.mode & 0o777 });
  }
  return out;
}

function expectOwnerOnly(dir: string): void {
  const entries = modes(dir);
  expect(entries.map((e) => e.entry)).toEqual(
    expect.arrayContaining(['.', 'events.sqlite', 'keys.sqlite', 'keys.sqlite-wal', 'master.key']),
  );
  for (const { entry, directory, mode } of entries)
    expect({ entry, mode: mode.toString(8) }).toEqual({ entry, mode: directory ? '700' : '600' });
}

describe('the data directory is readable by its owner only', () => {
  const parent = tempDataDir('pl-perms-');
  afterEach(() => parent.remove());

  it('a server creates it 0700 and every file in it 0600, SQLite -wal and -shm included', async () => {
    const dir = path.join(parent.dir, 'data');
    const server = await startTestServer(dir);
    try {
      expect((await server.gql(REGISTER, { input: aPublisher() })).errors).toBeUndefined();
      expectOwnerOnly(dir);
      expect(server.logs.lines.filter((line) => line.includes('tightened'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a server started on a looser directory tightens it and its files, and says so in one log line without personal data', async () => {
    const dir = path.join(parent.dir, 'data');
    const first = await startTestServer(dir);
    await first.gql(REGISTER, {
      input: aPublisher({ contact: { name: 'Quillon Ybarra', telephone: '13800138000', email: 'quillon@contoso.cn' } }),
    });
    await first.close();
    // what an older version left: a 0755 directory and 0644 files
    fs.chmodSync(dir, 0o755);
    for (const name of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, name), 0o644);
    const server = await startTestServer(dir);
    try {
      expectOwnerOnly(dir);
      const said = server.logs.lines.filter((line) => line.includes('tightened'));
      expect(said).toHaveLength(1);
      expect(JSON.parse(said[0]!)).toMatchObject({ directories: 1, files: expect.any(Number) });
      expect(said[0]).not.toMatch(/Quillon|quillon|13800138000/);
    } finally {
      await server.close();
    }
  });

  it('the CLI creates it 0700 with 0600 files too', () => {
    const dir = path.join(parent.dir, 'cli-data');
    const result = runCli(['seed', '--data-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const { entry, directory, mode } of modes(dir))
      expect({ entry, mode: mode.toString(8) }).toEqual({ entry, mode: directory ? '700' : '600' });
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(['events.sqlite', 'keys.sqlite', 'master.key']));
  });
});
