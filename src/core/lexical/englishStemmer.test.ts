import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs, SHARED } from '../../../tests/paths.ts';
import { loadBm25Tokenizer } from './bm25Tokenizer.ts';
import { loadEnglishStemmer } from './englishStemmer.ts';

const SCIFACT = path.join(SHARED, 'data', 'scifact');

/** Why PyStemmer cannot run here, or null when it can. */
function pyStemmerMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import Stemmer'], { encoding: 'utf8' });
  if (probe.error) return `python3 cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return 'python3 lacks PyStemmer (pip install PyStemmer)';
  return null;
}
const MISSING = pyStemmerMissing();

describe('the Snowball English stemmer', () => {
  it('is Snowball 3 English, as PyStemmer 3 bundles it (the words where Snowball 2 ports differ)', async () => {
    const stem = await loadEnglishStemmer();
    // Values of PyStemmer 3.1.0 `Stemmer.Stemmer("english").stemWord`; snowball-stemmers and porter2 give
    // ad, ad, biologist, univers, intern, organ.
    const words = ['added', 'adding', 'biologists', 'universal', 'internal', 'organism', 'running', 'generously', 'skies', 'dying', 'news'];
    expect(words.map(stem)).toEqual(['add', 'add', 'biolog', 'universal', 'internal', 'organism', 'run', 'generous', 'sky', 'die', 'news']);
  });

  it.skipIf(MISSING !== null || !readable(SCIFACT))(
    MISSING ? `equals PyStemmer on every distinct SciFact word — skipped: ${MISSING}` : needs(SCIFACT, 'equals PyStemmer on every distinct SciFact word (corpus and queries)'),
    async () => {
      const tokenizer = await loadBm25Tokenizer({ stemmer: null });
      const distinct = new Set<string>();
      for (const file of ['corpus.jsonl', 'queries.jsonl']) {
        for (const line of readFileSync(path.join(SCIFACT, file), 'utf8').split('\n')) {
          if (!line.trim()) continue;
          const record = JSON.parse(line) as { title?: string; text: string };
          for (const word of tokenizer.terms(`${record.title ?? ''} ${record.text}`)) distinct.add(word);
        }
      }
      const words = [...distinct].sort();
      const run = spawnSync('python3', ['-c', 'import json, sys, Stemmer; print(json.dumps(Stemmer.Stemmer("english").stemWords(json.load(sys.stdin))))'], {
        input: JSON.stringify(words),
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(run.status, run.stderr).toBe(0);
      const expected = JSON.parse(run.stdout) as string[];
      const stem = await loadEnglishStemmer();
      const mismatches = words.flatMap((word, i) => (stem(word) === expected[i] ? [] : [`${word}: ${stem(word)} ≠ ${expected[i]}`]));
      expect(words.length).toBeGreaterThan(30_000);
      expect(mismatches).toEqual([]);
    },
  );
});

function readable(folder: string): boolean {
  try {
    readFileSync(path.join(folder, 'queries.jsonl'));
    return true;
  } catch {
    return false;
  }
}
