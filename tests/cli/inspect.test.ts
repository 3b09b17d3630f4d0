import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';
import { needs, SHARED } from '../paths.ts';

const BANK = path.join(SHARED, 'data/bank-faqs/BankFAQs.csv');


describe('embedlab inspect', () => {
  it.skipIf(!existsSync(BANK))(needs(BANK, 'reports format, columns and counts of BankFAQs.csv'), async () => {
    const { code, stdout } = await embedlab(['inspect', BANK]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/format: pairs/);
    expect(stdout).toMatch(/columns: query = Question, document = Answer, label = Class/);
    expect(stdout).toMatch(/rows: 1499/);
    expect(stdout).toMatch(/labels: 7/);
    expect(stdout).toMatch(/usable: yes/);
  });

  it('prints JSON and exits 2 with every error located when the file is unusable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'embedlab-inspect-'));
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, 'question,answer\nq1,d1\nq2\nq3,d3,x\n');
    const { code, stdout } = await embedlab(['inspect', bad, '--json']);
    expect(code).toBe(2);
    const summary = JSON.parse(stdout);
    expect(summary.usable).toBe(false);
    expect(summary.issues).toEqual([
      expect.objectContaining({ severity: 'error', file: 'bad.csv', line: 3, column: 2 }),
      expect.objectContaining({ severity: 'error', file: 'bad.csv', line: 4, column: 3 }),
    ]);
  });

  it('reads three tables given as separate files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'embedlab-inspect-'));
    await writeFile(path.join(dir, 'corpus.csv'), 'id,text\nd1,x\n');
    await writeFile(path.join(dir, 'queries.csv'), 'id,text\nq1,y\n');
    await writeFile(path.join(dir, 'qrels.csv'), 'query_id,doc_id,score\nq1,d1,1\nq1,d9,1\n');
    const { code, stdout } = await embedlab(['inspect', ...['corpus.csv', 'queries.csv', 'qrels.csv'].map((f) => path.join(dir, f))]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/format: three tables/);
    expect(stdout).toMatch(/warning: qrels.csv:3: 0 judgments name unknown queries and 1 unknown documents/);
  });

  it('reports the hygiene of triplets before any metric, in text and JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'embedlab-inspect-'));
    const file = path.join(dir, 'triplets.csv');
    await writeFile(file, 'anchor,positive,negative\nreset PIN,Use the app.,Visit a branch.\nlost card,Call us.,Call us.\n');
    const text = await embedlab(['inspect', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/hygiene: 1 triplets whose negative is their positive — the loss pushes a text away from itself/);
    expect(text.stdout).toMatch(/  e\.g\. q2: "Call us\."/);
    const json = JSON.parse((await embedlab(['inspect', file, '--json'])).stdout);
    expect(json.hygiene.find((c: { key: string }) => c.key === 'negativeIsPositive')).toMatchObject({ count: 1, examples: ['q2: "Call us."'] });
  });
});
