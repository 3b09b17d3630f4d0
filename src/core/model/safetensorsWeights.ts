/**
 * A checkpoint's {@link Weights} over its safetensors files, found as transformers finds them:
 * `model.safetensors`, else `model.safetensors.index.json` and the shards its `weight_map` names. Each
 * file is read once and held once; tensors become float32 only when asked for.
 */
import { ModelFolderError, readJson, type ModelSource } from './modelSource.ts';
import { parseSafetensors, tensorFloat32, type SafetensorsEntry, type SafetensorsFile } from './safetensors.ts';
import type { Weights } from './weights.ts';

const SAFETENSORS_FILE = 'model.safetensors';
const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
/** The pickled checkpoints transformers falls back to; the index first, as it is small to read. */
const PICKLE_FILES = ['pytorch_model.bin.index.json', 'pytorch_model.bin'] as const;

/** The folder's weights, or null when it has neither `model.safetensors` nor its index (see {@link refusePickle}). */
export async function readSafetensorsWeights(source: ModelSource): Promise<Weights | null> {
  // transformers prefers the single file when both are present; so do we.
  const single = await source.read(SAFETENSORS_FILE);
  if (single) return weightsOver(source.name, SAFETENSORS_FILE, [parseSafetensors(single, source.name, SAFETENSORS_FILE)]);
  const index = await readJson(source, SAFETENSORS_INDEX_FILE);
  if (!index) return null;
  const weightMap = readWeightMap(source.name, index);
  const shards = await readShards(source, weightMap);
  checkShards(source.name, weightMap, shards);
  return weightsOver(source.name, SAFETENSORS_INDEX_FILE, shards);
}

/**
 * Call when {@link readSafetensorsWeights} found nothing: throws when the folder holds a PyTorch pickle
 * instead, saying why the lab will not open it and how to write `model.safetensors`; returns when it
 * holds neither (the caller then says the weights are missing).
 */
export async function refusePickle(source: ModelSource & { has?(file: string): Promise<boolean> }): Promise<void> {
  for (const file of PICKLE_FILES) {
    // A source that can tell existence (the CLI's file source can) spares reading a pickle of gigabytes.
    const present = source.has ? await source.has(file) : (await source.read(file)) !== null;
    if (present) throw new ModelFolderError(source.name, file, pickleProblem(source.name));
  }
}

/** Exported so that the page and the CLI can show the same line where they explain a folder. */
export function pickleProblem(folder: string): string {
  const quoted = `'${folder.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return (
    'is a PyTorch pickle, and the lab does not open pickles: unpickling a file runs whatever code it holds. ' +
    'Write model.safetensors beside it (sentence-transformers saves safetensors; run this only on a checkpoint you trust, ' +
    `as it loads the pickle): python -c "from sentence_transformers import SentenceTransformer; ` +
    `SentenceTransformer(${quoted}).save(${quoted}, safe_serialization=True)"`
  );
}

/** `weight_map`: tensor name → shard file, each shard inside the folder. */
function readWeightMap(source: string, index: Record<string, unknown>): Map<string, string> {
  const fail: (problem: string) => never = (problem) => {
    throw new ModelFolderError(source, SAFETENSORS_INDEX_FILE, problem);
  };
  const weightMap = index.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    fail('has no "weight_map" object mapping tensor names to shard files');
  }
  const entries = Object.entries(weightMap as Record<string, unknown>);
  if (entries.length === 0) fail('has an empty "weight_map": it names no shard');
  for (const [tensor, shard] of entries) {
    if (typeof shard !== 'string' || shard === '') fail(`"weight_map" maps ${JSON.stringify(tensor)} to ${JSON.stringify(shard)}, not to a shard file name`);
    // A shard path must not lead out of the model folder (`../`, `/etc/…`): the index is untrusted too.
    if (shard.startsWith('/') || shard.split(/[\\/]/).includes('..')) fail(`"weight_map" names the shard ${JSON.stringify(shard)}, outside the model folder`);
  }
  return new Map(entries as [string, string][]);
}

/** Every shard the map names, read once, in file-name order (`-00001-of-` before `-00002-of-`). */
async function readShards(source: ModelSource, weightMap: ReadonlyMap<string, string>): Promise<SafetensorsFile[]> {
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of weightMap) byShard.set(shard, [...(byShard.get(shard) ?? []), tensor]);
  const files: SafetensorsFile[] = [];
  for (const shard of [...byShard.keys()].sort()) {
    const bytes = await source.read(shard);
    if (!bytes) {
      const tensors = byShard.get(shard)!;
      throw new ModelFolderError(
        source.name,
        SAFETENSORS_INDEX_FILE,
        `names the shard ${shard} for ${tensors.length} tensor(s) (${JSON.stringify(tensors[0])} first), but the folder has no such file`,
      );
    }
    files.push(parseSafetensors(bytes, source.name, shard));
  }
  return files;
}

/** A tensor lives in exactly one shard, the one the index says. Tensors a shard holds beyond the map count:
 * transformers loads every tensor of every shard. */
function checkShards(source: string, weightMap: ReadonlyMap<string, string>, shards: readonly SafetensorsFile[]): void {
  const owner = new Map<string, string>();
  for (const shard of shards) {
    for (const { name } of shard.tensors) {
      const first = owner.get(name);
      if (first) throw new ModelFolderError(source, shard.file, `holds tensor ${JSON.stringify(name)}, which ${first} holds too; a tensor must be stored once`);
      owner.set(name, shard.file);
    }
  }
  for (const [tensor, shard] of weightMap) {
    const actual = owner.get(tensor);
    if (actual !== shard) {
      const instead = actual ? ` (it is in ${actual})` : '';
      throw new ModelFolderError(source, SAFETENSORS_INDEX_FILE, `maps tensor ${JSON.stringify(tensor)} to ${shard}, which does not contain it${instead}`);
    }
  }
}

/** The {@link Weights} view over parsed files; `label` names the file lookups fail against. */
function weightsOver(source: string, label: string, files: readonly SafetensorsFile[]): Weights {
  const entries = new Map<string, SafetensorsEntry>(files.flatMap((file) => file.tensors.map((t) => [t.name, t] as const)));
  const entry = (name: string): SafetensorsEntry => {
    const found = entries.get(name);
    if (!found) throw new ModelFolderError(source, label, `has no tensor ${JSON.stringify(name)} (it has ${entries.size} tensors)`);
    return found;
  };
  return {
    source,
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    dims: (name) => entry(name).shape,
    float32: (name) => {
      const found = entry(name);
      return { dims: found.shape, data: tensorFloat32(found) };
    },
    fileOf: (name) => entry(name).file,
    dtypeOf: (name) => entry(name).dtype,
    files: files.map((file) => ({ file: file.file, bytes: file.bytes })),
  };
}
