// GraphiQL as a person meets it: a real Chromium, no internet, the page served by `startServer`.
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/open-store.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import type { Store } from '../../src/store/store.js';
import { recordFalling } from '../support/falling-series.js';
import { subscriberCount } from '../support/subscribers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-stores.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GraphiQL in a real browser', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let store: Store;
  let browser: Browser;
  let page: Page;
  const externalRequests: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    database = await createTestDatabase('sqlite');
    server = await startServer({ ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
    store = await openStore(database.config);
    await recordFalling(store, 'checkout', 'payments');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    const origin = new URL(server.url).origin;
    page.on('request', (request) => {
      const url = request.url();
      if (/^https?:/.test(url) && !url.startsWith(origin)) externalRequests.push(url);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await server?.close();
    await database?.destroy();
  });

  const editor = () => page.locator('.graphiql-query-editor');
  // Monaco renders spaces as no-break spaces.
  const textOf = async (selector: string) => (await page.locator(selector).innerText()).replaceAll('\u00a0', ' ');
  const editorText = () => textOf('.graphiql-query-editor');
  const responseText = () => textOf('.graphiql-response');

  it('loads without the internet and shows the project’s overview query', async () => {
    await page.goto(server.url, { waitUntil: 'load' });
    await expect.poll(() => editorText(), { timeout: 20_000 }).toContain('query Overview');
    expect(externalRequests).toStrictEqual([]);
  });

  it('runs the overview query and shows the data', async () => {
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(responseText, { timeout: 20_000 }).toContain('"totalTests": 1');
    expect(await responseText()).toContain('"testName": "checkout"');
  });

  it('receives, in a subscription typed into the editor, an alert raised through the API', async () => {
    // Replaced until the overview query is gone: on a busy machine the select-all can miss, and with
    // two operations in the editor the execute button opens a menu to pick one instead of running.
    await expect
      .poll(async () => {
        const text = await editorText();
        if (text.includes('alertCreated') && !text.includes('Overview')) return 'replaced';
        await editor().click();
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.press('Delete');
        await page.keyboard.insertText('subscription { alertCreated { testName severity } }');
        return 'replacing';
      })
      .toBe('replaced');
    // GraphiQL takes the operation's name from the editor a moment after the text changes (a
    // debounce, longer on a busy machine): a click before then sends the new text under the old
    // name, and the run ends at once with "Cannot infer operation Overview". Until the subscription
    // is open, a button that offers to execute again means the last run ended: run it again.
    const execute = page.locator('.graphiql-execute-button');
    await expect
      .poll(
        async () => {
          if ((await subscriberCount(server.url)) >= 1) return 'subscribed';
          if ((await execute.getAttribute('aria-label'))?.startsWith('Execute')) await execute.click();
          return 'starting';
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe('subscribed');

    const post = (query: string) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect((await post('mutation { analyzeDrift { alerts { testName } } }')).status).toBe(200);
    await expect.poll(responseText, { timeout: 20_000 }).toContain('"testName": "checkout"');
    expect(await responseText()).toContain('"severity": "CRITICAL"');
    expect(externalRequests).toStrictEqual([]);
  });
});
