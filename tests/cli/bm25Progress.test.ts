import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { embedlab } from './runCli.ts';

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');

describe('embedlab eval --bm25 progress', () => {
  it('says BM25 indexed the documents and searched the index, never that it encoded or cached texts', async () => {
    const result = await embedlab(['eval', SAMPLE, '--bm25', '--no-diagnostics', '--no-cache']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^bm25: indexed \d+ documents \(\d+\.\d s\)$/m);
    expect(result.stderr).toMatch(/^bm25: searched the index for \d+ queries \(\d+\.\d s\)$/m);
    expect(result.stderr).not.toMatch(/bm25: (documents|queries)|encoded|from cache/);
  }, 120_000);
});
