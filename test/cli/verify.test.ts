import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publisherStream } from '../../src/events/publisher/publisher.events.js';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli } from '../server/child.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir, UPDATE } from '../server/harness.js';

const VERIFY = /* GraphQL */ `
  query Verify($streamId: String!) {
    verifyIntegrity(streamId: $streamId) {
      intact
      eventsChecked
      firstBreak {
        streamId
        revision
        position
        kind
        expected
        found
      }
    }
  }
`;

/** Flips one byte of the file where `needle` first occurs (the file must be closed: no WAL left). */
function flipByteOf(file: string, needle: string): void {
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf(Buffer.from(needle, 'utf8'));
  expect(at).toBeGreaterThanOrEqual(0);
  bytes[at + needle.length - 1]! ^= 0x01;
  fs.writeFileSync(file, bytes);
}

describe('tamper evidence', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('verify passes on an untouched log, then names the stream and revision of a byte altered in the event file, and exits 1', async () => {
    const data = tempDataDir('pl-verify-');
    try {
      const server = await startTestServer(data.dir);
      const registered = await server.gql(REGISTER, { input: aPublisher({ companyName: 'Contoso China' }) });
      const id: string = registered.data!['registerPublisher'].publisher.id;
      const updated = await server.gql(UPDATE, { input: { id, expectedVersion: 1, companyName: 'Tailspin Toys' } });
      expect(updated.errors).toBeUndefined();
      const intact = await server.gql(VERIFY, { streamId: publisherStream(id) }, { role: 'auditor' });
      expect(intact.data!['verifyIntegrity']).toEqual({ intact: true, eventsChecked: 2, firstBreak: null });
      const unknown = await server.gql(VERIFY, { streamId: 'publisher-nobody' }, { role: 'auditor' });
      expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      const bad = await server.gql(VERIFY, { streamId: 'DROP TABLE' }, { role: 'auditor' });
      expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      await server.close();

      const clean = runCli(['verify', '--data-dir', data.dir]);
      expect(clean.code).toBe(0);
      // the publisher's two events and the claim of its registration code (src/events/registration-code)
      expect(clean.stdout).toContain('verified 3 events in 2 streams: every link holds');
      expect(clean.stderr).toContain('verifying 100% 3/3');

      // One bit of one byte inside the stored data JSON of revision 1, on disk.
      flipByteOf(path.join(data.dir, 'events.sqlite'), '"companyName":"Tailspin Toys"');
      const tampered = runCli(['verify', '--data-dir', data.dir]);
      expect(tampered.code).toBe(1);
      expect(tampered.stdout).toContain(
        `broken link: stream ${publisherStream(id)}, revision 1, position 3: hash mismatch`,
      );

      const again = await startTestServer(data.dir);
      try {
        const report = await again.gql(VERIFY, { streamId: publisherStream(id) }, { role: 'auditor' });
        expect(report.data!['verifyIntegrity']).toMatchObject({
          intact: false,
          eventsChecked: 2,
          firstBreak: { streamId: publisherStream(id), revision: 1, position: '3', kind: 'HASH_MISMATCH' },
        });
      } finally {
        await again.close();
      }
    } finally {
      data.remove();
    }
  });
});
