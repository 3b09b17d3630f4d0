/**
 * The child process of `npm run bench:encode`'s load section: one model folder loaded into an
 * onnxruntime-node session, nothing else, so that the kernel's high-water mark of resident memory
 * (`VmHWM` in /proc/self/status) is the load's and not the benchmark's. Prints one JSON line.
 *
 *   node --import tsx scripts/benchEncodeLoad.ts load FOLDER onnx|safetensors
 *     `readModelFolder` + session creation as the CLI does them (`openNodeEncoder`): times and memory.
 *   node --import tsx scripts/benchEncodeLoad.ts phases FOLDER onnx|safetensors
 *     the same work step by step (config and tokenizer, reading the weights, SHA-256, building the graph,
 *     writing it to its file, session creation), each timed: where `readModelFolder`'s time goes. Its memory is not reported.
 *   node --import tsx scripts/benchEncodeLoad.ts session FILE.onnx
 *     onnxruntime-node's session made from the file's path, nothing of the lab's: the runtime's own share
 *     of the peak, which the load's peak is measured against (what the loader holds beside the session).
 *   node --import tsx scripts/benchEncodeLoad.ts graph FOLDER DIR/model.onnx
 *     writes the graph built from FOLDER's safetensors as the CLI does (model.onnx + model.onnx.data, the
 *     weights as external data), for `session` to load (no figures).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { cliModelSource } from '../src/cli/cliModelSource.ts';
import { writeExportFile, writeGraphFileIn, writeGraphFiles } from '../src/cli/graphFile.ts';
import { openNodeEncoder, readNodeModelFolder } from '../src/cli/nodeEncoder.ts';
import { cliRuntime } from '../src/cli/onnxRuntime.ts';
import { sha256Hex } from '../src/core/data/sha256.ts';
import { buildEncoder } from '../src/core/model/encoders/buildEncoder.ts';
import { modelBytes } from '../src/core/onnx/graphBuilder.ts';
import { readJson } from '../src/core/model/modelSource.ts';
import { readModelSpec } from '../src/core/model/modelSpec.ts';
import { readSafetensorsWeights } from '../src/core/model/safetensorsWeights.ts';
import { TextTokenizer } from '../src/core/model/textTokenizer.ts';

/** What the parent reads back: milliseconds per step, bytes of memory. */
export interface LoadFigures {
  /** `session` mode: the file's own format, onnx. */
  format: 'onnx' | 'safetensors';
  steps: Record<string, number>;
  /** Resident set size just before the load (Node, tsx, the modules and onnxruntime-node's library). */
  rssBefore: number;
  /** The kernel's high-water mark of resident memory over the process's life (VmHWM). */
  peak: number;
  /** The largest `process.memoryUsage().rss` seen by a 1 ms timer (it only fires between synchronous steps). */
  sampledPeak: number;
  /** `load` only: VmHWM and VmRSS once `readModelFolder` has returned, before the session is created. */
  peakRead?: number;
  rssRead?: number;
  /** `phases`: work timed for comparison, not part of the load (milliseconds). */
  comparison?: Record<string, number>;
  /** Resident set size with the session open and only what the encoder keeps (`load`) referenced. */
  rssAfter: number;
  /** The same after a full garbage collection: the session and what is still referenced. */
  rssCollected: number;
}

const [mode, folderPath, third] = process.argv.slice(2);
const format = mode === 'session' ? 'onnx' : mode === 'graph' ? 'safetensors' : third;
const usable =
  (mode === 'session' && folderPath) ||
  (mode === 'graph' && folderPath && third) ||
  ((mode === 'load' || mode === 'phases') && folderPath && (format === 'onnx' || format === 'safetensors'));
if (!usable || (format !== 'onnx' && format !== 'safetensors')) {
  console.error('usage: benchEncodeLoad.ts load|phases FOLDER onnx|safetensors | session FILE.onnx | graph FOLDER OUT.onnx');
  process.exit(2);
}
if (mode === 'graph') {
  // As the CLI writes it: the model and its weights as external data beside it.
  const source = cliModelSource(folderPath);
  const weights = await readSafetensorsWeights(source);
  const config = await readJson(source, 'config.json');
  if (!weights || !config) throw new Error(`${folderPath}: no model.safetensors or config.json`);
  if (path.basename(third) !== 'model.onnx') throw new Error(`graph: OUT must be named model.onnx, got ${third}`);
  writeGraphFiles(path.dirname(third), buildEncoder(config, weights).model);
  process.exit(0);
}

/** A field of /proc/self/status in bytes (Linux reports kB). */
function statusBytes(field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`/proc/self/status has no ${field} line (not Linux?)`);
  return Number(line.split(/\s+/)[1]) * 1024;
}

// onnxruntime-node's native library is loaded before the baseline is read: it is not part of the load.
const runtime = await cliRuntime();
const source = cliModelSource(folderPath);
const steps: Record<string, number> = {};
const comparison: Record<string, number> = {};
const timed = async <T>(step: string, work: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const result = await work();
  steps[step] = performance.now() - t0;
  return result;
};

const rssBefore = statusBytes('VmRSS');
let sampledPeak = process.memoryUsage.rss();
const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())), 1);

// Held until the figures are read, so that nothing is collected before rssAfter.
let held: unknown;
let afterRead: Pick<LoadFigures, 'peakRead' | 'rssRead'> = {};
if (mode === 'session') {
  // onnxruntime reads the file itself: nothing of the lab's is in memory beside the session.
  // onnxruntime-node itself (cliRuntime's type takes bytes only); cliRuntime loaded the same module above.
  const { InferenceSession } = await import('onnxruntime-node');
  held = await timed('session', () => InferenceSession.create(folderPath, runtime.sessionOptions));
} else if (mode === 'load') {
  // The folder lives in this function only: what stays is what the encoder keeps, as in the CLI.
  const load = async () => {
    const folder = await timed('readModelFolder', () => readNodeModelFolder(folderPath, { format }));
    if (folder.provenance.format !== format) throw new Error(`${folderPath}: asked for ${format}, ran ${folder.provenance.format}`);
    afterRead = { peakRead: statusBytes('VmHWM'), rssRead: statusBytes('VmRSS') };
    return timed('session', () => openNodeEncoder(folder));
  };
  held = await load();
} else {
  const spec = await timed('config + tokenizer', async () => {
    const read = await readModelSpec(source, 'fp32');
    TextTokenizer.fromSpec(read);
    return read;
  });
  let onnx: Uint8Array | string;
  if (format === 'safetensors') {
    const config = await readJson(source, 'config.json');
    if (!config) throw new Error(`${folderPath}: no config.json`);
    const weights = await timed('read files', () => readSafetensorsWeights(source));
    if (!weights) throw new Error(`${folderPath}: no model.safetensors`);
    await timed('SHA-256', () => Promise.all((weights.files ?? []).map(({ bytes }) => sha256Hex(bytes))));
    // What the digest cost through Web Crypto, which the loader no longer uses for weights: it copies its input.
    const t0 = performance.now();
    for (const { bytes } of weights.files ?? []) await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
    comparison['Web Crypto SHA-256 (copies the file; not used)'] = performance.now() - t0;
    const built = await timed('buildEncoder', () => buildEncoder(config, weights).model);
    // As the CLI does it: the graph written with its weights as external data (hashed on the way), the session made from the file.
    const graphFile = await timed('write graph file + its SHA-256', () => writeGraphFileIn(tmpdir(), built));
    onnx = graphFile.path;
    process.on('exit', graphFile.remove);
    const t1 = performance.now();
    modelBytes(built);
    comparison['the graph in memory instead (not used by the CLI)'] = performance.now() - t1;
  } else {
    const bytes = await timed('read files', () => source.read(spec.onnxFile));
    if (!bytes) throw new Error(`${folderPath}: no ${spec.onnxFile}`);
    // As the CLI does it: split into a message and external data in a file (hashed there), the session made from it.
    const exportFile = await timed('split to a file + its SHA-256', () => writeExportFile(bytes));
    process.on('exit', exportFile.remove);
    onnx = exportFile.path;
    const t1 = performance.now();
    await sha256Hex(bytes);
    comparison['SHA-256 alone'] = performance.now() - t1;
  }
  held = await timed('session', () => runtime.ort.InferenceSession.create(onnx, runtime.sessionOptions));
}
clearInterval(sampler);
const peak = statusBytes('VmHWM');
const rssAfter = statusBytes('VmRSS');
// What is still referenced, as against what is merely not yet collected (nothing ran V8's collector since).
v8.setFlagsFromString('--expose-gc');
(vm.runInNewContext('gc') as () => void)();
const figures: LoadFigures = {
  format,
  steps,
  ...(Object.keys(comparison).length ? { comparison } : {}),
  rssBefore,
  peak,
  sampledPeak,
  ...afterRead,
  rssAfter,
  rssCollected: statusBytes('VmRSS'),
};
console.log(JSON.stringify(figures));
void held;
process.exit(0);
