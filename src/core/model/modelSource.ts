/**
 * Where a model's files come from. The worker implements it over `fetch` (served folders, the Hugging Face
 * hub) and over dropped `File`s; the CLI over the file system. Everything that interprets the files lives
 * in core and only ever sees this interface.
 */
export interface ModelSource {
  /** What the user would call it: a folder name, `/models/<name>`, or a hub id. */
  readonly name: string;
  /** Bytes of `path` (relative to the model root, `/`-separated), or `null` when the file does not exist. */
  read(path: string): Promise<Uint8Array | null>;
  /** Whether `path` exists, without reading it (a stat, a HEAD request); sources without it are read. */
  has?(path: string): Promise<boolean>;
}

/** Whether the source holds `path`, as cheaply as the source can tell. */
export async function hasFile(source: ModelSource, path: string): Promise<boolean> {
  return source.has ? source.has(path) : (await source.read(path)) !== null;
}

/** A problem with one file of a model folder; the message always names the file. */
export class ModelFolderError extends Error {
  constructor(
    readonly source: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(file ? `${source}: ${file}: ${problem}` : `${source}: ${problem}`);
    this.name = 'ModelFolderError';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** Reads and parses a JSON file; `undefined` when absent, a {@link ModelFolderError} when malformed. */
export async function readJsonValue(source: ModelSource, path: string): Promise<unknown> {
  const bytes = await source.read(path);
  if (bytes === null) return undefined;
  try {
    return JSON.parse(UTF8.decode(bytes));
  } catch (error) {
    throw new ModelFolderError(source.name, path, `is not valid JSON (${(error as Error).message})`);
  }
}

/** Like {@link readJsonValue} for files that must hold one JSON object; `null` when absent. */
export async function readJson(source: ModelSource, path: string): Promise<Record<string, unknown> | null> {
  const value = await readJsonValue(source, path);
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFolderError(source.name, path, 'must hold a JSON object');
  }
  return value as Record<string, unknown>;
}
