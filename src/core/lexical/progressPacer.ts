/**
 * Paces a long loop's progress reports by time, not by count: documents differ in length by orders of
 * magnitude, and the data worker must get back to its message queue (a cancel, the next request) well within
 * 50 ms. The loop asks {@link ProgressPacer.due} after each item (a clock read) and awaits
 * {@link ProgressPacer.report} when it says so; across a worker boundary the report's round trip is the yield.
 */
export class ProgressPacer {
  private last = performance.now();

  constructor(
    private readonly onReport: ((done: number) => void | Promise<void>) | undefined,
    private readonly signal?: AbortSignal,
    private readonly intervalMs = 20,
  ) {}

  /** Whether `intervalMs` have passed since the last report (always false without a report to make). */
  due(): boolean {
    return this.onReport !== undefined && performance.now() - this.last >= this.intervalMs;
  }

  /** Reports `done`, then throws when the signal aborted meanwhile. */
  async report(done: number): Promise<void> {
    this.signal?.throwIfAborted();
    this.last = performance.now();
    await this.onReport?.(done);
    this.signal?.throwIfAborted();
  }
}
