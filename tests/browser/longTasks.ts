import type { Page } from 'playwright-core';

/** A main-thread task of 50 ms or more, as PerformanceObserver 'longtask' reports it (page time, ms). */
export interface LongTask {
  start: number;
  duration: number;
}

/** Records the page's long tasks from its very start (call before `goto`); `longTasks` reads them. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    Object.assign(window, { longTasks: tasks });
  });
}

export function longTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks);
}

/** One task of the page's main thread from a Chromium trace: its wall time and the CPU time it used. */
export interface TracedTask {
  /** From the trace's first task. */
  atMs: number;
  wallMs: number;
  cpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { frames?: { processId: number; isOutermostMainFrame?: boolean }[] } };
}

/**
 * Starts a Chromium trace of the page; `stop` ends it and returns every task its main thread ran meanwhile.
 * A long task's wall time also counts the time the thread waited for a core, which on a two-core machine
 * whose cores both run the encoder can be several times the work the task did; the thread time (`cpuMs`) is
 * the work alone.
 */
export async function traceMainThread(page: Page): Promise<{ stop(): Promise<TracedTask[]> }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  // Only the tasks (and the metadata that names processes and threads): Chromium's default categories, on
  // unless excluded, made a trace too large to collect in good time.
  await cdp.send('Tracing.start', { categories: '-*,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      const started = events.find((e) => e.name === 'TracingStartedInBrowser');
      const pid = started?.args?.data?.frames?.find((f) => f.isOutermostMainFrame)?.processId;
      const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain');
      if (!main) throw new Error('the trace names no main thread for the page');
      const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main.pid && e.tid === main.tid);
      const first = Math.min(...tasks.map((e) => e.ts));
      return tasks.map((e) => ({ atMs: (e.ts - first) / 1000, wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 }));
    },
  };
}
