import type { InferenceSession } from 'onnxruntime-common';
import { DOCUMENT_TILE } from '../../vectors/documentRows.ts';
import { encodeModel, ONNX_FLOAT, ONNX_INT64 } from '../../onnx/onnxProto.ts';
import type { OrtModule } from '../../onnx/ortModule.ts';
import { mergeTopK } from './mergeTopK.ts';
import { topKCpuSync } from './topk.cpu.ts';
import { checkTopKInput, type TopKInput, type TopKResult } from './topk.types.ts';

/** Documents scored per call: a query block × this many scores (64 MB at 512 queries) is all that exists at once. */
const DOC_TILE = DOCUMENT_TILE;
const QUERY_BLOCK = 512;

/**
 * Similarity + top-k as an onnxruntime graph — `Gemm(queries, documentsᵀ)` then `TopK` — the CPU kernel where
 * onnxruntime runs: its MLAS matrix multiply uses the CPU's SIMD units and every core, where the JavaScript
 * twin (`topk.cpu.ts`) does one multiply-add at a time on one thread. Same input, same output, same order
 * (score descending; ONNX TopK-11 keeps the lower index first among equal values, and tiles are merged the
 * same way). Scores are float32 sums (the JavaScript twin sums in float64), so two documents within a float32
 * rounding of each other may swap places between the twins.
 */
export class OrtTopK {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
  ) {}

  static async create(ort: OrtModule, options: InferenceSession.SessionOptions = {}): Promise<OrtTopK> {
    const session = await ort.InferenceSession.create(topKGraph(), { graphOptimizationLevel: 'all', ...options });
    return new OrtTopK(ort, session);
  }

  /** The kernel, with the signature it shares with the CPU and WebGPU twins. */
  readonly run = (input: TopKInput): Promise<TopKResult> => this.topK(input);

  private async topK(input: TopKInput): Promise<TopKResult> {
    const { queryCount, docCount } = checkTopKInput(input);
    const { dim } = input;
    const k = Math.min(input.k, docCount);
    const indices = new Int32Array(queryCount * k);
    const scores = new Float32Array(queryCount * k);
    if (queryCount === 0 || k === 0) return { queryCount, k, indices, scores };
    // onnxruntime's TopK orders NaN scores its own way: a tile or block holding a NaN (a broken embedding)
    // is ranked by the JavaScript twin instead, which puts NaN last like the WebGPU twin.
    const tileHasNaN = Array.from({ length: Math.ceil(docCount / DOC_TILE) }, (_, t) => hasNaN(input.docs.subarray(t * DOC_TILE * dim, Math.min(docCount, (t + 1) * DOC_TILE) * dim)));
    for (let q0 = 0; q0 < queryCount; q0 += QUERY_BLOCK) {
      const qn = Math.min(QUERY_BLOCK, queryCount - q0);
      const blockQueries = input.queries.subarray(q0 * dim, (q0 + qn) * dim);
      const blockHasNaN = hasNaN(blockQueries);
      const queries = new this.ort.Tensor('float32', blockQueries, [qn, dim]);
      // Best k so far per query of the block, merged tile by tile (tiles come in document order, so on equal
      // scores the rows already kept come first). Compared in float32, as onnxruntime ranked them.
      let best: TopKResult | null = null;
      for (let d0 = 0; d0 < docCount; d0 += DOC_TILE) {
        const dn = Math.min(DOC_TILE, docCount - d0);
        const tileK = Math.min(k, dn);
        const tileDocs = input.docs.subarray(d0 * dim, (d0 + dn) * dim);
        let tile: TopKResult;
        if (blockHasNaN || tileHasNaN[d0 / DOC_TILE]) {
          const twin = topKCpuSync({ queries: blockQueries, docs: tileDocs, dim, k: tileK });
          tile = { queryCount: qn, k: twin.k, indices: twin.indices.map((i) => i + d0), scores: twin.scores };
        } else {
          const docs = new this.ort.Tensor('float32', tileDocs, [dn, dim]);
          const kTensor = new this.ort.Tensor('int64', BigInt64Array.of(BigInt(tileK)), [1]);
          const out = await this.session.run({ queries, docs, k: kTensor });
          tile = { queryCount: qn, k: tileK, indices: Int32Array.from(out.indices.data as BigInt64Array, (i) => Number(i) + d0), scores: Float32Array.from(out.values.data as Float32Array) };
          docs.dispose?.();
          out.values.dispose?.();
          out.indices.dispose?.();
        }
        best = best ? mergeTopK(best, tile, k) : tile;
      }
      queries.dispose?.();
      scores.set(best!.scores, q0 * k);
      indices.set(best!.indices, q0 * k);
    }
    return { queryCount, k, indices, scores };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function hasNaN(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return true;
  return false;
}

/** `values, indices = TopK(Gemm(queries, docs, transB = 1), k)` — built once, with dynamic sizes. */
function topKGraph(): Uint8Array {
  return encodeModel({
    name: 'embedlab-cosine-topk',
    opset: 13,
    nodes: [
      { op: 'Gemm', inputs: ['queries', 'docs'], outputs: ['scores'], attributes: { transB: 1 } },
      { op: 'TopK', inputs: ['scores', 'k'], outputs: ['values', 'indices'], attributes: { axis: 1, largest: 1, sorted: 1 } },
    ],
    initializers: [],
    inputs: [
      { name: 'queries', elemType: ONNX_FLOAT, shape: ['query_count', 'dim'] },
      { name: 'docs', elemType: ONNX_FLOAT, shape: ['doc_count', 'dim'] },
      { name: 'k', elemType: ONNX_INT64, shape: [1] },
    ],
    outputs: [
      { name: 'values', elemType: ONNX_FLOAT, shape: ['query_count', 'k'] },
      { name: 'indices', elemType: ONNX_INT64, shape: ['query_count', 'k'] },
    ],
  });
}
