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
  newPage(): Promise<{ page: Page; consoleErrors: string[]; requests: string[] }>;
  close(): Promise<void>;
}

export async function startBrowserSession(): Promise<BrowserSession> {
  const server = await createServer({ root: ROOT, configFile: `${ROOT}/vite.config.ts`, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite dev server has no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
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
      page.on('request', (request) => requests.push(request.url()));
      return { page, consoleErrors, requests };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
