import { cpus } from 'node:os';
import type { InferenceSession } from 'onnxruntime-common';
import type { OrtModule } from '../core/onnx/ortModule.ts';

/** The onnxruntime the CLI encodes and ranks with, and how to open sessions on it. */
export interface CliRuntime {
  ort: OrtModule;
  /** What reports call it, e.g. "onnxruntime-node 1.30.0 cpu" or "onnxruntime-web 1.30.0 wasm · 2 threads". */
  name: string;
  native: boolean;
  sessionOptions: InferenceSession.SessionOptions;
  /** Why this runtime, in a sentence (the report's backend reason). */
  reason: string;
}

const NATIVE_HINT =
  'onnxruntime-node is not installed, so the CLI runs on onnxruntime-web (WASM, about 4× slower here). ' +
  'For native speed install it beside the lab, skipping its CUDA download: ' +
  'npm install -g onnxruntime-node@1.30 --onnxruntime-node-install=skip';

let loaded: Promise<CliRuntime> | null = null;

/**
 * onnxruntime-node when it is installed (every core, MLAS kernels), else onnxruntime-web's WASM backend, which
 * the package always brings. onnxruntime-node is an optional peer, not a dependency: its install script fetches
 * CUDA libraries from outside the npm registry on linux/x64, which a CPU user must not need.
 * `EMBEDLAB_RUNTIME=wasm` (or `native`) forces one.
 */
export function cliRuntime(): Promise<CliRuntime> {
  loaded ??= loadRuntime(process.env.EMBEDLAB_RUNTIME);
  return loaded;
}

async function loadRuntime(forced: string | undefined): Promise<CliRuntime> {
  if (forced !== undefined && forced !== 'native' && forced !== 'wasm') {
    throw new Error(`EMBEDLAB_RUNTIME must be "native" or "wasm", got "${forced}"`);
  }
  const threads = cpus().length;
  if (forced !== 'wasm') {
    try {
      const ort = await import('onnxruntime-node');
      return {
        ort,
        name: `onnxruntime-node ${ort.env.versions.node ?? ''} cpu`.replace('  ', ' '),
        native: true,
        sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' },
        reason: `onnxruntime-node on the CPU, ${threads} threads`,
      };
    } catch (error) {
      if (forced === 'native' || (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  return {
    ort,
    name: `onnxruntime-web ${ort.env.versions.web ?? ''} wasm · ${threads} threads`,
    native: false,
    sessionOptions: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
    reason: forced === 'wasm' ? 'onnxruntime-web WASM, forced by EMBEDLAB_RUNTIME=wasm' : NATIVE_HINT,
  };
}
