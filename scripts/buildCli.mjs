// Bundles the CLI's TypeScript into one ES module for the installed package (`npm pack` runs this), so an
// install needs neither tsx nor the sources. Dependencies stay external: npm installs them.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'build/cli/main.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
console.log('CLI bundled to build/cli/main.mjs');
