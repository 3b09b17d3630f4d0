/**
 * What a worker tells the page about itself, beside comlink's calls: that its script runs (and the name of
 * the Web Lock it holds while it lives), or that its part failed to load. A worker that the browser ends
 * (`close()`, a crash of its thread) sends no event to the page; the lock it held is released, and the page,
 * waiting for that lock, learns of it (see `src/ui/workerConnection.ts`).
 */

/** The key that marks these messages apart from comlink's (which carry an `id`). */
const KEY = 'embedlabWorker';

export type LifelineMessage =
  | { [KEY]: 'alive'; /** The Web Lock held until the worker ends; null where the browser has no Web Locks. */ lifeline: string | null }
  | { [KEY]: 'failed'; message: string };

export function isLifelineMessage(data: unknown): data is LifelineMessage {
  return typeof data === 'object' && data !== null && KEY in data;
}

export function aliveMessage(lifeline: string | null): LifelineMessage {
  return { [KEY]: 'alive', lifeline };
}

export function failedMessage(error: unknown): LifelineMessage {
  return { [KEY]: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Takes a Web Lock of a name no one else uses and holds it as long as this worker lives; resolves with the
 * name once held, or null where Web Locks are missing (an insecure context) or refused.
 */
export function holdLifeline(workerName: string): Promise<string | null> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return Promise.resolve(null);
  const name = `embedlab-worker-${workerName}-${crypto.randomUUID()}`;
  return new Promise((resolve) => {
    locks
      .request(name, () => {
        resolve(name);
        // Never settles: the lock goes only with the worker.
        return new Promise<never>(() => undefined);
      })
      .catch(() => resolve(null));
  });
}
