import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Connect, type Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
const MODELS_DIR = path.join(root, 'models');

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which multi-threaded WASM needs.
 * CORP lets the worker and wasm files load under `require-corp`.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Serves `models/<name>/…` at `/models/<name>/…` and lists the model folders at `/models/index.json`. */
function serveModels(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/models/')) return next();
    if (url.pathname === '/models/index.json') {
      const names = existsSync(MODELS_DIR)
        ? readdirSync(MODELS_DIR).filter((name) => existsSync(path.join(MODELS_DIR, name, 'tokenizer.json'))).sort()
        : [];
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ models: names }));
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
  plugins: [svelte(), serveModels()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // Pre-bundling would move onnxruntime-web away from its .wasm files (it finds them via import.meta.url).
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
});
