import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';

describe('embedlab inspect on pathological sizes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'embedlab-cli-sizes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a 100 MB CSV with no line break ends with the longest-row limit at line 1, without echoing the line', { timeout: 60_000 }, async () => {
    const file = path.join(dir, 'oneline.csv');
    const handle = await open(file, 'w');
    const block = new TextEncoder().encode('lorem ipsum dolor,'.repeat(1 << 18));
    for (let written = 0; written < 100 * 10 ** 6; written += block.length) await handle.write(block);
    await handle.close();
    const started = Date.now();
    const { code, stdout, stderr } = await embedlab(['inspect', file]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(code).toBe(2);
    expect(stdout + stderr).toMatch(/oneline\.csv:1: a row is longer than 16 MiB \(the longest line or row read\)/);
    expect(stdout.length + stderr.length).toBeLessThan(2000);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
