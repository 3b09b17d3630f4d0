import * as ortNode from 'onnxruntime-node';
import type * as ortWeb from 'onnxruntime-web';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { OrtTopK } from '../kernels/topk/topk.ort.ts';
import type { OrtModule } from './ortModule.ts';

describe('OrtModule', () => {
  it('is what both onnxruntime packages offer (the CLI takes either, the workers the web one)', () => {
    expectTypeOf<typeof ortNode>().toExtend<OrtModule>();
    expectTypeOf<typeof ortWeb>().toExtend<OrtModule>();
  });

  it('is enough to run the top-k graph: float32 rows and an int64 k', async () => {
    const ort: OrtModule = ortNode;
    const topK = await OrtTopK.create(ort, { intraOpNumThreads: 1 });
    const result = await topK.run({ queries: Float32Array.of(1, 0), docs: Float32Array.of(0, 1, 1, 0, 0.5, 0.5), dim: 2, k: 2 });
    expect(Array.from(result.indices)).toEqual([1, 2]);
    await topK.release();
  });
});
