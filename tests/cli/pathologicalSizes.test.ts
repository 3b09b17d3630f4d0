import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { embedlab } from './runCli.ts';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';

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

/** Writes `block` repeated to about `bytes` bytes, then `tail`: a file too big to build as one string in the test. */
async function writeRepeated(file: string, block: string, bytes: number, tail = ''): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = new TextEncoder().encode(block.repeat(Math.ceil((1 << 20) / block.length)));
  for (let written = 0; written < bytes; written += chunk.length) await handle.write(chunk);
  await handle.write(new TextEncoder().encode(tail));
  await handle.close();
}

/** `embedlab` under GNU time: exit code, output and the peak resident set in MiB. */
async function embedlabMeasured(args: string[]): Promise<{ code: number; stdout: string; stderr: string; peakMiB: number }> {
  let result: { stdout: string; stderr: string; code: number };
  try {
    const { stdout, stderr } = await promisify(execFile)('/usr/bin/time', ['-f', 'peak-kib %M', process.execPath, path.join(ROOT, 'bin/embedlab.mjs'), ...args], { cwd: ROOT, maxBuffer: 256 << 20 });
    result = { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  const peak = /peak-kib (\d+)/.exec(result.stderr);
  return { ...result, stderr: result.stderr.replace(/peak-kib \d+\n?/, ''), peakMiB: peak ? Number(peak[1]) / 1024 : Number.NaN };
}

describe('embedlab embed on a 100 MB line', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'embedlab-cli-embed-sizes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds it, reading only as far as max_seq_length needs: exit 0, in bounded time and memory, the text never echoed whole', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'oneline.txt');
    await writeRepeated(file, 'lorem ipsum dolor sit amet ', 100 * 10 ** 6, '\nsecond text\n');
    const started = Date.now();
    const { code, stdout, stderr, peakMiB } = await embedlabMeasured(['embed', '--model', FIXTURE_MODEL, '--file', file]);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    // The file's bytes, its text and a line split of it: a few hundred MiB, not the 4.5 GB of a whole tokenization.
    expect(peakMiB, `peak RSS ${peakMiB.toFixed(0)} MiB`).toBeLessThan(1200);
    console.log(`embed --file, one 100 MB line: ${Date.now() - started} ms, peak RSS ${peakMiB.toFixed(0)} MiB`);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^"lorem ipsum dolor sit amet .*… \(1\d{8} characters\)"\tnorm=1\.000000\t\[/);
    expect(stdout.length).toBeLessThan(10_000);
  });

  it('a line with no place to cut it, longer than the read limit, is exit 2 at its line with the limit, never echoed', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'oneword.txt');
    await writeRepeated(file, 'x', 20 * 2 ** 20);
    const { code, stdout, stderr } = await embedlab(['embed', '--model', FIXTURE_MODEL, '--text', 'hello', '--file', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/oneword\.txt:1: the text is 2097\d{4} characters long and its first \d+ characters give fewer than the \d+ tokens kept, or hold no space between words to cut at: a text longer than \d+ characters is read only as far as its tokens need, and no further \(the limit\)/);
    expect(stdout.length + stderr.length).toBeLessThan(2000);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
