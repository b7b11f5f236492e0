import { describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli, serveChild } from '../server/child.js';
import {
  aPublisher,
  authHeader,
  postGraphql,
  REGISTER,
  startTestServer,
  tempDataDir,
  PUBLISHER,
} from '../server/harness.js';

describe('privacy-ledger CLI', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('status shows the log head and each projection checkpoint and lag; rebuild replays the log', async () => {
    const data = tempDataDir('pl-cli-');
    try {
      const server = await startTestServer(data.dir);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await server.gql(REGISTER, { input: aPublisher() });
        ids.push(res.data!['registerPublisher'].publisher.id);
      }
      const head = await server.ledger.events.headPosition();
      await server.ledger.runner.waitFor(head, 5_000);
      await server.close();

      const status = runCli(['status', '--data-dir', data.dir]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`log head: ${head}`);
      expect(status.stdout).toMatch(new RegExp(`publishers\\s+${head}\\s+0`));

      const rebuild = runCli(['rebuild', 'publishers', '--data-dir', data.dir]);
      expect(rebuild.code).toBe(0);
      expect(rebuild.stdout).toContain('publishers: rebuilt');
      expect(rebuild.stderr).toContain('100%');

      const again = await startTestServer(data.dir);
      try {
        for (const id of ids) {
          const res = await again.gql(PUBLISHER, { id, minPosition: String(head) });
          expect(res.data?.['publisher']?.id).toBe(id);
        }
      } finally {
        await again.close();
      }
    } finally {
      data.remove();
    }
  });

  it('rebuilding an unknown projection names the known ones', () => {
    const data = tempDataDir('pl-cli-');
    try {
      expect(runCli(['seed', '--data-dir', data.dir]).code).toBe(0);
      const result = runCli(['rebuild', 'nonsense', '--data-dir', data.dir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('unknown projection "nonsense"; known: publishers');
    } finally {
      data.remove();
    }
  });

  it('rebuild refuses to run beside a live server on the same data directory', async () => {
    const data = tempDataDir('pl-cli-');
    try {
      const { child, url, exited } = await serveChild(data.dir);
      await postGraphql(url, REGISTER, { input: aPublisher() }, await authHeader(data.dir));
      const result = runCli(['rebuild', '--data-dir', data.dir]);
      child.kill('SIGTERM');
      await exited;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('stop it before rebuilding');
    } finally {
      data.remove();
    }
  });

  it('rebuild --online runs beside a live server, which goes on serving the rebuilt read models', async () => {
    const data = tempDataDir('pl-cli-');
    try {
      const { child, url, exited } = await serveChild(data.dir);
      const auth = await authHeader(data.dir);
      try {
        const before = await postGraphql<any>(url, REGISTER, { input: aPublisher() }, auth);
        const result = runCli(['rebuild', '--online', '--data-dir', data.dir]);
        expect(result.stderr).not.toContain('stop it before rebuilding');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('publishers: rebuilt');
        const { publisher, position } = before.data!['registerPublisher'];
        const read = await postGraphql<any>(url, PUBLISHER, { id: publisher.id, minPosition: position }, auth);
        expect(read.data?.['publisher']?.id).toBe(publisher.id);
        const after = await postGraphql<any>(url, REGISTER, { input: aPublisher() }, auth);
        const next = after.data!['registerPublisher'];
        const readNext = await postGraphql<any>(
          url,
          PUBLISHER,
          { id: next.publisher.id, minPosition: next.position },
          auth,
        );
        expect(readNext.data?.['publisher']?.id).toBe(next.publisher.id);
      } finally {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    } finally {
      data.remove();
    }
  });

  it('rebuild runs as soon as the server that served an online rebuild has stopped', async () => {
    const data = tempDataDir('pl-cli-');
    try {
      const { child, url, exited } = await serveChild(data.dir);
      try {
        await postGraphql<any>(url, REGISTER, { input: aPublisher() }, await authHeader(data.dir));
        expect(runCli(['rebuild', '--online', 'audit', '--data-dir', data.dir]).code).toBe(0);
      } finally {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
      const offline = runCli(['rebuild', 'audit', '--data-dir', data.dir]);
      expect(offline.stderr).not.toContain('run by another worker');
      expect(offline.code).toBe(0);
      expect(offline.stdout).toContain('audit: rebuilt');
    } finally {
      data.remove();
    }
  }, 60_000);

  it('token prints a bearer token the server accepts, for the role and object id asked', async () => {
    const data = tempDataDir('pl-cli-');
    try {
      const server = await startTestServer(data.dir);
      try {
        const oid = 'c11c0000-0000-4000-8000-000000000001';
        const result = runCli(['token', '--role', 'auditor', '--oid', oid, '--ttl', '15m', '--data-dir', data.dir]);
        expect(result.code).toBe(0);
        const res = await postGraphql<any>(
          server.url,
          '{ me { id roles } }',
          {},
          { authorization: `Bearer ${result.stdout.trim()}` },
        );
        expect(res.data?.me).toEqual({ id: oid, roles: ['auditor'] });
      } finally {
        await server.close();
      }
    } finally {
      data.remove();
    }
  });

  it.each([
    [['token'], 'token needs --role'],
    [['token', '--role', 'boss'], '--role must be one of member, operator, auditor, analyst'],
    [['token', '--role', 'member', '--oid', 'li.lei'], '--oid must be a UUID'],
    [['token', '--role', 'member', '--scope', 'all'], 'unknown option --scope for token'],
    [
      ['token', '--role', 'member', '--auth-jwks-url', 'https://login.microsoftonline.com/t/discovery/v2.0/keys'],
      'tokens come from Entra ID',
    ],
    // the server would refuse the token: say so now, not at its first request
    [
      ['token', '--role', 'member', '--ttl', '2h', '--auth-max-token-lifetime-seconds', '3600'],
      '--ttl 2h is longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS (3600 s)',
    ],
    [
      ['token', '--role', 'member', '--auth-max-token-lifetime-seconds', '600'],
      'the default --ttl 1h is longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS (600 s)',
    ],
  ])('token %j is refused with one sentence', (args, sentence) => {
    const data = tempDataDir('pl-cli-');
    try {
      const result = runCli([...args, '--data-dir', data.dir]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(sentence);
    } finally {
      data.remove();
    }
  });
});
