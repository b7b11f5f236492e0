import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import type { AppRole } from '../../src/auth/principal.js';
import { loadSigningKey } from '../../src/auth/signing-key.js';
import { mintToken } from '../../src/auth/token-issuer.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { usccCheckCharacter } from '../../src/events/publisher/uscc.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import type { LedgerOptions } from '../../src/server/ledger-options.js';
import { distributedStoreEnv } from '../distributed-stores.js';

export function tempDataDir(prefix = 'pl-e2e-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every log line the server wrote, for tests that inspect logs. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

/** Who a test request is made as: a token minted with the data directory's embedded key. */
export interface TestPrincipal {
  role: AppRole | 'member';
  /** AAD object id; each role has a fixed default */
  oid?: string;
  userPrincipalName?: string;
  displayName?: string;
  /** an app-only (service) token */
  kind?: 'user' | 'service';
}

/**
 * The principal `gql` uses when none is given: a signed-in user without app
 * roles. It may register publishers, becomes the first account of each one
 * it registers, and so may then do everything a publisher member may to them.
 * Operator-only operations (approvePublisher, rejectPublisher) need `{ role: 'operator' }`.
 */
export const DEFAULT_PRINCIPAL: Readonly<TestPrincipal> = {
  role: 'member',
  oid: '0d5e7a11-0000-4000-8000-000000000001',
};

const defaultOids: Record<TestPrincipal['role'], string> = {
  member: DEFAULT_PRINCIPAL.oid!,
  operator: '0d5e7a11-0000-4000-8000-0000000000a2',
  auditor: '0d5e7a11-0000-4000-8000-0000000000a3',
  analyst: '0d5e7a11-0000-4000-8000-0000000000a4',
};

export interface TestServer extends RunningServer {
  logs: LogCapture;
  /** a bearer token for the principal (the default one when omitted) */
  token(as?: TestPrincipal): Promise<string>;
  /** POSTs a GraphQL request as the principal (DEFAULT_PRINCIPAL when omitted); after a mutation, waits for the read models to catch up */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: TestPrincipal,
    headers?: Record<string, string>,
  ): Promise<GqlResponse<T>>;
  /** A raw HTTP request (path from the server's origin), for tests of the transport itself. */
  http(path: string, init?: RequestInit): Promise<Response>;
}

export interface GqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A real server on an ephemeral port, over a data directory the test owns (`options`: an injected clock or ids). */
export async function startTestServer(
  dataDir: string,
  env: Record<string, string> = {},
  options: LedgerOptions = {},
): Promise<TestServer> {
  // One test client sends far more than a person would: no rate limit unless a test sets one.
  const config = loadConfig(
    { port: '0', dataDir, logLevel: 'debug' },
    { RATE_LIMIT_PER_SECOND: '0', ...distributedStoreEnv(), ...env },
  );
  const logs = new LogCapture();
  const server = await startServer(config, createLogger(config.logLevel, logs), options);
  const token = tokenMinter(dataDir, config);
  // Read models follow the log a little behind (the projection thread takes
  // its batches): after a mutation the test's client waits until they have
  // caught up, as a portal reading with the mutation's `minPosition` would,
  // so that tests of what a change does need not each pass it. Tests of the
  // lag itself pass minPosition or use `http`. A test whose projections are
  // stopped just goes on after the bound.
  const settle = async () => {
    try {
      await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
    } catch {
      // the test sees the lag itself
    }
  };
  return {
    ...server,
    logs,
    token,
    gql: async <T>(
      query: string,
      variables?: Record<string, unknown>,
      as?: TestPrincipal,
      headers?: Record<string, string>,
    ) => {
      const response = await postGraphql<T>(server.url, query, variables, {
        authorization: `Bearer ${await token(as)}`,
        ...headers,
      });
      if (/^\s*mutation\b/.test(query)) await settle();
      return response;
    },
    http: (path, init) => fetch(new URL(path, server.url), init),
  };
}

/** One server for a whole describe block: started before its tests, closed (and its data removed) after them. */
export function suiteServer(env: Record<string, string> = {}): () => TestServer {
  const data = tempDataDir();
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(data.dir, env);
  });
  afterAll(async () => {
    await server?.close();
    data.remove();
  });
  return () => {
    if (!server) throw new Error('the suite server starts in beforeAll');
    return server;
  };
}

/** Runs `use` against a fresh server with these settings, then closes it and removes its data. */
export async function withTestServer<T>(
  env: Record<string, string>,
  use: (server: TestServer) => Promise<T>,
): Promise<T> {
  const data = tempDataDir();
  const server = await startTestServer(data.dir, env);
  try {
    return await use(server);
  } finally {
    await server.close();
    data.remove();
  }
}

/**
 * Mints tokens with the embedded key of a data directory whose server has
 * started (it generates the key), the way `privacy-ledger token` does.
 * Tokens are cached per principal.
 */
export function tokenMinter(
  dataDir: string,
  config = loadConfig({ dataDir }),
): (as?: TestPrincipal) => Promise<string> {
  const tokens = new Map<string, Promise<string>>();
  return (as = DEFAULT_PRINCIPAL) => {
    const oid = as.oid ?? defaultOids[as.role];
    const key = JSON.stringify({ ...as, oid });
    let token = tokens.get(key);
    if (!token) {
      token = loadSigningKey(dataDir).then((signingKey) =>
        mintToken(signingKey, config.authIssuer, config.authAudience, {
          role: as.role,
          oid,
          ...(as.userPrincipalName ? { userPrincipalName: as.userPrincipalName } : {}),
          ...(as.displayName ? { displayName: as.displayName } : {}),
          ...(as.kind ? { kind: as.kind } : {}),
        }),
      );
      tokens.set(key, token);
    }
    return token;
  };
}

/** The Authorization header of the default principal for a server over `dataDir` (e.g. a child process). */
export async function authHeader(dataDir: string, as?: TestPrincipal): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenMinter(dataDir)(as)}` };
}

export async function postGraphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GqlResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterPublisherInput!) {
    registerPublisher(input: $input) {
      version
      position
      publisher {
        id
        companyName
        version
        contact {
          name
          telephone
          email
        }
      }
    }
  }
`;

export const UPDATE = /* GraphQL */ `
  mutation Update($input: UpdatePublisherContactInput!) {
    updatePublisherContact(input: $input) {
      version
      position
      publisher {
        id
        companyName
        version
        contact {
          name
          telephone
          email
        }
      }
    }
  }
`;

export const PUBLISHER = /* GraphQL */ `
  query Publisher($id: ID!, $minPosition: String) {
    publisher(id: $id, minPosition: $minPosition) {
      id
      companyName
      version
      registeredAt
      updatedAt
      registrationCode
      registrationStatus
      rejectionReason
      contact {
        name
        telephone
        email
      }
      contactPreferences {
        aboutOffers
        aboutFeedback
        byEmail
        byPhone
      }
    }
  }
`;

let registrationCodes = 0;

/** A valid Unified Social Credit Code no earlier call returned: each legal entity registers one publisher. */
export function aRegistrationCode(): string {
  const first17 = `91350100MA${String(++registrationCodes).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
}

/** A registration of a new legal entity (a fresh registration code unless `overrides` gives one). */
export const aPublisher = (overrides: Record<string, unknown> = {}) => ({
  companyName: 'Contoso China',
  registrationCode: aRegistrationCode(),
  contact: { name: 'Li Lei', telephone: '138 0013 8000', email: ' Li.Lei@Contoso.CN ' },
  ...overrides,
});

export const REQUEST_GRANT = /* GraphQL */ `
  mutation RequestGrant($input: RequestAccessGrantInput!) {
    requestAccessGrant(input: $input) {
      position
      grant {
        id
        status
        emergency
      }
    }
  }
`;

/** A second operator, who approves grants when ACCESS_GRANT_APPROVAL is on (never the requester's own). */
export const APPROVING_OPERATOR: Readonly<TestPrincipal> = {
  role: 'operator',
  oid: '0d5e7a11-0000-4000-8000-0000000000b2',
};

/**
 * Opens an access grant for `as` (an operator) on a publisher: every data
 * category unless told, for an hour unless `endsAt` says otherwise,
 * approved by APPROVING_OPERATOR when it awaits approval. Returns its id.
 */
export async function openAccessGrant(
  server: Pick<TestServer, 'gql'>,
  as: TestPrincipal,
  publisherId: string,
  options: { endsAt?: string; categories?: string[]; offerId?: string; emergency?: boolean; now?: Date } = {},
): Promise<string> {
  const endsAt = options.endsAt ?? new Date((options.now ?? new Date()).getTime() + 3_600_000).toISOString();
  const input = {
    publisherId,
    categories: options.categories ?? ['ADMINISTRATOR', 'CUSTOMER', 'THIRD_PARTY'],
    reason: 'troubleshooting a support incident',
    ticket: 'INC-1001',
    endsAt,
    ...(options.offerId ? { offerId: options.offerId } : {}),
    ...(options.emergency ? { emergency: true } : {}),
  };
  const requested = await server.gql(REQUEST_GRANT, { input }, as);
  if (requested.errors) throw new Error(`requestAccessGrant failed: ${JSON.stringify(requested.errors)}`);
  const grant = requested.data!['requestAccessGrant'].grant;
  if (grant.status === 'AWAITING_APPROVAL') {
    const approved = await server.gql(
      'mutation ($input: AccessGrantRefInput!) { approveAccessGrant(input: $input) { grant { status } } }',
      { input: { publisherId, grantId: grant.id } },
      APPROVING_OPERATOR,
    );
    if (approved.errors) throw new Error(`approveAccessGrant failed: ${JSON.stringify(approved.errors)}`);
  }
  return grant.id;
}
