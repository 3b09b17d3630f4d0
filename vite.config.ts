import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Connect, type Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
/** Where served model folders live: models/ beside this file, or EMBEDLAB_MODELS_DIR (a test's own folder). */
const MODELS_DIR = path.resolve(process.env.EMBEDLAB_MODELS_DIR ?? path.join(root, 'models'));

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which multi-threaded WASM needs.
 * CORP lets the worker and wasm files load under `require-corp`.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The production Content-Security-Policy: scripts, workers, styles and data only from the page's origin,
 * WebAssembly compilation for onnxruntime-web, and network access beyond the origin only to the Hugging Face
 * hub (an explicit model fetch). No inline script or style is allowed; corpus text is never markup anyway.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Puts the policy into the built index.html (dev keeps Vite's inline HMR client working). */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'embedlab-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

/** Serves `models/<name>/…` at `/models/<name>/…` and lists the model folders at `/models/index.json`. */
function serveModels(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/models/')) return next();
    if (url.pathname === '/models/index.json') {
      // Read on every request, so a folder copied in appears at the page's next look.
      const isFolder = (name: string) => {
        try {
          return !name.startsWith('.') && statSync(path.join(MODELS_DIR, name), { throwIfNoEntry: false })?.isDirectory() === true;
        } catch {
          return false; // a link that loops, or a folder this process may not read
        }
      };
      const isModel = (name: string) => existsSync(path.join(MODELS_DIR, name, 'tokenizer.json'));
      const names = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter(isFolder) : [];
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(
        JSON.stringify({
          models: names.filter(isModel).sort(),
          // A folder the user put there but that is not listed says why, rather than missing without a word.
          incomplete: names.filter((name) => !isModel(name)).sort().map((name) => ({ name, reason: 'no tokenizer.json in it' })),
        }),
      );
      return;
    }
    const relative = decodeURIComponent(url.pathname.slice('/models/'.length));
    const file = path.resolve(MODELS_DIR, relative);
    // Resolve against the folder and refuse anything that climbs out of it (../).
    if (!file.startsWith(MODELS_DIR + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Length', statSync(file).size);
    res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    createReadStream(file).pipe(res);
  };
  return {
    name: 'embedlab-serve-models',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  plugins: [svelte(), serveModels(), contentSecurityPolicy()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // Pre-bundling would move onnxruntime-web away from its .wasm files (found via import.meta.url), and would
  // split hyparquet's entry from the page decoders the parquet reader imports by path (plain ES modules, served
  // as they are). The data worker's other dependencies are named so the dev server bundles them at start:
  // found later, in the worker, they would make it reload the page mid-session.
  optimizeDeps: {
    // multilingual-stemmer finds its .wasm through import.meta.url, as onnxruntime-web does: served as it is.
    exclude: ['onnxruntime-web', 'hyparquet', 'multilingual-stemmer'],
    include: ['apache-arrow', 'apache-arrow/ipc/metadata/file', 'apache-arrow/ipc/metadata/message', 'fzstd', 'lz4js', 'papaparse', 'fflate', 'comlink', 'idb', 'hyparquet-compressors'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
});
