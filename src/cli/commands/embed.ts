import { readFile } from 'node:fs/promises';
import { UsageError } from '../cliError.ts';
import { defineCommand } from '../command.ts';
import { loadNodeEncoder } from '../nodeEncoder.ts';
import { cliRuntime } from '../onnxRuntime.ts';
import { readInputs, requireDataset } from '../readDataset.ts';
import type { ModelVariant } from '../../core/model/modelSpec.ts';

const VARIANTS: readonly ModelVariant[] = ['fp32', 'fp16', 'quantized'];

export const embedCommand = defineCommand({
  name: 'embed',
  summary: 'Print one sentence embedding per text, computed exactly as the page computes it.',
  usage: 'embed --model <folder> (--text "…" … | --file lines.txt | --data <file|folder>) [--json]',
  options: {
    model: { type: 'string' },
    text: { type: 'string', multiple: true },
    file: { type: 'string' },
    data: { type: 'string', multiple: true },
    split: { type: 'string', default: 'test' },
    variant: { type: 'string', default: 'fp32' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  help: {
    model: 'model folder (onnx/model.onnx, tokenizer.json, sentence-transformers config), or hf:owner/name[@revision] from the Hugging Face hub (HF_TOKEN for private or gated ones)',
    text: 'a text to embed',
    file: 'a UTF-8 file with one text per line (empty lines skipped)',
    data: 'a dataset as inspect and eval read it: embeds its documents, then its queries (JSON adds ids and kinds)',
    split: 'qrels split of a BEIR folder given with --data',
    variant: `ONNX export to use: ${VARIANTS.join(' | ')}`,
    json: 'print {"model","dim","backend","embeddings"} as JSON',
    help: 'show this help',
  },
  async run(values) {
    if (!values.model) throw new UsageError('embed: --model <folder> is required');
    const variant = values.variant as ModelVariant;
    if (!VARIANTS.includes(variant)) throw new UsageError(`embed: --variant must be one of ${VARIANTS.join(', ')}`);
    const texts = [...(values.text ?? [])];
    if (values.file) {
      const content = await readFile(values.file, 'utf8');
      texts.push(...content.split(/\r?\n/).filter((line) => line.trim() !== ''));
    }
    const labelled: { id: string; kind: 'document' | 'query' }[] = texts.map((_, i) => ({ id: String(i), kind: 'query' as const }));
    if (values.data) {
      const dataset = requireDataset(await readInputs(values.data, { split: values.split }), values.data);
      for (const document of dataset.documents) {
        texts.push(document.text);
        labelled.push({ id: document.id, kind: 'document' });
      }
      for (const query of dataset.queries) {
        texts.push(query.text);
        labelled.push({ id: query.id, kind: 'query' });
      }
    }
    if (texts.length === 0) throw new UsageError('embed: give at least one --text, a --file with texts or --data');

    const encoder = await loadNodeEncoder(values.model, variant);
    if (!(await cliRuntime()).native) process.stderr.write(`note: ${encoder.backendReason}\n`);
    try {
      const { vectors, dim, count } = await encoder.encode(texts);
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
          process.stdout.write(`${JSON.stringify(texts[i])}\tnorm=${norm.toFixed(6)}\t[${row.map((x) => x.toFixed(6)).join(', ')}]\n`);
        });
      }
      return 0;
    } finally {
      await encoder.release();
    }
  },
});
