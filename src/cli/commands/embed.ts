import { MAX_FILE_BYTES } from '../../core/data/loadDataset.ts';
import { UsageError } from '../cliError.ts';
import { checkModelLocation } from '../cliModelSource.ts';
import { checkPath, checkReadableFile } from '../inputPath.ts';
import { readTextLines } from '../textLines.ts';
import { DataError } from '../../core/data/dataset.ts';
import { UncuttableTextError } from '../../core/model/textTokenizer.ts';
import { defineCommand, defineOptions } from '../command.ts';
import { loadNodeEncoder } from '../nodeEncoder.ts';
import { cliRuntime } from '../onnxRuntime.ts';
import { readInputs, requireDataset } from '../readDataset.ts';
import type { ModelVariant } from '../../core/model/modelSpec.ts';
import type { Embeddings } from '../../core/model/encoder.ts';
import type { PromptRole } from '../../core/model/prompts.ts';
import { weightsOption } from '../weightsOption.ts';
import { choice } from '../optionValues.ts';
import type { NodeEncoder } from '../nodeEncoder.ts';

const VARIANTS: readonly ModelVariant[] = ['fp32', 'fp16', 'quantized'];

export const embedCommand = defineCommand({
  name: 'embed',
  summary: 'Print one sentence embedding per text, computed exactly as the page computes it.',
  usage: 'embed --model <folder> (--text "…" … | --file lines.txt | --data <file|folder>) [--json]',
  options: defineOptions({
    model: { type: 'string', help: 'model folder (onnx/model.onnx, tokenizer.json, sentence-transformers config), or hf:owner/name[@revision] from the Hugging Face hub (HF_TOKEN for private or gated ones)' },
    text: { type: 'string', multiple: true, help: 'a text to embed' },
    file: { type: 'string', help: `a file with one text per line (empty lines skipped), decoded as inspect decodes data: UTF-8, or UTF-16 with a BOM; at most ${MAX_FILE_BYTES / 2 ** 20} MB; a line of any length is read only as far as the model's max_seq_length needs` },
    data: { type: 'string', multiple: true, help: 'a dataset as inspect and eval read it: embeds its documents, then its queries (JSON adds ids and kinds)' },
    split: { type: 'string', default: 'test', help: 'qrels split of a BEIR folder given with --data' },
    variant: { type: 'string', default: 'fp32', value: choice(VARIANTS), help: 'ONNX export to use' },
    weights: weightsOption('which weights of the folder to run (auto: model.safetensors when present, the graph built here)'),
    as: { type: 'string', value: choice(['query', 'document']), help: 'embed as sentence-transformers\' encode_query (query) or encode_document (document) do, with the prompt the model names for it; without --as, as encode does (the default prompt only). --data embeds its documents and queries each as what they are' },
    prompt: { type: 'string', help: 'the prompt to prepend in place of the model\'s ("" for none)' },
    json: { type: 'boolean', default: false, help: 'print {"model","dim","backend","embeddings"} as JSON' },
    help: { type: 'boolean', default: false, help: 'show this help' },
  }),
  async run(values) {
    if (!values.model) throw new UsageError('embed: --model <folder> is required');
    // --variant, --weights and --as are checked by their records already.
    const { variant, weights: format } = values;
    const textRole: PromptRole = values.as ?? 'plain';
    // The cheap checks first: the model folder and every path given, before any text is read.
    if (values.model === '') throw new UsageError('embed: --model is empty: give a model folder');
    await checkModelLocation(values.model);
    if (values.file !== undefined) await checkReadableFile(values.file, 'a text file (one text per line)');
    for (const location of values.data ?? []) await checkPath(location, 'either', 'a data file or a folder of them');
    const texts = [...(values.text ?? [])];
    /** Where each --file text came from, by its index in `texts`. */
    const fileLines = new Map<number, number>();
    if (values.file !== undefined) {
      for (const { text, line } of await readTextLines(values.file)) {
        fileLines.set(texts.length, line);
        texts.push(text);
      }
    }
    const labelled: { id: string; kind: 'document' | 'query' }[] = texts.map((_, i) => ({ id: String(i), kind: 'query' as const }));
    // --text and --file texts are embedded as --as says; a dataset's documents and queries as what they are.
    const roles: PromptRole[] = texts.map(() => textRole);
    if (values.data) {
      const dataset = requireDataset(await readInputs(values.data, { split: values.split }), values.data);
      for (const document of dataset.documents) {
        texts.push(document.text);
        labelled.push({ id: document.id, kind: 'document' });
        roles.push('document');
      }
      for (const query of dataset.queries) {
        texts.push(query.text);
        labelled.push({ id: query.id, kind: 'query' });
        roles.push('query');
      }
    }
    if (texts.length === 0) throw new UsageError('embed: give at least one --text, a --file with texts or --data');

    const encoder = await loadNodeEncoder(values.model, { variant, format });
    if (!(await cliRuntime()).native) process.stderr.write(`note: ${encoder.backendReason}\n`);
    try {
      let embedded: Embeddings;
      try {
        embedded = await embedByRole(encoder, texts, roles, values.prompt);
      } catch (error) {
        // The tokenizer names a text by its start; a --file text is named by its line.
        if (!(error instanceof UncuttableTextError)) throw error;
        const line = fileLines.get(texts.indexOf(error.text));
        if (line !== undefined) throw new DataError({ file: values.file!, line, message: `the text ${error.issue.message}` });
        throw error;
      }
      const { vectors, dim, count } = embedded;
      const rows = Array.from({ length: count }, (_, i) => Array.from(vectors.subarray(i * dim, (i + 1) * dim)));
      if (values.json) {
        const extra = values.data ? { ids: labelled.map((l) => l.id), kinds: labelled.map((l) => l.kind) } : {};
        process.stdout.write(`${JSON.stringify({ model: values.model, dim, backend: encoder.backend, embeddings: rows, ...extra })}\n`);
      } else {
        const { spec } = encoder.folder;
        process.stderr.write(
          `${spec.name}: dim ${dim}, pooling ${spec.pooling.join('+')}, ${spec.normalize ? 'normalised' : 'not normalised'}, ` +
            `max ${spec.maxSeqLength} tokens, ${encoder.backend}\n` +
            spec.notes.map((note) => `  note: ${note}\n`).join(''),
        );
        rows.forEach((row, i) => {
          const norm = Math.hypot(...row);
          process.stdout.write(`${JSON.stringify(excerpt(texts[i]))}\tnorm=${norm.toFixed(6)}\t[${row.map((x) => x.toFixed(6)).join(', ')}]\n`);
        });
      }
      return 0;
    } finally {
      await encoder.release();
    }
  },
});

/** Embeds each text as its role asks (one encode per role, rows back in input order). */
async function embedByRole(encoder: NodeEncoder, texts: string[], roles: PromptRole[], prompt: string | undefined): Promise<Embeddings> {
  let dim = 0;
  let vectors = new Float32Array(0);
  for (const role of new Set(roles)) {
    const rows = roles.flatMap((r, i) => (r === role ? [i] : []));
    const result = await encoder.encode(rows.map((i) => texts[i]), { role, ...(prompt !== undefined ? { prompt } : {}) });
    if (dim === 0) {
      dim = result.dim;
      vectors = new Float32Array(texts.length * dim);
    }
    rows.forEach((textIndex, row) => vectors.set(result.vectors.subarray(row * dim, (row + 1) * dim), textIndex * dim));
  }
  return { vectors, dim, count: texts.length };
}

/** A text as the listing prints it: whole up to 200 characters, else its start and its length (never 100 MB). */
function excerpt(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}… (${text.length} characters)`;
}
