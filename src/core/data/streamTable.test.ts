import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type Papa from 'papaparse';
import { inspectHead, streamTable } from './streamTable.ts';
import { parseTable } from './table.ts';
import { judgmentsById } from '../../../tests/fixtures/judgments.ts';

const CSV = 'question,answer,topic\n"a, b","line one\nline two",x\n\nq2,d2,y\nq3\nq4,"d ""4""",z\n';

/** A Node stream delivering `text` in small pieces, so rows straddle chunk boundaries. */
function streamOf(text: string, pieceSize = 7): Papa.LocalFile {
  const pieces = Array.from({ length: Math.ceil(text.length / pieceSize) }, (_, i) => text.slice(i * pieceSize, (i + 1) * pieceSize));
  return Readable.from(pieces) as unknown as Papa.LocalFile;
}

describe('streamTable', () => {
  it('gives the same rows, lines and issues as parsing the whole text', async () => {
    const whole = parseTable(CSV, 'f.csv');
    const streamed = await streamTable(streamOf(CSV), 'f.csv', ',');
    expect(streamed.table).toEqual(whole.table);
    expect(streamed.issues).toEqual(whole.issues);
    expect(streamed.issues).toEqual([expect.objectContaining({ line: 6, column: 2, message: expect.stringMatching(/row has 1 cells/) })]);
  });

  it('reports progress as it goes', async () => {
    const seen: number[] = [];
    const big = `q,d\n${Array.from({ length: 5000 }, (_, i) => `question ${i},answer ${i}`).join('\n')}\n`;
    const { table } = await streamTable(streamOf(big, 4096), 'big.csv', ',', { onProgress: ({ rows }) => seen.push(rows) });
    expect(table.rows).toHaveLength(5000);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('reports bytes that the stream decoder could not read as UTF-8 as the small-file path does: an error, located', async () => {
    const { issues } = await streamTable(streamOf('q,d\nfine,x\nx,caf\uFFFD\n'), 'latin1.csv', ',');
    // Column in characters, as the small-file path counts it: "x," then "caf" then the byte.
    expect(issues).toEqual([{ severity: 'error', file: 'latin1.csv', line: 3, column: 6, message: expect.stringMatching(/not UTF-8/) }]);
  });

  it('locates a broken quote and a NUL byte deep in the file, after the rows were handed over', async () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => `q${i},d${i}`);
    rows.push('"broken,d', 'z,y');
    const quoted = await streamTable(streamOf(`q,d\n${rows.join('\n')}\n`), 'big.csv', ',', { handOver: { sampleRows: 100, onSample: () => () => undefined } });
    // The unclosed quote swallows the rest of the file into one cell: both problems are on its line.
    expect(quoted.issues.map((i) => i.line)).toEqual([300_002, 300_002]);
    expect(quoted.issues.map((i) => i.message)).toContainEqual(expect.stringMatching(/quoted field is never closed/));
    const nul = await streamTable(streamOf(`q,d\n${rows.slice(0, 299_999).join('\n')}\nbad\u0000,x\n`), 'nul.csv', ',', { handOver: { sampleRows: 100, onSample: () => () => undefined } });
    expect(nul.issues).toEqual([{ severity: 'error', file: 'nul.csv', line: 300_001, column: 4, message: expect.stringMatching(/NUL byte/) }]);
  });

  it('caps errors, header errors included, and says how many it did not list', async () => {
    const { issues } = await streamTable(streamOf(`${Array.from({ length: 5_001 }, () => '').join(',')}x\n`), 'wide.csv', ',');
    expect(issues.length).toBeLessThanOrEqual(52);
    expect(issues.at(-1)!.message).toMatch(/more errors after the first 50 \(\d+ seen, not listed\)/);
  });
});

describe('inspectHead', () => {
  it('reads the encoding from the BOM and the delimiter from the header', () => {
    expect(inspectHead(new TextEncoder().encode('q\td\nx\ty\n'), 'a.csv')).toEqual({ encoding: 'utf-8', delimiter: '\t' });
    expect(inspectHead(Uint8Array.of(0xff, 0xfe, 0x71, 0, 0x2c, 0, 0x64, 0, 0x0a, 0), 'b.csv')).toEqual({ encoding: 'utf-16le', delimiter: ',' });
  });
  it('rejects a binary file before streaming it', () => {
    expect(() => inspectHead(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0), 'data.csv')).toThrow(/binary content/);
  });
  it('does not mistake a character cut by the head slice for bad bytes', () => {
    const bytes = new TextEncoder().encode('q,d\ncafé,x\nnaïve');
    expect(inspectHead(bytes.subarray(0, bytes.length - 4), 'c.csv').delimiter).toBe(',');
  });
});

describe('a streamed pairs file larger than the sample', () => {
  it('loads into the same dataset as reading it whole, rows handed over to the builder', async () => {
    const { loadDataset, loadStreamedTable, STREAM_SAMPLE_ROWS } = await import('./loadDataset.ts');
    const rows = Array.from({ length: STREAM_SAMPLE_ROWS * 2 + 17 }, (_, i) => `question ${i % 9000},"answer ${i % 7001}, with a comma",topic ${i % 5}`);
    const text = `question,answer,topic\n${rows.join('\n')}\n`;
    const whole = loadDataset([{ path: 'big.csv', bytes: new TextEncoder().encode(text) }]);
    const streamed = await loadStreamedTable((handOver) => streamTable(streamOf(text, 65_536), 'big.csv', ',', { handOver }), 'big');
    expect(streamed.issues).toEqual(whole.issues);
    expect(streamed.mapping).toEqual(whole.mapping);
    const a = streamed.dataset!;
    const b = whole.dataset!;
    expect(a.rowCount).toBe(rows.length);
    expect(a.queries).toEqual(b.queries);
    expect(a.documents).toEqual(b.documents);
    expect([...judgmentsById(a)].map(([q, d]) => [q, [...d]])).toEqual([...judgmentsById(b)].map(([q, d]) => [q, [...d]]));
  });
});
