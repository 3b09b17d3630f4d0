import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_LIMITS, type DataIssue } from './dataset.ts';
import { loadDataset, loadStreamedTable } from './loadDataset.ts';
import { streamTable } from './streamTable.ts';

const encode = (text: string) => new TextEncoder().encode(text);

/** No message quotes more than a short excerpt of the file, whatever its size. */
function expectShortMessages(issues: readonly DataIssue[]): void {
  for (const issue of issues) expect(issue.message.length).toBeLessThan(400);
}

/** Writes `total` bytes of `piece` repeated (no newline) to `file`, a few MB at a time. */
async function writeRepeated(file: string, piece: string, total: number, head = ''): Promise<void> {
  const handle = await open(file, 'w');
  const block = encode(piece.repeat(Math.ceil((4 << 20) / piece.length)));
  try {
    if (head) await handle.write(encode(head));
    for (let written = 0; written < total; written += block.length) await handle.write(block, 0, Math.min(block.length, total - written));
  } finally {
    await handle.close();
  }
}

describe('pathological sizes end in bounded time with a message that states the limit', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'embedlab-sizes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a 100 MB CSV with no line break, streamed, stops at line 1 at the longest-row limit', { timeout: 30_000 }, async () => {
    const file = path.join(dir, 'oneline.csv');
    await writeRepeated(file, 'lorem ipsum dolor,', 100 * 10 ** 6);
    const started = Date.now();
    const result = await loadStreamedTable(
      (handOver) => streamTable(createReadStream(file, { encoding: 'utf8' }) as unknown as Papa.LocalFile, 'oneline.csv', ',', { handOver }),
      'oneline',
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.dataset).toBeNull();
    expect(result.issues).toEqual([{ severity: 'error', file: 'oneline.csv', line: 1, message: expect.stringMatching(/row is longer than 16 MiB \(the longest line or row read\)/) }]);
    expectShortMessages(result.issues);
  });

  it('a streamed row that never ends (an unclosed quote) stops at the line it starts on', { timeout: 30_000 }, async () => {
    const rows = `query,document\nq1,d1\nq2,"${'x'.repeat(1 << 20)}\n`;
    const pieces = [rows, ...Array.from({ length: 20 }, () => `${'y'.repeat(1 << 20)}\n`)];
    const { issues } = await streamTable(Readable.from(pieces) as unknown as Papa.LocalFile, 'quote.csv', ',');
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', line: 3, message: expect.stringMatching(/longer than 16 MiB/) })]);
    expectShortMessages(issues);
  });

  it('a 20 MB line read whole (not streamed) is refused before it is parsed, at its line', { timeout: 30_000 }, async () => {
    const text = `query,document\nq,d\n${'word,'.repeat(4 * 10 ** 6)}\n`;
    const started = Date.now();
    const { dataset, issues } = loadDataset([{ path: 'long.csv', bytes: encode(text) }]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(dataset).toBeNull();
    expect(issues).toEqual([{ severity: 'error', file: 'long.csv', line: 3, message: expect.stringMatching(/longer than 16 MiB/) }]);
  });

  it('a header of 1 000 000 columns is refused at the most-columns limit, quickly', { timeout: 30_000 }, async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const started = Date.now();
    const { dataset, issues } = loadDataset([{ path: 'wide.csv', bytes: encode(`${header}\n${header}\n`) }]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(dataset).toBeNull();
    expect(issues).toEqual([{ severity: 'error', file: 'wide.csv', line: 1, message: 'the header has 1000000 columns, more than the 10 000 a table may have (delimiter ",")' }]);
  });

  it('a streamed header of 1 000 000 columns is refused the same way', { timeout: 30_000 }, async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const { issues } = await streamTable(Readable.from([`${header}\n`, 'a,b\n'.repeat(1000)]) as unknown as Papa.LocalFile, 'wide.csv', ',');
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', line: 1, message: expect.stringMatching(/1000000 columns, more than the 10 000/) })]);
  });

  it('a header at the column limit is checked in linear time: duplicates and blanks still named', { timeout: 30_000 }, async () => {
    const names = Array.from({ length: DATA_LIMITS.columns }, (_, i) => (i === 0 ? 'query' : i === 1 ? 'document' : `c${i}`));
    names[9000] = 'c5';
    names[9001] = '';
    const row = names.map(() => 'x').join(',');
    const started = Date.now();
    const { issues } = loadDataset([{ path: 'wide.csv', bytes: encode(`${names.join(',')}\n${row}\n`) }]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([
      { severity: 'error', file: 'wide.csv', line: 1, column: 9001, message: 'column name "c5" appears twice in the header' },
      { severity: 'error', file: 'wide.csv', line: 1, column: 9002, message: 'column 9002 has no name in the header' },
    ]);
  });

  it('a mapping error on a wide header lists a few columns, not all of them', () => {
    const header = Array.from({ length: 5000 }, (_, i) => `column_number_${i}`).join(',');
    const { issues } = loadDataset([{ path: 'wide.csv', bytes: encode(`${header}\n${header.replace(/column_number_/g, '')}\n`) }]);
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/cannot tell which columns.*… \d+ more\): set the column mapping/) })]);
    expectShortMessages(issues);
  });

  it('JSON Lines nested 200 000 levels deep is an error at its line, not a stack overflow', { timeout: 30_000 }, async () => {
    const deep = `{"query":"q2","document":"d2","meta":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const text = `{"query":"q1","document":"d1"}\n${deep}\n{"query":"q3","document":"d3"}\n`;
    const { dataset, issues } = loadDataset([{ path: 'deep.jsonl', bytes: encode(text) }]);
    expect(dataset).toBeNull();
    expect(issues).toEqual([{ severity: 'error', file: 'deep.jsonl', line: 2, column: 1037, message: 'nested more than 1 000 levels deep (the deepest nesting read): expected one flat JSON object per line' }]);
  });

  it('nesting within the limit, and brackets inside strings, are read as before', () => {
    const nested = `${'['.repeat(DATA_LIMITS.nesting - 1)}1${']'.repeat(DATA_LIMITS.nesting - 1)}`;
    const text = `{"query":"q[[[{{{","document":"d1","meta":${nested},"n":1.0}\n{"query":"q2","document":"d2","n":12345678901234567890}\n`;
    const { dataset, issues } = loadDataset([{ path: 'ok.jsonl', bytes: encode(text) }]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(dataset?.queries.text(0)).toBe('q[[[{{{');
    expect(dataset?.documents.length).toBe(2);
  });

  it('a JSON Lines record longer than the line limit is refused unread; one with too many keys at the column limit', { timeout: 30_000 }, async () => {
    const long = `{"query":"q","document":"${'x'.repeat(DATA_LIMITS.lineChars)}"}`;
    const a = loadDataset([{ path: 'long.jsonl', bytes: encode(`{"query":"q0","document":"d0"}\n${long}\n`) }]);
    expect(a.issues).toEqual([{ severity: 'error', file: 'long.jsonl', line: 2, message: expect.stringMatching(/longer than 16 MiB/) }]);
    const keys = `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    const started = Date.now();
    const b = loadDataset([{ path: 'keys.jsonl', bytes: encode(`${keys}\n`) }]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(b.issues).toEqual([{ severity: 'error', file: 'keys.jsonl', line: 1, message: expect.stringMatching(/200000 different keys by this line, more than the 10 000 columns/) }]);
  });
});
