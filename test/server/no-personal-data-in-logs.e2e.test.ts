import { describe, expect, it } from 'vitest';
import { people, runScenario, shownValues, valueParts } from './privacy-scenario.js';
import { introspect, queryEverything } from './schema-walk.js';
import { startTestServer, tempDataDir } from './harness.js';

describe('logs and errors never contain personal data', () => {
  it('a full scenario, valid and invalid input, queries and errors: no personal value or part of one in any log line or error', async () => {
    const data = tempDataDir();
    const server = await startTestServer(data.dir);
    try {
      const scenario = await runScenario(server);
      const reads = await queryEverything(server, await introspect(server), scenario);
      // a GET carries the query, personal values included, in the URL
      const get = await server.http(
        `/graphql?query=${encodeURIComponent(`{ publisher(id: "${people.contact.email.trim()}") { id } }`)}`,
        {
          headers: { 'apollo-require-preflight': 'true' },
        },
      );
      const responses = [...scenario.responses, ...reads, { status: get.status, ...((await get.json()) as object) }];
      await server.close();

      // The search can fail: the values were really used, and shown where they should be.
      const shown = JSON.stringify(reads.map((res) => res.data));
      for (const value of [
        'lanxi.wumeng@lanxi-mail.cn',
        '+8613524681357',
        'Baoshan Yunfei',
        'hongmei_wx88',
        'Tao Mingxia',
      ])
        expect(shown).toContain(value);
      expect(server.logs.lines.length).toBeGreaterThan(20);
      // every request's own line (at info) is among those searched
      expect(server.logs.lines.filter((line) => line.includes('"msg":"request"')).length).toBeGreaterThan(20);
      const errors = responses.flatMap((res) => res.errors ?? []);
      expect(errors.length).toBeGreaterThanOrEqual(19);

      const searched = [...shownValues(), ...valueParts()].map((value) => value.toLowerCase());
      const leaks = (texts: string[]) =>
        texts.flatMap((text) =>
          searched.filter((value) => text.toLowerCase().includes(value)).map((value) => `${value} in ${text}`),
        );
      expect(leaks(server.logs.lines)).toEqual([]);
      expect(leaks(errors.map((error) => JSON.stringify(error)))).toEqual([]);
    } finally {
      await server.close().catch(() => undefined);
      data.remove();
    }
  }, 60_000);
});
