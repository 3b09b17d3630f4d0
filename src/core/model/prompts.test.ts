import { describe, expect, it } from 'vitest';
import { promptFor, type PromptRole } from './prompts.ts';

/** Prompts as a loaded SentenceTransformer holds them: `query` and `document` always present. */
const spec = (prompts: Record<string, string>, defaultPromptName: string | null = null) => ({ prompts: { query: '', document: '', ...prompts }, defaultPromptName });

describe('promptFor: the prompt rules of sentence-transformers 6', () => {
  it.each<[string, ReturnType<typeof spec>, PromptRole, string]>([
    ['encode_query takes prompts.query', spec({ query: 'query: ', document: 'passage: ' }), 'query', 'query: '],
    ['encode_document takes prompts.document', spec({ query: 'query: ', document: 'passage: ' }), 'document', 'passage: '],
    ['an empty document entry wins over passage', spec({ query: 'query: ', passage: 'passage: ' }), 'document', ''],
    ['encode takes no prompt without default_prompt_name', spec({ query: 'query: ', document: 'passage: ' }), 'plain', ''],
    ['encode takes the default prompt', spec({ retrieval: 'Retrieve: ' }, 'retrieval'), 'plain', 'Retrieve: '],
    ['encode_query does not fall back to the default prompt', spec({ retrieval: 'Retrieve: ' }, 'retrieval'), 'query', ''],
    ['encode_document does not either', spec({ retrieval: 'Retrieve: ' }, 'retrieval'), 'document', ''],
  ])('%s', (_, model, role, expected) => {
    expect(promptFor(model, role)).toBe(expected);
  });

  it('falls through document → passage → corpus where the defaults are absent', () => {
    expect(promptFor({ prompts: { passage: 'p: ', corpus: 'c: ' }, defaultPromptName: null }, 'document')).toBe('p: ');
    expect(promptFor({ prompts: { corpus: 'c: ' }, defaultPromptName: null }, 'document')).toBe('c: ');
    expect(promptFor({ prompts: { other: 'o: ' }, defaultPromptName: 'other' }, 'document')).toBe('o: ');
    expect(promptFor({ prompts: { other: 'o: ' }, defaultPromptName: 'other' }, 'query')).toBe('o: ');
  });

  it('an explicit prompt wins, even an empty one', () => {
    const model = spec({ query: 'query: ' }, 'query');
    expect(promptFor(model, 'query', 'Represent this question: ')).toBe('Represent this question: ');
    expect(promptFor(model, 'plain', '')).toBe('');
  });
});
