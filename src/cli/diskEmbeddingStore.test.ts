import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWithCache } from '../core/eval/embeddingCache.ts';
import { diskEmbeddingStore, HEADER_BYTES, rowBytes, SHARD_FILE } from './diskEmbeddingStore.ts';

const DIM = 8;
const MODEL = 'model-fingerprint';
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
/** A vector only its text gives: what a model would encode, so a wrong row is visible. */
function vectorOf(text: string): Float32Array {
  const seed = createHash('sha256').update(`v:${text}`).digest();
  return Float32Array.from({ length: DIM }, (_, j) => (seed[j] - 127.5) / 64);
}
const rowsOf = (texts: readonly string[]) => {
  const out = new Float32Array(texts.length * DIM);
  texts.forEach((t, i) => out.set(vectorOf(t), i * DIM));
  return out;
};
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'embedlab-cache-'));
const shardPath = (root: string) => path.join(root, MODEL, SHARD_FILE);
const texts = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Encodes through the cache with a counting encoder: what was encoded now, and the rows it returned. */
async function run(root: string, list: readonly string[]) {
  let encoded = 0;
  const result = await encodeWithCache(list, MODEL, diskEmbeddingStore(root), async (missing) => {
    encoded += missing.length;
    return { vectors: rowsOf(missing), count: missing.length, dim: DIM };
  });
  return { encoded, vectors: result.vectors };
}

describe('the disk embedding cache', () => {
  it('keeps one row per text when a batch repeats a text, and hits on the next run', async () => {
    const root = freshDir();
    const list = ['same', 'other', 'same', '', '', 'third'];
    const first = await run(root, list);
    expect(first.encoded).toBe(6);
    // Four distinct texts: four rows, not six.
    expect(statSync(shardPath(root)).size).toBe(HEADER_BYTES + 4 * rowBytes(DIM));
    const second = await run(root, list);
    expect(second.encoded).toBe(0);
    expect(second.vectors).toEqual(rowsOf(list));
  });

  it('never loses the entries it had: a later batch with duplicates adds to them', async () => {
    const root = freshDir();
    await run(root, texts(20));
    await run(root, ['new', 'new', 't3', 't3']);
    const again = await run(root, [...texts(20), 'new']);
    expect(again.encoded).toBe(0);
    expect(statSync(shardPath(root)).size).toBe(HEADER_BYTES + 21 * rowBytes(DIM));
  });

  it('repairs a torn shard up to its last whole row', async () => {
    const root = freshDir();
    await run(root, texts(10));
    // A run killed in the middle of its 11th row.
    const file = shardPath(root);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(rowBytes(DIM) >> 1, 7)]));
    const read = await run(root, texts(10));
    expect(read.encoded).toBe(0);
    expect(read.vectors).toEqual(rowsOf(texts(10)));
    // Cut in the middle of the 10th row instead: that row alone is lost, and the next append repairs the file.
    truncateSync(file, HEADER_BYTES + 9 * rowBytes(DIM) + 5);
    const after = await run(root, texts(12));
    expect(after.encoded).toBe(3);
    expect(after.vectors).toEqual(rowsOf(texts(12)));
    expect(statSync(file).size).toBe(HEADER_BYTES + 12 * rowBytes(DIM));
    expect((await run(root, texts(12))).encoded).toBe(0);
  });

  it('treats an entry damaged on disk as missing and encodes it again: never a wrong vector', async () => {
    const root = freshDir();
    const list = texts(40);
    await run(root, list);
    const file = shardPath(root);
    const bytes = readFileSync(file);
    // Zero the vectors of rows 3 and 17 in place, and flip one bit of row 30's key.
    for (const row of [3, 17]) bytes.fill(0, HEADER_BYTES + row * rowBytes(DIM) + 32, HEADER_BYTES + row * rowBytes(DIM) + 32 + DIM * 4);
    bytes[HEADER_BYTES + 30 * rowBytes(DIM)] ^= 1;
    writeFileSync(file, bytes);
    const damaged = await run(root, list);
    expect(damaged.encoded).toBe(3);
    expect(damaged.vectors).toEqual(rowsOf(list));
    // The re-encoded rows were stored again: the next run reads everything.
    expect((await run(root, list)).encoded).toBe(0);
  });

  it('reads nothing from a shard whose header is damaged, and starts it again', async () => {
    const root = freshDir();
    await run(root, texts(5));
    const file = shardPath(root);
    const bytes = readFileSync(file);
    bytes[9] ^= 0xff; // the dimension
    writeFileSync(file, bytes);
    const again = await run(root, texts(5));
    expect(again.encoded).toBe(5);
    expect(again.vectors).toEqual(rowsOf(texts(5)));
    expect((await run(root, texts(5))).encoded).toBe(0);
  });

  it('loses at most the write a process was killed in (kill -9)', async () => {
    const root = freshDir();
    const script = path.join(root, 'writer.mjs');
    const store = new URL('./diskEmbeddingStore.ts', import.meta.url).href;
    // Batches of 10 000 rows of 256 dimensions (10.6 MB), one after another, each announced before and after
    // it is written; row i of batch b holds sin(b·10⁵ + 7i + j).
    const [dim, batch] = [256, 10_000];
    const value = (b: number, i: number, j: number) => Math.fround(Math.sin(b * 1e5 + i * 7 + j));
    writeFileSync(
      script,
      `import { createHash } from 'node:crypto';
       const { diskEmbeddingStore } = await import(${JSON.stringify(store)});
       const store = diskEmbeddingStore(${JSON.stringify(root)});
       for (let b = 0; ; b++) {
         const hashes = Array.from({ length: ${batch} }, (_, i) => createHash('sha256').update('b' + b + ':' + i).digest('hex'));
         const rows = Float32Array.from({ length: ${batch * dim} }, (_, k) => Math.sin(b * 1e5 + Math.floor(k / ${dim}) * 7 + (k % ${dim})));
         process.stdout.write('writing ' + b + '\\n');
         await store.put(${JSON.stringify(MODEL)}, hashes, rows, ${dim});
         process.stdout.write('wrote ' + b + '\\n');
       }`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let announced = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        for (const match of text.matchAll(/wrote (\d+)/g)) announced = Number(match[1]);
        if (!/writing 3/.test(text)) return;
        // Killed in the middle of the fourth write: as soon as the file has grown past the third.
        const before = HEADER_BYTES + 3 * batch * rowBytes(dim);
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && (statSync(shardPath(root), { throwIfNoEntry: false })?.size ?? 0) <= before);
        child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(announced).toBe(2);
    // Every announced batch is there in full, and every row read is its text's own vector.
    const reader = diskEmbeddingStore(root);
    for (let b = 0; b <= 3; b++) {
      const got = await reader.get(MODEL, Array.from({ length: batch }, (_, i) => hashOf(`b${b}:${i}`)));
      if (b <= announced) expect(got.filter((v) => v === null).length).toBe(0);
      const wrong = got.filter((vector, i) => vector && !vector.every((x, j) => x === value(b, i, j))).length;
      expect(wrong).toBe(0);
    }
    // The next write repairs a torn tail and keeps every whole row.
    await reader.put(MODEL, [hashOf('after the crash')], new Float32Array(dim).fill(0.5), dim);
    expect((statSync(shardPath(root)).size - HEADER_BYTES) % rowBytes(dim)).toBe(0);
    const again = await diskEmbeddingStore(root).get(MODEL, [hashOf('b0:0'), hashOf('b2:9999'), hashOf('after the crash')]);
    expect(again.map((v) => v?.[0])).toEqual([value(0, 0, 0), value(2, 9999, 0), 0.5]);
  }, 60_000);

  it('moves a cache of the previous layout over, the rows of its duplicate bug included', async () => {
    const root = freshDir();
    const dir = path.join(root, MODEL);
    mkdirSync(dir, { recursive: true });
    // What the previous put() wrote for ['a', 'b', 'a']: two hashes, three rows (the last one zeros).
    const vectors = new Float32Array(3 * DIM);
    vectors.set(vectorOf('a'), 0);
    vectors.set(vectorOf('b'), DIM);
    writeFileSync(path.join(dir, 'vectors.f32'), new Uint8Array(vectors.buffer));
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ dim: DIM, hashes: [hashOf('a'), hashOf('b')] }));
    const read = await run(root, ['b', 'a', 'c']);
    expect(read.encoded).toBe(1);
    expect(read.vectors).toEqual(rowsOf(['b', 'a', 'c']));
    expect(existsSync(path.join(dir, 'index.json'))).toBe(false);
    expect((await run(root, ['a', 'b', 'c'])).encoded).toBe(0);
  });

  it('takes keys that are not SHA-256 hex as well', async () => {
    const root = freshDir();
    const store = diskEmbeddingStore(root);
    await store.put(MODEL, ['k1', 'k2', 'k1'], rowsOf(['x', 'y', 'x']), DIM);
    const again = await diskEmbeddingStore(root).get(MODEL, ['k2', 'k1', 'k3']);
    expect(again).toEqual([vectorOf('y'), vectorOf('x'), null]);
  });

  it('warns once, and goes on, when the cache cannot be written', async () => {
    const root = freshDir();
    // A file where the model's folder would go: every write fails (ENOTDIR / EEXIST).
    writeFileSync(path.join(root, MODEL), 'not a folder');
    const warnings: string[] = [];
    const store = diskEmbeddingStore(root, { warn: (line) => warnings.push(line) });
    await store.put(MODEL, [hashOf('a')], rowsOf(['a']), DIM);
    await store.put(MODEL, [hashOf('b')], rowsOf(['b']), DIM);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^warning: the embedding cache in ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be written \\(E[A-Z]+\\): this run's embeddings are not kept$`));
    expect(await store.get(MODEL, [hashOf('a')])).toEqual([null]);
  });
});
