/**
 * Where a model or the kernels run, as asked and as chosen: one vocabulary for the model slots, the run
 * panel's kernels, the checkpoints and the report. A model runs on WebGPU or WASM (onnxruntime-web's
 * execution providers); the kernels on WebGPU (WGSL) or the CPU (onnxruntime's Gemm + TopK, or the
 * JavaScript twins).
 */

/** What the user asks for: one backend by name, or "auto" (the measured rule of `chooseBackend.ts`). */
export type BackendRequest<Backend extends string> = 'auto' | Backend;

/** Where the comparison's similarity, top-k and diagnostics kernels can run. */
export type KernelBackend = 'webgpu' | 'cpu';

/**
 * The seconds the auto rule measured on each side, each after one untimed warm-up pass: `webgpuSeconds` and
 * `<cpu side>Seconds` (`wasmSeconds` for a model, `cpuSeconds` for the kernels), and `speedup`, CPU ÷ GPU.
 * A side is null where it was not measured (WebGPU failed).
 */
export type BackendCalibration<CpuSide extends string = string> = { webgpuSeconds: number | null; speedup: number | null } & {
  [side in `${CpuSide}Seconds`]: number | null;
};

/**
 * Why a model or the kernels run on their backend: chosen by the user, or by the auto rule, with the seconds
 * it measured (null where it decided without measuring, or the user chose). The report stores it as it is:
 * beside each model's backend (`backendChoice`), and for the kernels with the backend in it ({@link KernelsChoice}).
 */
export interface BackendChoice<CpuSide extends string = string> {
  reason: string;
  calibration: BackendCalibration<CpuSide> | null;
}

/** The kernels' backend and the choice behind it: the run panel's line and the report's `kernels`. */
export interface KernelsChoice extends BackendChoice<'cpu'> {
  backend: KernelBackend;
}
