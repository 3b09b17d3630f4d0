import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, needs, REAL_MODELS, ROOT, SHARED_MODELS } from '../paths.ts';
import { maxAbsDelta, referenceValues } from '../referenceValues.ts';



describe('embedlab embed', () => {
  it('prints JSON with model, dim, backend and one embedding per text', async () => {
    const { code, stdout } = await embedlab(['embed', '--model', FIXTURE_MODEL, '--text', 'hello world', '--text', 'a bank loan', '--json']);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output).toMatchObject({ model: FIXTURE_MODEL, dim: 32, backend: expect.stringMatching(/^onnxruntime-node/) });
    expect(output.embeddings).toHaveLength(2);
    for (const row of output.embeddings) expect(Math.hypot(...row)).toBeCloseTo(1, 6);
  });

  it('exits 2 with a message naming the file when the folder is not a model', async () => {
    const { code, stderr } = await embedlab(['embed', '--model', path.join(ROOT, 'tests'), '--text', 'x']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/tests: tokenizer\.json: not found/);
  });

  it('embeds a dataset given with --data: documents, then queries, with ids', async () => {
    const { code, stdout } = await embedlab(['embed', '--model', FIXTURE_MODEL, '--data', path.join(ROOT, 'public/samples/helpdesk-faq.csv'), '--json']);
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as { embeddings: number[][]; ids: string[]; kinds: string[] };
    expect(output.embeddings).toHaveLength(64);
    expect(output.ids.slice(0, 2)).toEqual(['d1', 'd2']);
    expect(output.kinds.filter((k) => k === 'query')).toHaveLength(32);
  });

  it('exits 2 on a usage error', async () => {
    const { code, stderr } = await embedlab(['embed', '--text', 'x']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--model <folder> is required/);
  });

  it.skipIf(!HAS_SHARED_MODELS).each(REAL_MODELS)(needs(SHARED_MODELS, '%s: matches sentence-transformers within 1e-4 (texts from --file)'), async (name) => {
    const reference = referenceValues();
    // The empty probe cannot be a line of a file (empty lines are skipped), so it goes in with --text.
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp(path.join((await import('node:os')).tmpdir(), 'embedlab-'));
    const file = path.join(dir, 'probes.txt');
    const [first, second, empty, ...rest] = reference.probe_sentences;
    await writeFile(file, rest.join('\n'));
    const { code, stdout } = await embedlab([
      'embed', '--model', path.join(SHARED_MODELS, name), '--text', first, '--text', second, '--text', empty, '--file', file, '--json',
    ]);
    expect(code).toBe(0);
    const { dim, embeddings } = JSON.parse(stdout) as { dim: number; embeddings: number[][] };
    expect(embeddings).toHaveLength(reference.probe_sentences.length);
    expect(maxAbsDelta(embeddings.flat(), dim, reference.models[name].probe_embeddings)).toBeLessThanOrEqual(1e-4);
  });
});
