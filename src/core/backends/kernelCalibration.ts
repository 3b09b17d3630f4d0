import { topKCpu } from '../kernels/topk/topk.cpu.ts';
import type { TopKInput, TopKKernel } from '../kernels/topk/topk.types.ts';
import { mulberry32 } from '../metrics/random.ts';
import { normalizeRows } from '../vectors/normalize.ts';
import type { Probe } from './chooseBackend.ts';

/** The tile the kernels' backend is measured on: a slice of a real job (64 queries × 8 192 documents × 384). */
const CALIBRATION_TILE = { queries: 64, docs: 8192, dim: 384, k: 100 } as const;

/**
 * Seconds of the top-k tile on the GPU kernel and on the CPU kernel the run would otherwise use (the
 * JavaScript twin unless another is given), each after one untimed warm-up run (pipeline compilation, first
 * upload). A GPU failure is reported, not thrown: the rule then keeps the CPU.
 */
export async function timeTopKTile(gpu: TopKKernel, cpuKernel: TopKKernel = topKCpu): Promise<{ gpu: Probe; cpu: { seconds: number } }> {
  const random = mulberry32(7);
  const rows = (count: number) => {
    const v = Float32Array.from({ length: count * CALIBRATION_TILE.dim }, () => random() - 0.5);
    normalizeRows(v, CALIBRATION_TILE.dim);
    return v;
  };
  const input: TopKInput = { queries: rows(CALIBRATION_TILE.queries), docs: rows(CALIBRATION_TILE.docs), dim: CALIBRATION_TILE.dim, k: CALIBRATION_TILE.k };
  const time = async (run: TopKKernel) => {
    await run(input);
    const started = performance.now();
    await run(input);
    return (performance.now() - started) / 1000;
  };
  const cpu = { seconds: await time(cpuKernel) };
  try {
    return { gpu: { seconds: await time(gpu) }, cpu };
  } catch (error) {
    return { gpu: { failed: (error as Error).message }, cpu };
  }
}
