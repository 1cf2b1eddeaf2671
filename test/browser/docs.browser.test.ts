import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { createApp } from '../../src/app';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { createServer } from '../../src/http/server';
import { openStore } from '../../src/stores/open-store';
import { testAppOptions } from '../support/api';
import { type StoreName, type TestDatabase, createTestDatabase } from '../support/stores';

/** Debian's chromium (`apt-get install -y chromium`); playwright's own browser download cannot work offline. */
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const screenshots = resolve(__dirname, '../../test-output');

/** One relational and one document store: the page is the same HTML, the answers come from either kind. */
const browserStores: StoreName[] = ['sqlite', 'mongodb'];

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Runs one operation the way a person does on the page: opens it, presses
 * "Try it out", fills the body and parameters, presses "Execute", and reads
 * the status and body the page then shows.
 */
async function tryItOut(page: Page, operationId: string, input: { body?: object; parameters?: Record<string, string> }): Promise<Answer> {
  const operation = page.locator(`.opblock[id$="-${operationId}"]`);
  await operation.locator('.opblock-summary-control').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  if (input.body) await operation.locator('textarea.body-param__text').fill(JSON.stringify(input.body));
  for (const [name, value] of Object.entries(input.parameters ?? {})) await operation.locator(`tr[data-param-name="${name}"] input`).fill(value);
  await operation.getByRole('button', { name: 'Execute' }).click();
  const shown = operation.locator('.live-responses-table .response');
  await shown.waitFor();
  return {
    status: Number(await shown.locator('.response-col_status').innerText()),
    body: JSON.parse(await shown.locator('.highlight-code code').first().innerText()) as Record<string, unknown>,
  };
}

/** Enters the token in the page's "Authorize" dialog, as the bearer scheme of every signed-in operation. */
async function authorize(page: Page, token: string): Promise<void> {
  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.getByRole('textbox').fill(token);
  await dialog.getByRole('button', { name: 'Apply credentials' }).click();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

describe.each(browserStores)('%s: the API docs page in a real browser', (name) => {
  let database: TestDatabase;
  let store: Store;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`no browser at ${chromiumPath}: apt-get install -y chromium (.ci/run does)`);
    database = await createTestDatabase(name);
    store = await openStore(databaseConfig(database.url));
    server = createServer(createApp(store, testAppOptions));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Playwright gives each launch a fresh profile of its own (a new --user-data-dir).
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await store?.close();
    await database?.drop();
  });

  it("when a visitor signs up, logs in, authorizes and writes a post with the page's own controls, then the page shows each answer and reads the post back", async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const complaints: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => complaints.push(error.message));
    // A script or style that the Content-Security-Policy blocks is reported here.
    page.on('console', (message) => message.type() === 'error' && complaints.push(message.text()));

    await page.goto(`${baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();

    const account = { email: 'ada@example.com', username: 'ada', displayName: 'Ada Lovelace', password: 'analytical engine 1843' };
    const signedUp = await tryItOut(page, 'signUp', { body: account });
    expect(signedUp).toEqual({ status: 201, body: expect.objectContaining({ email: account.email, username: 'ada', version: 1 }) });

    const login = await tryItOut(page, 'logIn', { body: { email: account.email, password: account.password } });
    expect(login).toEqual({ status: 200, body: expect.objectContaining({ tokenType: 'Bearer', user: signedUp.body }) });

    await authorize(page, login.body.accessToken as string);
    const draft = { title: 'Notes', content: 'On the Analytical Engine', publicationDate: '1843-09-01T00:00:00Z', tags: ['History', 'computing'] };
    const created = await tryItOut(page, 'createPost', { body: draft });
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({ authorId: signedUp.body.id, title: 'Notes', publicationDate: '1843-09-01T00:00:00.000Z', tags: ['computing', 'history'] }),
    });

    const read = await tryItOut(page, 'getPost', { parameters: { id: created.body.id as string } });
    // Read signed in, the post also says whether the caller favorites it, which a write's answer leaves out.
    expect(read).toEqual({ status: 200, body: { ...created.body, favorited: false } });

    mkdirSync(screenshots, { recursive: true });
    // The operation that read the post back, with the status, body and headers the page shows.
    await page.locator('.opblock[id$="-getPost"]').screenshot({ path: join(screenshots, `docs-${name}.png`) });
    expect(complaints).toEqual([]);
    // Offline: the page, its scripts and styles, the document and every call stay on this service.
    expect(requested.filter((url) => !url.startsWith(`${baseUrl}/`))).toEqual([]);
  }, 90_000);
});
