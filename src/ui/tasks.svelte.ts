/** Resolves in a later task: what follows runs after the browser has had a turn (input, a frame). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve));
}

/**
 * Runs `work` when the browser is idle (within two seconds at the latest); returns its cancel. Safari has
 * no requestIdleCallback, so there it runs in a later task.
 */
export function whenIdle(work: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(work, { timeout: 2000 });
    return () => cancelIdleCallback(handle);
  }
  const handle = setTimeout(work, 200);
  return () => clearTimeout(handle);
}

/**
 * A count that starts at 1 and rises by one per task up to `parts`: a component shows its part i once
 * `shown >= i`, so its mount is spread over tasks, each well under 50 ms, instead of one task that holds the
 * main thread for all of it. Call it while a component initialises (it starts an effect).
 */
export function partsPerTask(parts: number): { readonly shown: number } {
  let shown = $state(1);
  $effect(() => {
    let timer = setTimeout(function next() {
      shown++;
      if (shown < parts) timer = setTimeout(next);
    });
    return () => clearTimeout(timer);
  });
  return {
    get shown() {
      return shown;
    },
  };
}
