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
