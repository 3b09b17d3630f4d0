import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readModelFolder } from '../../core/model/modelFolder.ts';
import { cosineSummary, rowCosines } from '../../core/vectors/rowCosines.ts';
import { quantizeDynamic, QuantizeError } from '../../core/onnx/quantizeDynamic.ts';
import { UsageError } from '../cliError.ts';
import { checkModelLocation, cliModelSource, HUB_PREFIX } from '../cliModelSource.ts';
import { defineCommand, defineOptions } from '../command.ts';
import { checkOutputPath, writeOutput, type InputPath } from '../outputPath.ts';
import { openNodeEncoder } from '../nodeEncoder.ts';

/** Texts of the built-in check: short and long, questions and statements. */
const CHECK_TEXTS = [
  'This is an example sentence',
  'How do I reset my card PIN?',
  'My card was stolen, what should I do?',
  'Vitamin D deficiency is associated with lower bone mineral density in older adults.',
  'The randomized trial found no significant difference in mortality between the two treatment arms after five years of follow-up, although secondary outcomes favoured the intervention.',
  'Transfer limits for international wire payments',
  'Gene expression profiling identifies distinct subtypes of diffuse large B-cell lymphoma with different survival outcomes.',
  'Can I open a joint savings account online?',
];

export const quantizeCommand = defineCommand({
  name: 'quantize',
  summary: 'Make a dynamic int8 variant of a model folder (onnx/model_quantized.onnx) and measure it against fp32.',
  usage: 'quantize <model folder> [--out FILE] [--force]',
  options: defineOptions({
    out: { type: 'string', defaultText: '<folder>/onnx/model_quantized.onnx', help: 'where to write the int8 model' },
    force: { type: 'boolean', default: false, help: 'replace the output file when it exists' },
    help: { type: 'boolean', default: false, help: 'show this help' },
  }),
  async run(values, positionals) {
    const [model] = positionals;
    if (!model || positionals.length > 1) throw new UsageError('quantize: give one model folder, e.g. embedlab quantize ./models/base');
    if (model.startsWith(HUB_PREFIX) && !values.out) throw new UsageError('quantize: a hub model has no folder to write into: give --out FILE');
    // The folder and the output, checked before the model is read.
    await checkModelLocation(model);
    const out = values.out ?? path.join(model, 'onnx', 'model_quantized.onnx');
    const target = await checkOutputPath('--out', out, { command: 'quantize', inputs: model.startsWith(HUB_PREFIX) ? [] : await modelInputs(model), createFolder: values.out === undefined });
    // A file is replaced only when asked; a device or a pipe (/dev/null, >(…)) is written to.
    if (!values.force && target.kind === 'file' && (await lstat(out).then(() => true, () => false))) {
      throw new UsageError(`quantize: ${out} exists; --force replaces it`);
    }
    const fp32 = await readModelFolder(cliModelSource(model), 'fp32');
    let made;
    try {
      made = quantizeDynamic(fp32.onnx);
    } catch (error) {
      if (error instanceof QuantizeError) throw new UsageError(`quantize: ${fp32.spec.onnxFile}: ${error.message}`);
      throw error;
    }
    await writeOutput('quantize', target, made.model);
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    process.stdout.write(
      `${out}: ${made.quantizedNodes} MatMul/Gemm weights quantized to int8 (per tensor, symmetric; activations at run time)` +
        `${made.skippedNodes ? `, ${made.skippedNodes} MatMul left in float (no constant weight: attention scores)` : ''}; ` +
        `weights ${mb(made.weightBytes.before)} → ${mb(made.weightBytes.after)}, model ${mb(fp32.onnx.length)} → ${mb(made.model.length)}\n`,
    );
    // What the quantization costs, text by text: both variants encode the same texts here.
    const reference = await openNodeEncoder(fp32);
    const a = await reference.encode(CHECK_TEXTS);
    await reference.release();
    const quantized = await openNodeEncoder({ ...fp32, onnx: made.model, spec: { ...fp32.spec, onnxFile: path.basename(out) } });
    const b = await quantized.encode(CHECK_TEXTS);
    await quantized.release();
    const { min, mean } = cosineSummary(rowCosines(a.vectors, b.vectors, a.dim));
    process.stdout.write(`cosine to fp32 on ${CHECK_TEXTS.length} texts: min ${min.toFixed(5)}, mean ${mean.toFixed(5)} (${quantized.backend}); measure it on your data with embedlab eval --sweep weights=fp32,quantized\n`);
    return 0;
  },
});

/**
 * What quantizing reads in a model folder, which `--out` may not replace: the files at its top (weights,
 * configuration, tokenizer), onnx/model.onnx and its modules' folders. The other ONNX variants in onnx/ are
 * not read (a new int8 variant replaces the old one with --force).
 */
async function modelInputs(model: string): Promise<InputPath[]> {
  const what = `a file of the model folder ${model}`;
  const top = (await readdir(model, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  return [
    { path: path.join(model, 'onnx', 'model.onnx'), what },
    ...top.filter((entry) => !entry.isDirectory()).map((entry) => ({ path: path.join(model, entry.name), what })),
    // Sentence-transformers modules (1_Pooling, 2_Dense, …): their configuration and weights.
    ...top.filter((entry) => entry.isDirectory() && /^\d+_/.test(entry.name)).map((entry) => ({ path: path.join(model, entry.name), what: 'a module folder of the model', folder: true })),
  ];
}
