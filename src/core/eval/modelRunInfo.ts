import { folderDigests, type ModelFolder } from '../model/modelFolder.ts';
import { promptFor } from '../model/prompts.ts';
import type { ModelSpec } from '../model/modelSpec.ts';
import type { ModelRunInfo } from '../report/evalReport.ts';

/** Prompts a user sets in place of the model's own (the evaluator's `query_prompt` / `corpus_prompt`); "" is none. */
export interface PromptOverrides {
  query?: string;
  document?: string;
}

/** The prompt queries and documents get: the override, else what encode_query / encode_document choose. */
export function resolvedPrompts(spec: Pick<ModelSpec, 'prompts' | 'defaultPromptName'>, overrides: PromptOverrides = {}): { query: string; document: string } {
  return { query: promptFor(spec, 'query', overrides.query), document: promptFor(spec, 'document', overrides.document) };
}

/** The modules after the encoder, in words: `mean`, `dense 32→16 tanh`, `normalize`. */
export function describeModules(spec: Pick<ModelSpec, 'modules'>): string[] {
  return spec.modules.map((module) => {
    if (module.kind === 'pooling') return `${module.modes.join('+')} pooling${module.includePrompt ? '' : ' (prompt excluded)'}`;
    if (module.kind === 'dense') return `dense ${module.inFeatures}→${module.outFeatures} ${module.activation}`;
    return 'normalize';
  });
}

/** What the report records of a model encoded here: the file that ran, its digests, family, modules, score and prompts. */
export async function modelRunInfo(folder: ModelFolder, prompts: { query: string; document: string }): Promise<ModelRunInfo> {
  const { provenance, spec } = folder;
  return {
    format: provenance.format,
    file: provenance.file,
    digests: [...(await folderDigests(folder))],
    family: provenance.family,
    modules: describeModules(spec),
    similarity: spec.similarity,
    prompts,
  };
}
