/**
 * What a loaded folder keeps: the safetensors files are read, hashed and built into a graph, and then
 * nothing holds their bytes, so a session made from the graph is the only other copy of the weights.
 * Checked with weak references and a full garbage collection, not with memory figures (those are
 * `npm run bench:encode`'s).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { HAS_ST_ZOO, ST_ZOO, zooFolder } from '../../../tests/fixtures/stZoo.ts';
import { needs } from '../../../tests/paths.ts';
import { onnxSha256, readModelFolder, withoutOnnxBytes } from './modelFolder.ts';
import type { ModelSource } from './modelSource.ts';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** A folder on disk read afresh on every call, with a weak reference to every weights file it handed out. */
function watchedSource(dir: string): { source: ModelSource; handedOut: Map<string, WeakRef<ArrayBuffer>> } {
  const handedOut = new Map<string, WeakRef<ArrayBuffer>>();
  const source: ModelSource = {
    name: dir,
    async read(file) {
      const at = path.join(dir, file);
      if (!existsSync(at)) return null;
      const bytes = new Uint8Array(readFileSync(at));
      if (file.endsWith('.safetensors')) handedOut.set(file, new WeakRef(bytes.buffer));
      return bytes;
    },
  };
  return { source, handedOut };
}

/** Which of the weak references still reach their bytes after a full collection (a WeakRef holds within a job). */
async function stillHeld(refs: Map<string, WeakRef<object>>): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  return [...refs].filter(([, ref]) => ref.deref() !== undefined).map(([file]) => file);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'a folder read from safetensors keeps the weights once: in its graph'), () => {
  for (const [name, files] of [
    ['bert-mean', ['model.safetensors']],
    ['bert-max-bf16-sharded', ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']],
  ] as const) {
    it(`${name}: the files' bytes are let go once the graph is written, their digests kept`, async () => {
      const dir = zooFolder(name);
      const { source, handedOut } = watchedSource(dir);
      const folder = await readModelFolder(source, { format: 'safetensors' });
      expect([...handedOut.keys()].sort()).toEqual([...files]);
      expect(await stillHeld(handedOut)).toEqual([]);
      expect(folder.provenance.digests.filter((d) => d.file.endsWith('.safetensors'))).toEqual(
        files.map((file) => ({ file, sha256: sha256(readFileSync(path.join(dir, file))) })),
      );
      expect(folder.onnx.length).toBeGreaterThan(0);
    });
  }

  it('withoutOnnxBytes: the graph is let go, its digest kept, and reading it is an error that says why', async () => {
    // The folder is read inside a function of its own, so that only `kept` could keep its bytes.
    const release = async () => {
      const folder = await readModelFolder(watchedSource(zooFolder('bert-mean')).source, { format: 'safetensors' });
      const digest = sha256(folder.onnx);
      const kept = await withoutOnnxBytes(folder);
      // The caller's own folder still has its bytes: only what it keeps decides.
      expect(await onnxSha256(folder)).toBe(digest);
      expect(folder.onnx.length).toBeGreaterThan(0);
      return { kept, digest, graph: new Map([['graph', new WeakRef(folder.onnx.buffer)]]), provenance: folder.provenance, name: folder.spec.name };
    };
    const { kept, digest, graph, provenance, name } = await release();
    expect(await stillHeld(graph)).toEqual([]);
    expect(await onnxSha256(kept)).toBe(digest);
    expect(kept.provenance).toBe(provenance);
    expect(() => kept.onnx).toThrow(`${name}: the bytes of model.safetensors were let go once its session was made; read the folder again to make another session`);
    expect(() => ({ ...kept })).toThrow(/were let go/);
  });
});
