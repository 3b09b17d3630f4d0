import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/browser.ts';

let outDir: string;
let server: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'embedlab-dist-'));
  await build({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  server = await preview({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the production bundle', () => {
  it('carries a strict Content-Security-Policy', () => {
    const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
    const policy = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
    expect(policy).toMatch(/default-src 'self'/);
    expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(policy).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    expect(policy).toMatch(/connect-src 'self' https:\/\/huggingface\.co/);
  });

  it('ships exactly one onnxruntime-web copy', () => {
    const assets = readdirSync(path.join(outDir, 'assets'));
    expect(assets.filter((name) => name.startsWith('ort-wasm'))).toHaveLength(1);
    // onnxruntime-web's own code (its session class and the loader of its .wasm), not the word in a message.
    const withOrt = assets.filter((name) => name.endsWith('.js') && /InferenceSession[\s\S]*ort-wasm-simd-threaded|ort-wasm-simd-threaded[\s\S]*InferenceSession/.test(readFileSync(path.join(outDir, 'assets', name), 'utf8')));
    expect(withOrt).toHaveLength(1);
    // Both workers' parts load it (one script for the two, src/worker/index.ts), from the chunk they share.
    const workers = assets.filter((name) => name.endsWith('.js') && /(from|import\()\s*["'][^"']*ortWeb-[^"']*\.js["']/.test(readFileSync(path.join(outDir, 'assets', name), 'utf8')));
    expect(workers.length).toBeGreaterThanOrEqual(2);
  });

  it('is served cross-origin isolated and encodes on multi-threaded WASM', async () => {
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('preview server has no URL');
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => /Content.Security.Policy|Refused to/i.test(message.text()) && violations.push(message.text()));
    const response = await page.goto(url);
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    await page.getByText('Runtime options').first().click();
    await page.getByTestId('backend-A').selectOption('wasm');
    await page.getByTestId('served-A').selectOption('tiny-bert');
    await expect.poll(() => page.getByTestId('slot-A').getByTestId('model-backend').textContent(), { timeout: 60_000 }).toBe('WASM · 2 threads');
    await page.getByTestId('probe-run').click();
    await expect.poll(() => page.getByTestId('probe-cosine-A').textContent(), { timeout: 60_000 }).toMatch(/^-?[01]\.\d{4}$/);
    expect(violations, 'the strict CSP blocked something the app needs').toEqual([]);
    await page.close();
  });
});
