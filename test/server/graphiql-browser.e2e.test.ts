import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteServer } from './harness.js';

/**
 * A newcomer's first minute in the IDE, in a real browser: open the page,
 * authenticate (the local sign-in, or a pasted token), run an example
 * operation, see data. Debian's chromium, driven by playwright-core; .ci/run
 * installs it, and says in CHROMIUM_INSTALL_ERROR why when it could not.
 */
const CHROMIUM = '/usr/bin/chromium';
const absent = fs.existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is absent (apt-get install chromium)${process.env['CHROMIUM_INSTALL_ERROR'] ? `: ${process.env['CHROMIUM_INSTALL_ERROR']}` : ''}`;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(absent !== undefined)(
  absent ? `the IDE in Chromium — skipped: ${absent}` : 'the IDE in Chromium',
  () => {
    const server = suiteServer({ GRAPHIQL: 'true' });
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** Runs one operation of the open tab: GraphiQL asks which when the document holds several. */
    async function run(page: Page, operation: string): Promise<string> {
      await page.locator('.graphiql-execute-button').click();
      await page.getByRole('menuitem', { name: operation }).click();
      const response = page.locator('.graphiql-response');
      await expect.poll(() => response.textContent(), { timeout: 15_000 }).toMatch(/"data"|"errors"/);
      return (await response.textContent()) ?? '';
    }

    it('opens with an example for each kind of user; signing in locally as a member lets an example register a publisher and read it back; the token outlives a reload', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const foreign: string[] = [];
      page.on(
        'request',
        (request) => void (new URL(request.url()).host !== new URL(server().url).host && foreign.push(request.url())),
      );
      await page.goto(server().url);
      await expect.poll(() => page.locator('#pl-status').textContent(), { timeout: 20_000 }).toContain('No token yet');
      for (const tab of ['RegisterPublisher', 'PublisherToReview', 'AuditTrail', 'Counts']) {
        await expect.poll(() => page.locator('.graphiql-tabs').textContent()).toContain(tab);
      }
      await expect
        .poll(() => page.locator('.pl-hint').textContent())
        .toContain('npx privacy-ledger token --role member');

      await page.locator('#pl-sign-in').click();
      await expect.poll(() => page.locator('#pl-status').textContent()).toContain('Signed in as member');
      // The schema is fetched again with the token: the documentation explorer shows it.
      await page.getByRole('button', { name: /documentation explorer/i }).click();
      await expect
        .poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 15_000 })
        .toContain('mutation');
      const registered = await run(page, 'RegisterPublisher');
      expect(registered).toContain('"registrationStatus": "PENDING"');
      // The read models follow the log a moment behind: run it again, as a person would, until it shows.
      await expect.poll(() => run(page, 'MyPublishers'), { timeout: 20_000 }).toContain('Contoso China');
      expect(await run(page, 'MyPublishers')).toContain('li.lei@contoso.cn');

      await page.reload();
      await expect
        .poll(() => page.locator('#pl-status').textContent(), { timeout: 20_000 })
        .toContain('A token is set');
      expect(await run(page, 'MyPublishers')).toContain('Contoso China');
      expect(foreign).toEqual([]);
      await context.close();
    }, 120_000);

    it('a pasted token is used for every request, and forgetting it makes them 401 again', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server().url);
      await expect.poll(() => page.locator('#pl-status').textContent(), { timeout: 20_000 }).toContain('No token yet');
      await page.locator('#pl-token').fill(await server().token({ role: 'operator' }));
      await page.locator('#pl-use').click();
      await expect.poll(() => page.locator('#pl-status').textContent()).toContain('Token saved');
      await expect.poll(() => page.locator('#pl-who').textContent()).toContain('Accepted: roles operator');
      const me = await run(page, 'MyPublishers');
      expect(me).toMatch(/"roles": \[\s*"operator"\s*\]/);

      await page.locator('#pl-forget').click();
      expect(await run(page, 'MyPublishers')).toContain('UNAUTHENTICATED');

      // A token this server did not sign is said to be refused at once, not at the first query.
      await page.locator('#pl-token').fill('eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl');
      await page.locator('#pl-use').click();
      await expect.poll(() => page.locator('#pl-who').textContent()).toContain('Refused (HTTP 401)');
      await context.close();
    }, 120_000);
  },
);
