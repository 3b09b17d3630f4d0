import { describe, expect, it } from 'vitest';
import { chooseBackend, GPU_MARGIN, needsMeasurement } from './chooseBackend.ts';

const GPU = { description: 'nvidia ampere', isFallbackAdapter: false };
const SOFTWARE = { description: 'google swiftshader', isFallbackAdapter: true };

describe('the backend rule', () => {
  it('takes WebGPU only when it measured faster by the margin', () => {
    expect(chooseBackend({ adapter: GPU, gpu: { seconds: 0.1 }, cpu: { seconds: 0.84 } }, 'WASM')).toEqual({
      side: 'gpu',
      reason: '8.4× faster than WASM here',
      speedup: expect.closeTo(8.4, 12),
      gpuSeconds: 0.1,
      cpuSeconds: 0.84,
    });
    expect(chooseBackend({ adapter: GPU, gpu: { seconds: 1 }, cpu: { seconds: 0.6 } }, 'WASM')).toMatchObject({ side: 'cpu', reason: 'WebGPU measured 0.60× of WASM here' });
  });

  it('gives a tie, and anything within the margin, to the CPU side', () => {
    expect(chooseBackend({ adapter: GPU, gpu: { seconds: 1 }, cpu: { seconds: 1 } }, 'WASM').side).toBe('cpu');
    expect(chooseBackend({ adapter: GPU, gpu: { seconds: 1 }, cpu: { seconds: GPU_MARGIN * 0.999 } }, 'WASM').side).toBe('cpu');
    expect(chooseBackend({ adapter: GPU, gpu: { seconds: 1 }, cpu: { seconds: GPU_MARGIN } }, 'WASM').side).toBe('gpu');
  });

  it('never takes a software adapter, a lost device, a failed probe or a missing adapter, and says why', () => {
    expect(chooseBackend({ adapter: SOFTWARE, gpu: { seconds: 0.001 }, cpu: { seconds: 10 } }, 'WASM')).toMatchObject({ side: 'cpu', reason: 'WebGPU is a software adapter (google swiftshader)' });
    expect(chooseBackend({ adapter: GPU, lost: 'destroyed', gpu: { seconds: 0.1 }, cpu: { seconds: 1 } }, 'WASM')).toMatchObject({ side: 'cpu', reason: 'the GPU device was lost (destroyed)' });
    expect(chooseBackend({ adapter: GPU, gpu: { failed: 'no kernel for GatherElements' }, cpu: { seconds: 1 } }, 'WASM')).toMatchObject({
      side: 'cpu',
      reason: 'WebGPU failed here (no kernel for GatherElements)',
    });
    expect(chooseBackend({ adapter: null }, 'the CPU kernels')).toMatchObject({ side: 'cpu', reason: 'WebGPU is not available in this browser' });
  });

  it('measures only where the answer depends on it', () => {
    expect(needsMeasurement({ adapter: GPU })).toBe(true);
    expect(needsMeasurement({ adapter: SOFTWARE })).toBe(false);
    expect(needsMeasurement({ adapter: GPU, lost: 'x' })).toBe(false);
    expect(needsMeasurement({ adapter: null })).toBe(false);
    expect(() => chooseBackend({ adapter: GPU }, 'WASM')).toThrow(/needs both timings/);
  });
});

describe('the kernels’ calibration tile', () => {
  it('times both twins after a warm-up, and reports a failing GPU kernel instead of throwing', async () => {
    const { timeTopKTile } = await import('./kernelCalibration.ts');
    const { topKCpu } = await import('../kernels/topk/topk.cpu.ts');
    const timed = await timeTopKTile(topKCpu);
    expect(timed.cpu.seconds).toBeGreaterThan(0);
    expect('seconds' in timed.gpu && timed.gpu.seconds > 0).toBe(true);
    const failing = await timeTopKTile(async () => Promise.reject(new Error('device lost')));
    expect(failing.gpu).toEqual({ failed: 'device lost' });
    expect(chooseBackend({ adapter: GPU, ...failing }, 'the CPU kernels').side).toBe('cpu');
  }, 30_000);
});
