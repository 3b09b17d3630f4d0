import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startBrowserSession, type BrowserSession } from './browser.ts';

export interface PageHandle {
  session: BrowserSession;
  page: Page;
  consoleErrors: string[];
  requests: string[];
  notFound: string[];
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

/**
 * The WGSL kernel tests' page: the kernel harness, with a WebGPU device asserted present (headless Chromium
 * has one only with --enable-unsafe-webgpu).
 */
export function useKernelHarness(): PageHandle {
  const handle = usePage('/tests/browser/kernelHarness.html');
  beforeAll(async () => {
    const ready = await handle.page.evaluate(() => (window as unknown as { kernelsReady: Promise<boolean> }).kernelsReady);
    if (!ready) throw new Error('no WebGPU adapter in headless Chromium (is --enable-unsafe-webgpu passed?)');
  });
  return handle;
}
