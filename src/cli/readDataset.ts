import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseBeir } from '../core/data/beir.ts';
import { DataError, type Dataset } from '../core/data/dataset.ts';

/** Reads a dataset from disk. Today: a BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv). */
export async function readDataset(location: string, split = 'test'): Promise<Dataset> {
  const info = await stat(location).catch(() => null);
  if (!info) throw new DataError({ file: location, message: 'no such file or folder' });
  if (!info.isDirectory()) throw new DataError({ file: location, message: 'expected a BEIR folder (corpus.jsonl, queries.jsonl, qrels/)' });
  const read = async (file: string) => {
    const full = path.join(location, file);
    try {
      return await readFile(full, 'utf8');
    } catch {
      throw new DataError({ file: full, message: 'missing: a BEIR folder needs corpus.jsonl, queries.jsonl and qrels/<split>.tsv' });
    }
  };
  const [corpus, queries, qrels] = await Promise.all([read('corpus.jsonl'), read('queries.jsonl'), read(path.join('qrels', `${split}.tsv`))]);
  return parseBeir({ name: path.basename(path.resolve(location)), corpus, queries, qrels, split });
}
