import { hasFile, ModelFolderError, readJson, type ModelSource } from './modelSource.ts';
import { ONNX_FILES, readModelSpec, type ModelSpec, type ModelVariant } from './modelSpec.ts';
import { TextTokenizer } from './textTokenizer.ts';
import { readSafetensorsWeights, refusePickle } from './safetensorsWeights.ts';
import { quantizeDynamic, QuantizeError } from '../onnx/quantizeDynamic.ts';
import { buildEncoder } from './encoders/buildEncoder.ts';
import { sha256Hex } from '../data/sha256.ts';
import { modelBytes, type SerializedModel } from '../onnx/graphBuilder.ts';

/** What some exporters call their int8 file. */
const INT8_ALIAS = 'onnx/model_int8.onnx';

/** Which weights of a folder to run: its ONNX export, its safetensors (graph built here), or the lab's pick. */
export type WeightsFormat = 'auto' | 'onnx' | 'safetensors';

/** Which file ran, so that a report never has to guess. */
export interface WeightsProvenance {
  format: 'onnx' | 'safetensors';
  /** The file (or, for shards, the index) that was run. */
  file: string;
  /**
   * SHA-256 of each file read for the weights, in order (one, or every shard; then Dense weights). An ONNX
   * export's own digest is added by {@link folderDigests} when first needed.
   */
  digests: { file: string; sha256: string }[];
  /** The encoder family the graph was built as (`bert`, `mpnet`, …); the config's model_type for exports. */
  family: string | null;
  /** The other format this folder also holds, which the user may pick instead. */
  alternative: 'onnx' | 'safetensors' | null;
}

/**
 * A built graph the shell wrote out instead of holding it (the CLI: a temporary file, so the load never
 * holds the graph's bytes beside the weights they were written from, nor beside onnxruntime's copy).
 */
export interface GraphFile {
  /** What the runtime makes its session from (onnxruntime-node: a file path). */
  path: string;
  /** SHA-256 of the bytes written: the digest an in-memory graph of the same model has. */
  sha256: string;
  /** Deletes the file; the session, once made, no longer needs it. */
  remove(): void;
}

/** The data file of a model's external data, as onnxruntime's `externalData` session option takes it. */
export interface ExternalWeights {
  path: string;
  data: Uint8Array;
}

/** The name a built graph's message gives its external data. */
const EXTERNAL_DATA_FILE = 'model.onnx.data';

/** Writes a built graph out, hashing it on the way: given by a shell that can make a session from a file. */
export type GraphWriter = (model: SerializedModel) => Promise<GraphFile>;

/** A model folder read and checked, ready for a runtime to create a session from `onnx` (or `graphFile`). */
export interface ModelFolder {
  spec: ModelSpec;
  tokenizer: TextTokenizer;
  /** The model's bytes; reading it throws where the graph went to {@link graphFile} instead. */
  onnx: Uint8Array;
  /** Where the built graph was written, when a {@link GraphWriter} took it: make the session from its path. */
  graphFile?: GraphFile;
  /**
   * A built graph's weights as ONNX external data (`onnx` is then the model message alone, which names
   * `path`): onnxruntime-web reads each tensor from `data` instead of parsing it out of one large message and
   * copying it again (see {@link ReadModelOptions.externalWeights}).
   */
  externalData?: ExternalWeights;
  /** True when the lab made this variant itself (dynamic int8 from the fp32 weights): `onnx` is worth saving. */
  madeHere?: boolean;
  provenance: WeightsProvenance;
}

/**
 * Where each variant's weights may sit, in order: the sentence-transformers layout first, then what plain
 * optimum exports (model.onnx at the root) and some int8 exporters (model_int8.onnx) write.
 */
const ONNX_CANDIDATES: Record<ModelVariant, readonly string[]> = {
  fp32: [ONNX_FILES.fp32, 'model.onnx'],
  fp16: [ONNX_FILES.fp16],
  quantized: [ONNX_FILES.quantized, INT8_ALIAS],
};

export interface ReadModelOptions {
  variant?: ModelVariant;
  /**
   * `auto` runs the safetensors (what training wrote; the graph is built here, so nothing an exporter
   * approximated or left out is lost) when the folder has them, else the ONNX export.
   */
  format?: WeightsFormat;
  /**
   * Where a graph built from safetensors goes instead of memory (fp32 only: the int8 variant is quantized
   * from the bytes). Without it the graph is returned as bytes, as the browser's runtime needs them.
   */
  writeGraph?: GraphWriter;
  /**
   * Without a writer, keep a graph built from safetensors (fp32) as a model message and its weights as
   * external data beside it (the page: onnxruntime-web's session then peaks lower while it loads).
   */
  externalWeights?: boolean;
}

/** Reads configuration, tokenizer and weights; every failure names the file at fault. */
export async function readModelFolder(source: ModelSource, options: ReadModelOptions | ModelVariant = {}): Promise<ModelFolder> {
  const { variant = 'fp32', format = 'auto', writeGraph, externalWeights = false } = typeof options === 'string' ? { variant: options } : options;
  const spec = await readModelSpec(source, variant);
  const tokenizer = TextTokenizer.fromSpec(spec);
  const has = await formatsPresent(source, variant);
  if (format === 'auto' && variant !== 'fp16' && !has.onnx && !has.safetensors) {
    // Say both places looked: "no ONNX export" alone reads as if safetensors were not an option.
    throw new ModelFolderError(
      source.name,
      ONNX_FILES.fp32,
      'not found (nor model.onnx at the top of the folder), and no model.safetensors (nor model.safetensors.index.json) either: the folder holds no weights to run',
    );
  }
  const chosen = chooseFormat(source.name, format, has, variant);
  if (chosen === 'safetensors') {
    // The int8 variant is quantized from the graph's bytes: written out, or split, they would not be at hand.
    const placement = variant === 'fp32' ? { writeGraph, externalWeights } : { externalWeights: false };
    const built = await builtFromSafetensors(source, spec, tokenizer, has.onnx ? 'onnx' : null, placement);
    if (variant === 'quantized') return quantized(built, built.provenance.file, await int8Export(source));
    return built;
  }
  const alternative = has.safetensors ? 'safetensors' : null;
  const found = await readOnnx(source, variant);
  if (found) {
    spec.onnxFile = found.file;
    if (alternative) spec.notes.push(`runs ${found.file}; the folder also has safetensors weights, which can be run instead`);
    // The export's digest is taken when a run first records it (folderDigests): hashing it here would slow the load.
    const digests = denseDigests(spec);
    return { spec, tokenizer, onnx: found.onnx, provenance: { format: 'onnx', file: found.file, digests, family: spec.modelType, alternative } };
  }
  if (variant === 'quantized') return madeInt8(source, spec, tokenizer, alternative);
  throw new ModelFolderError(
    source.name,
    spec.onnxFile,
    variant === 'fp32' ? 'not found (nor model.onnx at the top of the folder): no ONNX export to run' : `not found: this folder has no ${variant} export`,
  );
}

interface FormatsPresent {
  onnx: boolean;
  safetensors: boolean;
}

/** Which weights the folder holds; a pickle-only folder is refused here, before anything large is read. */
async function formatsPresent(source: ModelSource, variant: ModelVariant): Promise<FormatsPresent> {
  const exists = (file: string) => hasFile(source, file);
  const safetensors = (await exists('model.safetensors.index.json')) || (await exists('model.safetensors'));
  let onnx = false;
  for (const file of [...ONNX_CANDIDATES[variant], ...(variant === 'quantized' ? ONNX_CANDIDATES.fp32 : [])]) {
    if (await exists(file)) {
      onnx = true;
      break;
    }
  }
  if (!safetensors && !onnx) await refusePickle(source);
  return { onnx, safetensors };
}

function chooseFormat(name: string, asked: WeightsFormat, has: FormatsPresent, variant: ModelVariant): 'onnx' | 'safetensors' {
  if (asked === 'safetensors') {
    if (!has.safetensors) throw new ModelFolderError(name, 'model.safetensors', 'not found (nor model.safetensors.index.json): this folder has no safetensors weights');
    if (variant === 'fp16') throw new ModelFolderError(name, 'model.safetensors', 'is run in float32 arithmetic here; fp16 means the folder\'s onnx/model_fp16.onnx export');
    return 'safetensors';
  }
  if (asked === 'onnx') return 'onnx';
  return has.safetensors && variant !== 'fp16' ? 'safetensors' : 'onnx';
}

/** The encoder graph built from config.json and the tensors; the tensors are dropped once it is written. */
async function builtFromSafetensors(
  source: ModelSource,
  spec: ModelSpec,
  tokenizer: TextTokenizer,
  alternative: 'onnx' | null,
  { writeGraph, externalWeights }: { writeGraph?: GraphWriter; externalWeights: boolean },
): Promise<ModelFolder> {
  const config = await readJson(source, 'config.json');
  if (!config) throw new ModelFolderError(source.name, 'config.json', 'not found: the encoder graph is built from it and the safetensors weights');
  const weights = await readSafetensorsWeights(source);
  if (!weights) throw new ModelFolderError(source.name, 'model.safetensors', 'not found');
  const files = weights.files ?? [];
  const digests = [...(await Promise.all(files.map(async ({ file, bytes }) => ({ file, sha256: await sha256Hex(bytes) })))), ...denseDigests(spec)];
  const built = buildEncoder(config, weights);
  const file = files.length > 1 ? 'model.safetensors.index.json' : (files[0]?.file ?? 'model.safetensors');
  const dtypes = [...new Set(weights.names.map((n) => weights.dtypeOf(n)))];
  spec.onnxFile = file;
  spec.notes.push(
    `built here from ${files.length > 1 ? `${files.length} safetensors shards` : file} as a ${built.family} encoder` +
      (dtypes.some((d) => d !== 'F32') ? ` (${dtypes.join('/')} weights, computed in float32)` : '') +
      (alternative ? '; the folder also has an ONNX export, which can be run instead' : ''),
  );
  const provenance: WeightsProvenance = { format: 'safetensors', file, digests, family: built.family, alternative };
  if (!writeGraph && externalWeights) return { spec, tokenizer, ...splitModel(built.model), provenance };
  if (!writeGraph) return { spec, tokenizer, onnx: modelBytes(built.model), provenance };
  const graphFile = await writeGraph(built.model);
  return released({ spec, tokenizer, provenance, graphFile }, graphFile.sha256, inFileProblem(spec));
}

/** The model message and its weights as external data, each tensor copied once into the data. */
function splitModel(model: SerializedModel): { onnx: Uint8Array; externalData: ExternalWeights } {
  const layout = model.externalData(EXTERNAL_DATA_FILE);
  const data = new Uint8Array(layout.dataByteLength);
  for (const { bytes, tensor } of model.pieces()) {
    const at = tensor === undefined ? undefined : layout.offsets.get(tensor);
    if (at !== undefined) data.set(bytes, at);
  }
  return { onnx: layout.model, externalData: { path: EXTERNAL_DATA_FILE, data } };
}

/** The Dense modules' weight files run after pooling: part of what ran, so part of the record. */
function denseDigests(spec: ModelSpec): { file: string; sha256: string }[] {
  return spec.modules.flatMap((module) => (module.kind === 'dense' && module.weightsFile ? [module.weightsFile] : []));
}

/** The first of the variant's candidate files the folder has; null when it has none. */
async function readOnnx(source: ModelSource, variant: ModelVariant): Promise<{ file: string; onnx: Uint8Array } | null> {
  for (const file of ONNX_CANDIDATES[variant]) {
    const onnx = await source.read(file);
    if (onnx === null) continue;
    if (onnx.length < 16) throw new ModelFolderError(source.name, file, `is ${onnx.length} bytes long: not an ONNX model`);
    return { file, onnx };
  }
  return null;
}

/**
 * A folder with only fp32 weights asked for int8: the lab quantizes them itself (dynamic int8, the graph
 * onnxruntime's `quantize_dynamic` makes) and says so; the page and `embedlab quantize` offer the file.
 * Configuration and tokenizer are the ones already read: only the fp32 weights are read besides.
 */
async function madeInt8(source: ModelSource, spec: ModelSpec, tokenizer: TextTokenizer, alternative: 'safetensors' | null): Promise<ModelFolder> {
  const fp32 = await readOnnx(source, 'fp32');
  if (!fp32) throw new ModelFolderError(source.name, ONNX_FILES.fp32, 'not found (nor model.onnx at the top of the folder): no ONNX export to run');
  const digests = [{ file: fp32.file, sha256: await sha256Hex(fp32.onnx) }, ...denseDigests(spec)];
  return quantized({ spec, tokenizer, onnx: fp32.onnx, provenance: { format: 'onnx', file: fp32.file, digests, family: spec.modelType, alternative } }, fp32.file, null);
}

/** The folder's own int8 export, if it has one (only asked where the safetensors ran instead of it). */
async function int8Export(source: ModelSource): Promise<string | null> {
  for (const file of ONNX_CANDIDATES.quantized) if (await hasFile(source, file)) return file;
  return null;
}

/**
 * The int8 variant of `fp32`, made here. `savedInt8` is the folder's own int8 file when the graph was built
 * from safetensors although the folder has one: the note then says that file did not run, rather than that
 * there is none; and since the safetensors run first, saving the made file reuses it only with the ONNX weights.
 */
function quantized(fp32: ModelFolder, from: string, savedInt8: string | null): ModelFolder {
  const { spec } = fp32;
  let made;
  try {
    made = quantizeDynamic(fp32.onnx);
  } catch (error) {
    if (error instanceof QuantizeError) throw new ModelFolderError(spec.name, from, `cannot be quantized to int8: ${error.message}`);
    throw error;
  }
  spec.onnxFile = ONNX_FILES.quantized;
  const how = `made here from ${from} by dynamic int8 quantization (${made.quantizedNodes} MatMul/Gemm weights, ` +
    `${(fp32.onnx.length / 1e6).toFixed(1)} → ${(made.model.length / 1e6).toFixed(1)} MB)`;
  const fromSafetensors = fp32.provenance.format === 'safetensors';
  spec.notes.push(
    savedInt8
      ? `int8 ${how}; the folder's ${savedInt8} did not run: it runs when the ONNX export is chosen instead of the safetensors`
      : fromSafetensors
        ? `no int8 export in the folder: ${how}; saved as onnx/model_quantized.onnx, it is reused when the ONNX export is chosen instead of the safetensors`
        : `no int8 export in the folder: ${how}; save it as onnx/model_quantized.onnx to reuse it`,
  );
  return { ...fp32, onnx: made.model, madeHere: true };
}

/** The provenance's digests, the ONNX export's included (hashed once, on first call, then kept). */
export async function folderDigests(folder: ModelFolder): Promise<WeightsProvenance['digests']> {
  const { provenance } = folder;
  if (provenance.format === 'onnx' && !folder.madeHere && !provenance.digests.some((d) => d.file === provenance.file)) {
    provenance.digests.unshift({ file: provenance.file, sha256: await onnxSha256(folder) });
  }
  return provenance.digests;
}

/** Digests of model bytes, one per array: a run's record and the embedding cache's key ask for the same one. */
const bytesDigests = new WeakMap<Uint8Array, Promise<string>>();
/** Folders made by {@link withoutOnnxBytes}: the digest their bytes had. */
const releasedDigests = new WeakMap<ModelFolder, string>();

/** SHA-256 of the bytes a session is made from (the export as read, or the graph built or quantized here). */
export function onnxSha256(folder: ModelFolder): Promise<string> {
  const released = releasedDigests.get(folder);
  if (released !== undefined) return Promise.resolve(released);
  const bytes = folder.onnx;
  let digest = bytesDigests.get(bytes);
  if (!digest) bytesDigests.set(bytes, (digest = folder.externalData ? splitDigest(bytes, folder.externalData.data) : sha256Hex(bytes)));
  return digest;
}

/**
 * A split model's digest: of the message and of its data's digest, so that it covers every weight without
 * joining the two into one copy to hash (the browser's Web Crypto hashes one buffer at a time).
 */
async function splitDigest(message: Uint8Array, data: Uint8Array): Promise<string> {
  const dataDigest = new TextEncoder().encode(`\nexternal data sha256 ${await sha256Hex(data)}`);
  const joined = new Uint8Array(message.length + dataDigest.length);
  joined.set(message);
  joined.set(dataDigest, message.length);
  return sha256Hex(joined);
}

/**
 * The folder as a caller keeps it once its session is made: the session holds the weights, so the folder
 * keeps only their digest ({@link onnxSha256}, taken now) and not a second copy of them. Reading its `onnx`
 * afterwards is a mistake in the caller, and throws saying so rather than handing out stale or empty bytes.
 */
export async function withoutOnnxBytes(folder: ModelFolder): Promise<ModelFolder> {
  const digest = await onnxSha256(folder);
  // The message is made now: a getter that read `folder` would keep the bytes alive through it.
  const problem = `${folder.spec.name}: the bytes of ${folder.spec.onnxFile} were let go once its session was made; read the folder again to make another session`;
  return released(withoutModel(folder), digest, problem);
}

/**
 * The folder with its model in `graphFile` instead of in memory (the CLI wrote the bytes out for onnxruntime
 * to read): its digest is the file's, and the bytes are no longer held by it.
 */
export function withGraphFile(folder: ModelFolder, graphFile: GraphFile): ModelFolder {
  return released({ ...withoutModel(folder), graphFile }, graphFile.sha256, inFileProblem(folder.spec));
}

/** Everything of the folder but its model's bytes (copied by descriptors: reading a released `onnx` throws). */
function withoutModel(folder: ModelFolder): Omit<ModelFolder, 'onnx' | 'externalData'> {
  const descriptors: Partial<PropertyDescriptorMap> = Object.getOwnPropertyDescriptors(folder);
  delete descriptors.onnx;
  delete descriptors.externalData;
  return Object.defineProperties({}, descriptors as PropertyDescriptorMap) as Omit<ModelFolder, 'onnx' | 'externalData'>;
}

function inFileProblem(spec: ModelSpec): string {
  return `${spec.name}: the model of ${spec.onnxFile} was written to a file for onnxruntime to read, not kept in memory; make the session from its graphFile`;
}

/** A folder without its model's bytes: `onnx` throws `problem`, and the digest they had is kept. */
function released(folder: Omit<ModelFolder, 'onnx'>, digest: string, problem: string): ModelFolder {
  const kept = { ...folder } as ModelFolder;
  Object.defineProperty(kept, 'onnx', {
    enumerable: true,
    get(): never {
      throw new Error(problem);
    },
  });
  releasedDigests.set(kept, digest);
  return kept;
}
