import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError, formatLocation, type Dataset } from '../core/data/dataset.ts';
import { datasetName, loadDataset, loadStreamedTable, type InputFile, type LoadOptions, type LoadResult } from '../core/data/loadDataset.ts';
import { inspectHead, shouldStream, streamTable } from '../core/data/streamTable.ts';

/**
 * Reads what the user named on the command line — a file, several files, a folder (BEIR or three tables),
 * or a zip — with the same loader the page uses.
 */
export async function readInputs(locations: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  if (locations.length === 1) {
    const info = await stat(locations[0]).catch(() => null);
    if (info?.isFile() && shouldStream(locations[0], info.size)) return streamFile(locations[0], options);
  }
  const files: InputFile[] = [];
  for (const location of locations) {
    const info = await stat(location).catch(() => null);
    if (!info) throw new DataError({ file: location, message: 'no such file or folder' });
    if (info.isDirectory()) {
      const base = path.basename(path.resolve(location));
      for (const file of await walk(location)) {
        files.push({ path: `${base}/${path.relative(location, file).split(path.sep).join('/')}`, bytes: new Uint8Array(await readFile(file)) });
      }
    } else {
      files.push({ path: path.basename(location), bytes: new Uint8Array(await readFile(location)) });
    }
  }
  return loadDataset(files, options);
}

/**
 * The dataset of a load, or — when it is unusable — every error but the first on stderr and the first
 * thrown, for the CLI's top level to report with exit code 2.
 */
export function requireDataset(loaded: LoadResult, locations: readonly string[]): Dataset {
  if (loaded.dataset) return loaded.dataset;
  const [first, ...rest] = loaded.issues.filter((i) => i.severity === 'error');
  for (const error of rest) process.stderr.write(`embedlab: ${formatLocation(error)}${error.message}\n`);
  throw new DataError(first ?? { file: locations.join(', '), message: 'no dataset could be read' });
}

/** A large CSV/TSV parsed as a stream: the text is never held whole. */
function streamFile(location: string, options: LoadOptions): Promise<LoadResult> {
  const name = path.basename(location);
  return loadStreamedTable(
    async (handOver) => {
      const handle = await open(location);
      const head = new Uint8Array(64 * 1024);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      await handle.close();
      const { encoding, delimiter } = inspectHead(head.subarray(0, bytesRead), name);
      if (encoding === 'utf-16be') throw new DataError({ file: name, message: 'large UTF-16 BE files cannot be streamed: save the file as UTF-8' });
      const bom = encoding === 'utf-8' ? (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0) : 2;
      const stream = createReadStream(location, { encoding: encoding === 'utf-8' ? 'utf8' : 'utf16le', start: bom });
      return streamTable(stream as unknown as Parameters<typeof streamTable>[0], name, delimiter, { handOver });
    },
    datasetName([{ path: name }]),
    options,
  );
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => (e.isDirectory() ? walk(path.join(folder, e.name)) : Promise.resolve([path.join(folder, e.name)]))),
  );
  return nested.flat();
}
