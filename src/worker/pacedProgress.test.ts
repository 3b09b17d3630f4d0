import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pacedProgress, type PacedReport } from './pacedProgress.ts';

const at = (checkpoint: number | null, stage: string, done: number, total = 100, step?: string): PacedReport => ({ checkpoint, stage, done, total, ...(step ? { step } : {}) });

describe('pacedProgress', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('passes at most one report per interval for a checkpoint, and the newest held one when it ends', async () => {
    const passed: PacedReport[] = [];
    const paced = pacedProgress((p) => void passed.push(p), 200);
    void paced.report(at(0, 'documents', 0));
    for (let done = 1; done <= 9; done++) {
      vi.advanceTimersByTime(30);
      void paced.report(at(0, 'documents', done));
    }
    // At 270 ms: the first report, and the one held at 180 ms, passed when the interval ended at 200 ms.
    expect(passed.map((p) => p.done)).toEqual([0, 6]);
    vi.advanceTimersByTime(200);
    // 7 and 8 were replaced while held; 9 passed when the next interval ended, at 400 ms.
    expect(passed.map((p) => p.done)).toEqual([0, 6, 9]);
    vi.advanceTimersByTime(1000);
    expect(passed.map((p) => p.done)).toEqual([0, 6, 9]);
  });

  it('passes a new stage or step, a last count and another checkpoint at once, and drops held reports on stop', () => {
    const passed: PacedReport[] = [];
    const paced = pacedProgress((p) => void passed.push(p), 200);
    void paced.report(at(0, 'documents', 0));
    void paced.report(at(0, 'documents', 5));
    void paced.report(at(0, 'documents', 100));
    void paced.report(at(0, 'queries', 0));
    void paced.report(at(1, 'queries', 0));
    void paced.report(at(0, 'diagnostics', 0, 5, 'clusters'));
    void paced.report(at(0, 'diagnostics', 1, 5, 'neighbour coherence'));
    void paced.report(at(0, 'diagnostics', 1, 5, 'neighbour coherence'));
    expect(passed.map((p) => `${p.checkpoint} ${p.stage} ${p.done}`)).toEqual(['0 documents 0', '0 documents 100', '0 queries 0', '1 queries 0', '0 diagnostics 0', '0 diagnostics 1']);
    paced.stop();
    vi.advanceTimersByTime(1000);
    expect(passed).toHaveLength(6);
  });

  it('answers a held report after a task, and a passed one when its round trip settles', async () => {
    let settle!: () => void;
    const paced = pacedProgress(() => new Promise<void>((resolve) => (settle = resolve)), 200);
    let first = false;
    void paced.report(at(0, 'documents', 0)).then(() => (first = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(first).toBe(false);
    settle();
    await vi.advanceTimersByTimeAsync(0);
    expect(first).toBe(true);
    let held = false;
    void paced.report(at(0, 'documents', 1)).then(() => (held = true));
    expect(held).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(held).toBe(true);
    paced.stop();
  });
});
