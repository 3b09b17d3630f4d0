#!/usr/bin/env node
// In a checkout the CLI runs from its TypeScript (tsx), so `npm run embedlab` needs no build step; an
// installed package carries the bundle `npm pack` built (build/cli) and no sources.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../build/cli/main.mjs'));
}
process.exitCode = await main(process.argv.slice(2));
