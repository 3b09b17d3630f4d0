import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';

/**
 * The memory bound, guarded: a loaded dataset holds at most about two copies of its text. Runs the
 * parse benchmark on a generated 40 MB pairs file (above the 32 MB streaming threshold, so both the streamed
 * and the whole-text path run) in a process with an explicit GC, and reads what each held. Before the
 * columnar dataset this was 3.1× the file.
 */
describe('memory of a loaded pairs file', () => {
  it('holds less than twice the file, streamed and read whole', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'scripts/benchParse.ts'), '40'], {
      cwd: ROOT,
      maxBuffer: 1 << 20,
    });
    const held = [...stdout.matchAll(/^(streamed|whole text).*dataset holds (\d+) MB \(([\d.]+)× the file\)/gm)].map((m) => ({ path: m[1], ratio: Number(m[3]) }));
    console.log(held.map((h) => `${h.path}: ${h.ratio}× the file`).join('; '));
    expect(held.map((h) => h.path)).toEqual(['streamed', 'whole text']);
    for (const { ratio } of held) {
      expect(ratio).toBeGreaterThan(0.5); // the texts themselves are held: a near-zero figure means a broken measurement
      expect(ratio).toBeLessThan(2);
    }
  }, 120_000);
});
