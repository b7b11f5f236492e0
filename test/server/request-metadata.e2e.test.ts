import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir, type TestServer } from './harness.js';

const headers = { 'user-agent': 'PartnerPortal/2.1', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' };

describe('client metadata of a change', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer | undefined;
  beforeEach(() => {
    data = tempDataDir('pl-client-');
  });
  afterEach(async () => {
    await server?.close();
    data.remove();
  });

  async function registeredMetadata(env: Record<string, string>) {
    server = await startTestServer(data.dir, env);
    const res = await server.gql(REGISTER, { input: aPublisher() }, undefined, headers);
    expect(res.errors).toBeUndefined();
    const [event] = await server.ledger.events.readAll();
    return { stored: event!.metadata, opened: await new PersonalDataCodec(server.ledger.keys).open(event!.metadata) };
  }

  it('records the socket address and the user agent, sealed, ignoring X-Forwarded-For by default', async () => {
    const { stored, opened } = await registeredMetadata({});
    expect(JSON.stringify(stored)).not.toContain('PartnerPortal');
    expect(JSON.stringify(stored)).not.toContain('127.0.0.1');
    expect(opened).toMatchObject({ client: { ip: '127.0.0.1', userAgent: 'PartnerPortal/2.1' } });
  });

  it('behind a trusted proxy, records the first X-Forwarded-For address', async () => {
    const { opened } = await registeredMetadata({ TRUST_PROXY: 'true' });
    expect(opened).toMatchObject({ client: { ip: '203.0.113.7' } });
  });
});
