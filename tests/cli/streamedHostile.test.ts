import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STREAM_THRESHOLD_BYTES } from '../../src/core/data/streamTable.ts';
import { embedlab } from './runCli.ts';

/** A pairs file's problem rows, each placed after a few good rows: the small-file version of a case. */
const CASES: { name: string; bad: Uint8Array; message: RegExp }[] = [
  { name: 'a ragged row', bad: bytes('one cell only\n'), message: /row has 1 cells but the header has 2/ },
  // The unclosed quote swallows the rest into one cell: the first error, on both paths, is that row's width.
  { name: 'a quote never closed', bad: bytes('"broken,answer\nnext,row\n'), message: /row has 1 cells but the header has 2/ },
  { name: 'a byte that is not UTF-8', bad: new Uint8Array([...bytes('caf'), 0xe9, ...bytes(',answer\n')]), message: /is not UTF-8: save the file as UTF-8/ },
  { name: 'a NUL byte', bad: new Uint8Array([...bytes('nul'), 0, ...bytes(',answer\n')]), message: /binary content \(a NUL byte/ },
];

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const HEADER = bytes('question,answer\n');
const GOOD = bytes('how do I pay,with a card\nwhere is my card,in the post\n');

type Issue = { severity: string; line?: number; column?: number; message: string };

async function firstError(file: string): Promise<Issue> {
  const { stdout } = await embedlab(['inspect', file, '--json']);
  const issues = (JSON.parse(stdout) as { issues: Issue[] }).issues;
  return issues.find((i) => i.severity === 'error')!;
}

/**
 * The same hostile rows in a small file (read whole) and in a file past the streaming threshold (padded in
 * front with good rows, generated here, never committed): the same error, the same column, the line shifted
 * by exactly the padding.
 */
describe('the streaming path reports what the small-file path reports', () => {
  let dir: string;
  let paddingRows: number;
  let padding: Uint8Array;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'embedlab-streamed-'));
    const row = bytes('a padding question that is long enough,and its padding answer that is long enough too\n');
    paddingRows = Math.ceil((STREAM_THRESHOLD_BYTES + 2 ** 20) / row.length);
    padding = new Uint8Array(paddingRows * row.length);
    for (let i = 0; i < paddingRows; i++) padding.set(row, i * row.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, { name, bad, message }) => {
    const small = path.join(dir, `${name.replace(/\W+/g, '-')}-small.csv`);
    const big = path.join(dir, `${name.replace(/\W+/g, '-')}-big.csv`);
    writeFileSync(small, Buffer.concat([HEADER, GOOD, bad]));
    writeFileSync(big, Buffer.concat([HEADER, padding, GOOD, bad]));
    const expected = await firstError(small);
    const streamed = await firstError(big);
    expect(expected, 'the small file reports the problem').toBeDefined();
    expect(streamed.line, `${name}: ${streamed.message}`).toBe(expected.line! + paddingRows);
    expect(streamed.column).toBe(expected.column);
    expect(expected.message).toMatch(message);
    expect(streamed.message).toMatch(message);
  }, 120_000);
});
