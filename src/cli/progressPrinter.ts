import type { ComparisonProgress } from '../core/eval/compare.ts';
import { duration } from '../core/report/duration.ts';

/** Where progress goes: stderr, or a test's recorder. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Texts between two redraws of the live line. */
const REDRAW_EVERY = 64;

/**
 * Stage lines on `stream`: what was encoded, what came from the cache, how long (BM25: what it indexed and searched). On a terminal a live line
 * also shows the count, the rate and the time left (estimated by the encoder from tokens); piped output
 * gets only the finished lines, so CI logs stay readable.
 */
export function progressPrinter(stream: ProgressStream, now: () => number = Date.now): (progress: ComparisonProgress) => void {
  const tty = stream.isTTY === true;
  let shown = 0;
  const started = new Map<string, number>();
  const seconds = (key: string) => ((now() - started.get(key)!) / 1000).toFixed(1);
  return (p) => {
    const key = `${p.checkpoint}:${p.stage}`;
    if (!started.has(key)) {
      started.set(key, now());
      shown = 0;
    }
    const who = p.name ?? 'all models';
    if (p.stage === 'documents' || p.stage === 'queries') {
      if (p.finished) {
        if (tty) stream.write('\r\x1b[K');
        stream.write(`${who}: ${p.stage}: ${p.finished.encoded} encoded, ${p.finished.cached} from cache (${p.finished.seconds.toFixed(1)} s)\n`);
      } else if (tty && p.done - shown >= REDRAW_EVERY) {
        shown = p.done;
        const pace = p.textsPerSecond ? ` · ${p.textsPerSecond.toFixed(1)} texts/s · ${duration(p.etaSeconds)} left` : '';
        stream.write(`\r\x1b[K${who}: ${p.stage} ${p.done}/${p.total}${pace}`);
      }
      return;
    }
    if (p.stage === 'index' || p.stage === 'search') {
      if (p.seconds !== undefined) {
        if (tty) stream.write('\r\x1b[K');
        stream.write(`${who}: ${lexicalLine(p.stage, p.total, p.cached === p.total && p.stage === 'index', p.seconds)}\n`);
      } else if (tty && p.done - shown >= REDRAW_EVERY) {
        shown = p.done;
        const pace = p.textsPerSecond ? ` · ${p.textsPerSecond.toFixed(1)} ${p.stage === 'index' ? 'documents' : 'queries'}/s · ${duration(p.etaSeconds)} left` : '';
        stream.write(`\r\x1b[K${who}: ${p.stage === 'index' ? 'indexing documents' : 'searching the index'} ${p.done}/${p.total}${pace}`);
      }
      return;
    }
    if ((p.stage === 'vectors' || p.stage === 'rankings') && p.done === p.total) {
      stream.write(`${who}: ${p.stage} read (${seconds(key)} s)\n`);
    }
    if (p.step && tty) stream.write(`\r\x1b[K${who}: diagnostics: ${p.step} (${p.done + 1} of ${p.total})`);
    if ((p.stage === 'diagnostics' || p.stage === 'sweep') && p.done === p.total) {
      if (tty && p.stage === 'diagnostics') stream.write('\r\x1b[K');
      stream.write(`${who}: ${p.stage === 'sweep' ? 'compression sweep' : 'diagnostics'} (${seconds(key)} s)\n`);
    }
  };
}

/** BM25's finished stages in words: it encodes nothing, so its lines say what it did instead. */
function lexicalLine(stage: 'index' | 'search', count: number, reused: boolean, seconds: number): string {
  if (stage === 'search') return `searched the index for ${count} ${count === 1 ? 'query' : 'queries'} (${seconds.toFixed(1)} s)`;
  const documents = `${count} ${count === 1 ? 'document' : 'documents'}`;
  return reused ? `the index of ${documents} built by an earlier BM25 checkpoint` : `indexed ${documents} (${seconds.toFixed(1)} s)`;
}
