/**
 * How the encoder worker picks a model's backend: as the slot says, or under "auto" by the one rule of
 * `core/backends/chooseBackend.ts`, measured on this model where the rule needs timings.
 */
import type { BackendChoice, BackendRequest } from '../core/backends/backendChoice.ts';
import { chooseBackend as chooseBackendByRule, needsMeasurement, type AdapterFacts, type Probe } from '../core/backends/chooseBackend.ts';
import { encodeTexts } from '../core/model/encoder.ts';
import type { ModelFolder } from '../core/model/modelFolder.ts';
import type { OrtRunner } from '../core/model/ortRunner.ts';
import { createRunner, describeBackend, webgpuAdapter, type Backend } from './ortWeb.ts';


/** The worker's GPU device loss, as its one watch reports it (`ortWeb.ts`): once lost, nothing runs on WebGPU. */
export interface GpuLoss {
  /** Why the device was lost, or null while it works. */
  readonly reason: string | null;
  /** Makes sure the watch runs (once a WebGPU session exists). */
  watch(): void;
}

/** A runner opened for a model, its backend, and how that backend was chosen. */
export interface OpenedRunner {
  runner: OrtRunner;
  backend: Backend;
  /** Chosen in the slot, or by the rule with the seconds on WebGPU and on WASM. */
  choice: BackendChoice<'wasm'>;
}

/**
 * Texts of representative lengths for the auto-backend calibration: short queries, sentences and one long
 * paragraph, so batching and attention cost weigh as in a real corpus while the timing stays a second or two.
 */
const CALIBRATION_TEXTS = [
  'reset my card PIN',
  'How long does a bank transfer take to arrive?',
  'Vitamin D deficiency is associated with lower bone mineral density in older adults.',
  'The lab compares sentence-embedding checkpoints on the user’s own data, in the browser.',
  Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} of a long abstract discusses the cohort, the method and the measured outcome in some detail.`).join(' '),
];

async function adapterFacts(): Promise<AdapterFacts | null> {
  const adapter = await webgpuAdapter();
  if (!adapter) return null;
  const info = await describeBackend('webgpu');
  return { description: info.adapter?.description || info.description, isFallbackAdapter: info.adapter?.isFallbackAdapter ?? false };
}

/** Seconds of one encode of the calibration texts, after one untimed warm-up encode (session set-up, shaders). */
async function timeEncode(folder: ModelFolder, runner: OrtRunner): Promise<number> {
  await encodeTexts(CALIBRATION_TEXTS, folder.tokenizer, runner, folder.spec);
  const started = performance.now();
  await encodeTexts(CALIBRATION_TEXTS, folder.tokenizer, runner, folder.spec);
  return (performance.now() - started) / 1000;
}

/**
 * The runner for `folder` on the backend asked for. "auto" measures: on a real GPU adapter both backends
 * encode the calibration texts and the faster one (by the rule's margin) is kept; a software adapter, a lost
 * device or no adapter means WASM without measuring. An explicit choice is taken as it is.
 */
export async function openRunner(folder: ModelFolder, requested: BackendRequest<Backend>, gpuLoss: GpuLoss): Promise<OpenedRunner> {
  if (requested === 'wasm') return { runner: await createRunner(folder, 'wasm'), backend: 'wasm', choice: { reason: 'chosen in the slot', calibration: null } };
  const adapter = await adapterFacts();
  if (requested === 'webgpu') {
    if (!adapter || gpuLoss.reason) {
      throw new Error(gpuLoss.reason ? `the GPU device was lost earlier (${gpuLoss.reason}); reload the page to use WebGPU again` : 'WebGPU is not available in this browser');
    }
    return { runner: await createRunner(folder, 'webgpu'), backend: 'webgpu', choice: { reason: 'chosen in the slot', calibration: null } };
  }
  const facts = { adapter, lost: gpuLoss.reason };
  if (!needsMeasurement(facts)) {
    const decision = chooseBackendByRule(facts, 'WASM');
    return { runner: await createRunner(folder, 'wasm'), backend: 'wasm', choice: { reason: decision.reason, calibration: null } };
  }
  const wasm = await createRunner(folder, 'wasm');
  const wasmSeconds = await timeEncode(folder, wasm);
  let gpu: OrtRunner | null = null;
  let probe: Probe;
  try {
    gpu = await createRunner(folder, 'webgpu');
    gpuLoss.watch();
    probe = { seconds: await timeEncode(folder, gpu) };
  } catch (error) {
    probe = { failed: (error as Error).message };
  }
  const decision = chooseBackendByRule({ ...facts, lost: gpuLoss.reason, gpu: probe, cpu: { seconds: wasmSeconds } }, 'WASM');
  const keep = decision.side === 'gpu' ? gpu! : wasm;
  void (keep === wasm ? gpu : wasm)?.release().catch(() => undefined);
  return {
    runner: keep,
    backend: decision.side === 'gpu' ? 'webgpu' : 'wasm',
    choice: { reason: decision.reason, calibration: { webgpuSeconds: decision.gpuSeconds, wasmSeconds, speedup: decision.speedup } },
  };
}
