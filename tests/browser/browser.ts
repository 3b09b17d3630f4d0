import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { ROOT } from '../paths.ts';

/** Debian's Chromium; `npm test` installs it when missing (scripts/ensureTestDeps.sh). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags: WebGPU only exists headless with --enable-unsafe-webgpu (SwiftShader adapter here); the network
 * flags stop Chromium's own background requests, which this machine's closed network refuses noisily.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface BrowserSession {
  browser: Browser;
  server: ViteDevServer;
  baseUrl: string;
  /** A fresh page whose console errors and off-origin requests are recorded. */
  /** A fresh page; `notFound` lists the URLs the server answered 404 (a model's optional files, say). */
  newPage(): Promise<{ page: Page; consoleErrors: string[]; requests: string[]; notFound: string[] }>;
  close(): Promise<void>;
}

/**
 * A Vite dev server and headless Chromium on it. Fails before starting anything when Chromium is missing,
 * and closes the server when Chromium will not start, so a caller that catches the error can exit.
 */
export async function startBrowserSession(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (bash scripts/ensureTestDeps.sh does it as root; npm test runs it)`);
  }
  // No HMR: a file saved in the checkout while a test runs would otherwise reload its page under it.
  const server = await createServer({ root: ROOT, configFile: `${ROOT}/vite.config.ts`, logLevel: 'error', server: { port: 0, host: '127.0.0.1', hmr: false } });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite dev server has no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    browser,
    server,
    baseUrl,
    async newPage() {
      const page = await browser.newPage();
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      const notFound: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('response', (response) => response.status() === 404 && notFound.push(response.url()));
      return { page, consoleErrors, requests, notFound };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
