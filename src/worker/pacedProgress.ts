/** What a paced report needs: whose it is, where it stands, and how far along. */
export interface PacedReport {
  checkpoint: number | null;
  stage: string;
  step?: string;
  done: number;
  total: number;
}

export interface PacedProgress<P extends PacedReport> {
  /**
   * Settles when a passed report's round trip does, or after one task for a held one: a caller that awaits
   * it still gives a cancel message its turn.
   */
  report(progress: P): Promise<void>;
  /** Drops the reports still held (the run is over: nothing may arrive after its result). */
  stop(): void;
}

/**
 * Passes progress on to the page at most once per `intervalMs` for each checkpoint. A small model reports a
 * batch every few milliseconds, and each report that reaches the page is a task and a frame on its main
 * thread, which competes for the cores the encoder is using. A new stage or step, and a stage's last
 * count, pass at once; a report held back is passed when its interval ends, unless a newer one replaced it.
 */
export function pacedProgress<P extends PacedReport>(forward: (progress: P) => void | Promise<void>, intervalMs = 200): PacedProgress<P> {
  const passed = new Map<number | null, { at: number; stage: string; step: string | undefined }>();
  const held = new Map<number | null, ReturnType<typeof setTimeout>>();
  const pass = (progress: P) => {
    passed.set(progress.checkpoint, { at: performance.now(), stage: progress.stage, step: progress.step });
    return forward(progress);
  };
  return {
    async report(progress) {
      const key = progress.checkpoint;
      clearTimeout(held.get(key));
      held.delete(key);
      const last = passed.get(key);
      const milestone = !last || last.stage !== progress.stage || last.step !== progress.step || progress.done >= progress.total;
      const wait = last ? last.at + intervalMs - performance.now() : 0;
      if (milestone || wait <= 0) return pass(progress);
      held.set(
        key,
        setTimeout(() => {
          held.delete(key);
          // A report that fails to reach the page is only a stale bar; the run goes on.
          Promise.resolve(pass(progress)).catch(() => undefined);
        }, wait),
      );
      await new Promise((resolve) => setTimeout(resolve));
    },
    stop() {
      for (const timer of held.values()) clearTimeout(timer);
      held.clear();
    },
  };
}
