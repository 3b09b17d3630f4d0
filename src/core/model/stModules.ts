/**
 * `modules.json` read in order, the way sentence-transformers 6 chains its modules (`BaseModel._load_modules`):
 * the Transformer (the encoder graph, run by onnxruntime), then Pooling, any number of Dense layers and
 * Normalize, which the lab applies to the pooled rows in the same order. Module types are matched by class
 * name: `sentence_transformers.models.Dense` (≤ 5.3) and `sentence_transformers.base.modules.dense.Dense`
 * (≥ 5.4) are the same module.
 */
import type { DenseModule } from './denseLayer.ts';
import { ModelFolderError, readJson, readJsonValue, type ModelSource } from './modelSource.ts';
import { readPoolingModule, type PoolingModule } from './poolingConfig.ts';
import { readDenseModule, SENTENCE_EMBEDDING } from './readDenseModule.ts';

/** L2 normalisation of the pooled row (`torch.nn.functional.normalize`, eps 1e-12). */
export interface NormalizeModule {
  kind: 'normalize';
  path: string;
}

/** One module after the Transformer, as the lab runs it. */
export type SentenceModule = PoolingModule | DenseModule | NormalizeModule;

/** What the lab runs, for the message that refuses anything else. */
const RUNNABLE_MODULES = 'Transformer, then Pooling, any number of Dense, Normalize (Dropout is skipped: it does nothing at inference)';

interface ModuleEntry {
  index: number;
  type: string;
  className: string;
  path: string;
}

/** The modules after the Transformer; null when the folder has no modules.json. */
export async function readSentenceModules(source: ModelSource, hiddenSize: number | null, notes: string[]): Promise<SentenceModule[] | null> {
  const list = await readJsonValue(source, 'modules.json');
  if (list === undefined) return null;
  if (!Array.isArray(list)) throw new ModelFolderError(source.name, 'modules.json', 'must hold a JSON array of modules');
  const entries = list.map((entry, index) => moduleEntry(source.name, entry, index));
  checkTransformerFirst(source.name, entries);
  const modules: SentenceModule[] = [];
  for (const entry of entries.slice(1)) {
    const module = await readModule(source, entry, modules, hiddenSize, notes);
    if (module) modules.push(module);
  }
  if (!modules.some((m) => m.kind === 'pooling')) {
    notes.push('modules.json lists no Pooling module: using mean pooling.');
    modules.unshift({ kind: 'pooling', path: '', modes: ['mean'], includePrompt: true, embeddingDimension: null });
  }
  return modules;
}

function moduleEntry(sourceName: string, entry: unknown, index: number): ModuleEntry {
  const record = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  if (typeof record.type !== 'string' || record.type === '') {
    throw new ModelFolderError(sourceName, 'modules.json', `module ${index} has no "type" naming its class`);
  }
  const path = typeof record.path === 'string' ? record.path : '';
  return { index, type: record.type, className: record.type.split('.').pop()!, path };
}

function checkTransformerFirst(sourceName: string, entries: readonly ModuleEntry[]): void {
  const first = entries[0];
  if (!first) throw new ModelFolderError(sourceName, 'modules.json', 'lists no modules');
  if (first.className !== 'Transformer') throw unknownModule(sourceName, first);
  if (first.path !== '') {
    throw new ModelFolderError(
      sourceName,
      'modules.json',
      `keeps the Transformer module in "${first.path}/"; the lab reads its config.json and tokenizer from the top of the folder`,
    );
  }
}

/** One module after the Transformer; null for those that do nothing at inference. */
async function readModule(
  source: ModelSource,
  entry: ModuleEntry,
  before: readonly SentenceModule[],
  hiddenSize: number | null,
  notes: string[],
): Promise<SentenceModule | null> {
  const pooled = before.some((m) => m.kind === 'pooling');
  const misplaced = (problem: string) => new ModelFolderError(source.name, 'modules.json', `module ${entry.index} (${entry.type}) ${problem}`);
  switch (entry.className) {
    case 'Pooling':
      if (pooled) throw misplaced('is a second Pooling module; the lab pools once');
      return readPoolingModule(source, entry.path || '1_Pooling', hiddenSize, notes);
    case 'Dense':
      if (!pooled) throw misplaced('comes before Pooling: a Dense over token embeddings is not something the lab runs');
      return readDenseModule(source, entry.path || `${entry.index}_Dense`, notes);
    case 'Normalize':
      return readNormalizeModule(source, entry, pooled, notes);
    case 'Dropout':
      return null;
    default:
      throw unknownModule(source.name, entry);
  }
}

/** Normalize before Pooling finds no sentence embedding and, in ST, does nothing; the lab says so. */
async function readNormalizeModule(source: ModelSource, entry: ModuleEntry, pooled: boolean, notes: string[]): Promise<NormalizeModule | null> {
  const path = entry.path || `${entry.index}_Normalize`;
  const config = (await readJson(source, `${path}/config.json`)) ?? {};
  for (const key of ['module_input_name', 'module_output_name']) {
    const value = config[key];
    if (value !== undefined && value !== null && value !== SENTENCE_EMBEDDING) {
      throw new ModelFolderError(source.name, `${path}/config.json`, `${key} is ${JSON.stringify(value)}; the lab normalises the pooled "${SENTENCE_EMBEDDING}" only`);
    }
  }
  if (!pooled) {
    notes.push(`modules.json puts Normalize (${path}) before Pooling, where it has nothing to normalise: skipped, as sentence-transformers skips it.`);
    return null;
  }
  return { kind: 'normalize', path };
}

function unknownModule(sourceName: string, entry: ModuleEntry): ModelFolderError {
  return new ModelFolderError(
    sourceName,
    'modules.json',
    `module ${entry.index} is ${entry.type} (${entry.className}), which the lab does not run; it runs ${RUNNABLE_MODULES}`,
  );
}
