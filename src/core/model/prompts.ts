/**
 * Which prompt sentence-transformers 6 prepends, per call (sentence_transformers/sentence_transformer/model.py
 * and base/model.py):
 *
 *   encode_query:    if prompt_name is None and prompt is None and "query" in self.prompts: prompt_name = "query"
 *   encode_document: if prompt_name is None and prompt is None:
 *                        for candidate_prompt_name in ["document", "passage", "corpus"]:
 *                            if candidate_prompt_name in self.prompts: prompt_name = candidate_prompt_name; break
 *   encode → _resolve_prompt: an explicit prompt wins; else prompts[prompt_name]; else, with neither,
 *                        prompts.get(default_prompt_name)
 *
 * Every SentenceTransformer has the prompts "query" and "document" (`_default_prompts`, "" unless the
 * config fills them), so `encode_query` always takes `prompts.query` and `encode_document` always
 * `prompts.document` — an empty `document` wins over a `passage` entry — and neither falls back to
 * `default_prompt_name`; only plain `encode` uses it. An empty prompt is no prompt (`if prompt and …`).
 */
import type { ModelSpec } from './modelSpec.ts';

/** `query` = encode_query, `document` = encode_document, `plain` = encode. */
export type PromptRole = 'query' | 'document' | 'plain';

const DOCUMENT_PROMPT_NAMES = ['document', 'passage', 'corpus'];

/**
 * The text prepended to every input of a call in `role`; `override` (an evaluator's query_prompt or
 * corpus_prompt, an explicit `prompt=`) wins, even when empty. "" means no prompt.
 */
export function promptFor(spec: Pick<ModelSpec, 'prompts' | 'defaultPromptName'>, role: PromptRole, override?: string): string {
  if (override !== undefined) return override;
  const name = promptName(spec, role);
  return name === null ? '' : (spec.prompts[name] ?? '');
}

function promptName(spec: Pick<ModelSpec, 'prompts' | 'defaultPromptName'>, role: PromptRole): string | null {
  const has = (name: string) => Object.hasOwn(spec.prompts, name);
  if (role === 'query' && has('query')) return 'query';
  if (role === 'document') {
    const found = DOCUMENT_PROMPT_NAMES.find(has);
    if (found) return found;
  }
  return spec.defaultPromptName;
}
