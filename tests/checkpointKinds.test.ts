import { describe, expectTypeOf, it } from 'vitest';
import type { PlannedCheckpoint } from '../src/cli/commands/evalPlan.ts';
import type { Checkpoint } from '../src/core/eval/checkpoint.ts';
import type { CheckpointKind } from '../src/core/report/evalReport.ts';
import type { ImportedFiles } from '../src/ui/lab.svelte.ts';
import type { CheckpointRequest } from '../src/worker/evaluation.ts';

/**
 * A run file is a 'ranking' checkpoint everywhere (issue #25): the page's slot, the data worker's request,
 * the CLI's plan, the core checkpoint and the report name it alike. Only the CLI flag keeps trec_eval's word
 * (`--run`). These fail the type check when a layer calls it something else again.
 */
describe('checkpoint kinds', () => {
  it('are one vocabulary from the page and the CLI to the report', () => {
    expectTypeOf<ImportedFiles['kind']>().toEqualTypeOf<'vectors' | 'ranking' | 'report' | 'bm25' | 'fusion'>();
    expectTypeOf<CheckpointRequest['kind']>().toEqualTypeOf<'model' | ImportedFiles['kind']>();
    expectTypeOf<PlannedCheckpoint['kind']>().toEqualTypeOf<'model' | 'vectors' | 'ranking' | 'bm25'>();
    expectTypeOf<Checkpoint['kind']>().toEqualTypeOf<CheckpointKind>();
    expectTypeOf<Exclude<CheckpointRequest['kind'], 'model' | 'bm25'>>().toExtend<CheckpointKind>();
  });
});
