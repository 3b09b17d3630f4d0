import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';

// CONVENTIONS §4 and §10: `<op>.cpu.ts` names the TypedArray twin of a WGSL kernel, so a reader looks for the
// GPU side beside it. A CPU-only kernel is named for what it does.
describe('.cpu.ts files', () => {
  it('each sits beside the WGSL kernel and the GPU dispatch it is the twin of', () => {
    const cpuFiles = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cpu.ts'));
    expect(cpuFiles.length).toBeGreaterThan(0);
    const withoutTwin = cpuFiles.filter((file) => {
      const stem = path.join(ROOT, 'src', file.slice(0, -'.cpu.ts'.length));
      return !existsSync(`${stem}.wgsl`) || !existsSync(`${stem}.ts`);
    });
    expect(withoutTwin, 'rename these to say what they are, without .cpu').toEqual([]);
  });
});
