/**
 * The CLI without onnxruntime-node (EMBEDLAB_RUNTIME=wasm: onnxruntime-web, which reads no files): a graph
 * built from safetensors and an ONNX export stay in memory there, and embed as the native runtime embeds them.
 */
import { describe, expect, it } from 'vitest';
import { HAS_ST_ZOO, zooFolder } from '../fixtures/stZoo.ts';
import { FIXTURE_MODEL, needs } from '../paths.ts';
import { embedlab } from './runCli.ts';

async function embedding(model: string, runtime: 'wasm' | 'native'): Promise<number[][]> {
  const result = await embedlab(['embed', '--model', model, '--text', 'A checkpoint as training wrote it.', '--text', 'Its weights, read here.', '--json'], { EMBEDLAB_RUNTIME: runtime });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { embeddings: number[][] }).embeddings;
}

function maxAbsDelta(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
}

describe('embed on onnxruntime-web in Node', () => {
  it('runs an ONNX export as onnxruntime-node does', async () => {
    expect(maxAbsDelta(await embedding(FIXTURE_MODEL, 'wasm'), await embedding(FIXTURE_MODEL, 'native'))).toBeLessThan(1e-5);
  });

  it.skipIf(!HAS_ST_ZOO)(needs('../shared/models/st-zoo', 'runs a safetensors folder (its weights as external data) as onnxruntime-node does'), async () => {
    const folder = zooFolder('bert-mean');
    expect(maxAbsDelta(await embedding(folder, 'wasm'), await embedding(folder, 'native'))).toBeLessThan(1e-5);
  });
});
