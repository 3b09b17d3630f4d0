import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startBrowserSession, type BrowserSession } from './browser.ts';

export interface PageHandle {
  session: BrowserSession;
  page: Page;
  consoleErrors: string[];
  requests: string[];
}

/**
 * Registers the usual hooks of a browser test file: a dev server and Chromium before the tests, one page
 * opened at `path`, everything closed after. The handle's fields are set once the tests run.
 */
export function usePage(path: string, setup?: (page: Page) => Promise<void>): PageHandle {
  const handle = {} as PageHandle;
  beforeAll(async () => {
    handle.session = await startBrowserSession();
    Object.assign(handle, await handle.session.newPage());
    await setup?.(handle.page);
    await handle.page.goto(`${handle.session.baseUrl}${path}`);
  });
  afterAll(async () => {
    await handle.session?.close();
  });
  return handle;
}
