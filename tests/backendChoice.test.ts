import { describe, expectTypeOf, it } from 'vitest';
import type { BackendChoice, BackendRequest, KernelBackend, KernelsChoice } from '../src/core/backends/backendChoice.ts';
import type { OpenedEncoder } from '../src/core/eval/checkpoint.ts';
import type { EvalReport, ModelReport } from '../src/core/report/evalReport.ts';
import type { Backend, LoadOptions, ModelInfo } from '../src/worker/api.ts';
import type { RunRequest, RunResult } from '../src/worker/evaluation.ts';

/**
 * One vocabulary for where things run (issue #25): what is asked is a `BackendRequest`, why it runs there a
 * `BackendChoice`, the same type from the model slot through the checkpoint to the report, and the
 * kernels' a `KernelsChoice`. These fail the type check when a layer grows its own copy again.
 */
describe('BackendChoice', () => {
  it('is what a model slot, a checkpoint and the report carry; the kernels add their backend', () => {
    expectTypeOf<ModelInfo['backendChoice']>().toEqualTypeOf<BackendChoice<'wasm'>>();
    expectTypeOf<ModelInfo['backendChoice']>().toExtend<BackendChoice>();
    expectTypeOf<NonNullable<OpenedEncoder['backendChoice']>>().toEqualTypeOf<BackendChoice>();
    expectTypeOf<NonNullable<ModelReport['backendChoice']>>().toEqualTypeOf<BackendChoice>();
    expectTypeOf<NonNullable<EvalReport['kernels']>>().toEqualTypeOf<KernelsChoice>();
    expectTypeOf<RunResult['kernels']>().toEqualTypeOf<KernelsChoice>();
  });

  it('is asked for as a backend by name or auto, for a model and for the kernels', () => {
    expectTypeOf<NonNullable<LoadOptions['backend']>>().toEqualTypeOf<BackendRequest<Backend>>();
    expectTypeOf<RunRequest['kernels']>().toEqualTypeOf<BackendRequest<KernelBackend>>();
    expectTypeOf<BackendRequest<KernelBackend>>().toEqualTypeOf<'auto' | 'webgpu' | 'cpu'>();
  });
});
