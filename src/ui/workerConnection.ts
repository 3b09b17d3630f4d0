import { wrap, type Remote } from 'comlink';
import { isLifelineMessage } from '../worker/lifeline.ts';

/** Why a worker can no longer answer: it did not start, its part failed to load, or it ended. */
export class WorkerStoppedError extends Error {
  override readonly name = 'WorkerStoppedError';
}

/** A worker as the page uses it: its calls, and how it failed. */
export interface WorkerConnection<T> {
  /** The worker's API; every call pending when the worker fails, and every later one, rejects with the failure. */
  readonly remote: Remote<T>;
  /** Settles with the failure once the worker fails (never while it works). */
  readonly failed: Promise<WorkerStoppedError>;
  /** Ends the worker and fails its calls with `message` (the page does so when its other worker failed). */
  stop(message: string): void;
}

/** What the page says of a worker: its name and what is lost with it. */
export interface WorkerDescription {
  /** "the data worker" */
  name: string;
  /** "the dataset and the results" */
  holds: string;
}

/**
 * Wraps `worker` with comlink and gives it a failure path, which comlink has none of (its calls wait for an
 * answer forever). Failures noticed: an `error` event before the worker said its script runs (the script did
 * not load or threw at the top), the worker's own report that its part failed to load, and its end — the
 * Web Lock it held is released, which the page waits for; `close()` or a crash of its thread sends no event.
 */
export function connectWorker<T>(worker: Worker, description: WorkerDescription): WorkerConnection<T> {
  let running = false;
  let fail!: (error: WorkerStoppedError) => void;
  const failed = new Promise<WorkerStoppedError>((resolve) => (fail = resolve));
  let stopped: WorkerStoppedError | null = null;
  const stop = (message: string) => {
    if (stopped) return;
    stopped = new WorkerStoppedError(message);
    worker.terminate();
    fail(stopped);
  };
  const lost = `what it held (${description.holds}) is gone`;

  worker.addEventListener('error', (event) => {
    if (running) return; // once its script runs, an uncaught error is a bug to log, not the end of the worker
    const detail = (event as ErrorEvent).message || 'its script could not be loaded';
    stop(`${capitalised(description.name)} did not start: ${detail}.`);
  });
  worker.addEventListener('message', (event: MessageEvent) => {
    const { data } = event;
    if (!isLifelineMessage(data)) return;
    if (data.embedlabWorker === 'failed') {
      stop(`${capitalised(description.name)} failed while loading: ${data.message}.`);
      return;
    }
    running = true;
    // Granted only once the worker's lock is released: when the worker is gone.
    if (data.lifeline) void navigator.locks.request(data.lifeline, () => stop(`${capitalised(description.name)} stopped unexpectedly (ended by the browser: out of memory, or a crash); ${lost}.`));
  });

  const remote = rejectingOnFailure(wrap<T>(worker), failed.then((error) => Promise.reject(error)));
  return { remote, failed, stop };
}

/** `remote` whose method calls reject with `failure` once it rejects, answered or not. */
function rejectingOnFailure<T>(remote: Remote<T>, failure: Promise<never>): Remote<T> {
  // Marked as handled: only the calls racing it report the failure, each to its caller.
  failure.catch(() => undefined);
  return new Proxy(remote as object, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof property !== 'string' || property === 'then') return value;
      return (...args: unknown[]) => Promise.race([(value as (...a: unknown[]) => Promise<unknown>)(...args), failure]);
    },
  }) as Remote<T>;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
