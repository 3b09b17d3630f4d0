import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { DataError, formatLocation, type Dataset } from '../core/data/dataset.ts';
import { datasetName, loadDataset, loadStreamedTable, type InputFile, type LoadOptions, type LoadResult } from '../core/data/loadDataset.ts';
import { inspectHead, shouldStream, streamTable } from '../core/data/streamTable.ts';
import { checkPath, listFolder, readRegularFile } from './inputPath.ts';
import { terminalSafe } from './terminalText.ts';

/**
 * Reads what the user named on the command line — a file, several files, a folder (BEIR or three tables),
 * or a zip — with the same loader the page uses.
 */
export async function readInputs(locations: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  if (locations.length === 1) {
    const info = await fileInfo(locations[0]);
    if (info.isFile() && shouldStream(locations[0], info.size)) return streamFile(locations[0], options);
  }
  const files: InputFile[] = [];
  for (const location of locations) {
    const info = await fileInfo(location);
    if (info.isDirectory()) {
      const base = path.basename(path.resolve(location));
      const found = await listFolder(location, DATA_ENTRY);
      if (found.length === 0) throw new DataError({ file: location, message: 'the folder holds no files (hidden files are not read)' });
      for (const file of found) {
        files.push({ path: `${base}/${path.relative(location, file).split(path.sep).join('/')}`, bytes: await readBytes(file) });
      }
    } else {
      files.push({ path: path.basename(location), bytes: await readBytes(location) });
    }
  }
  return loadDataset(files, options);
}

/** What a dataset path is: a file or a folder (a named pipe or device is refused before it is opened). */
const fileInfo = (location: string): Promise<Stats> => checkPath(location, 'either', DATA_ENTRY);

const DATA_ENTRY = 'a data file or a folder of them';

const readBytes = (file: string): Promise<Uint8Array> => readRegularFile(file, 'a data file');

/**
 * The dataset of a load, or — when it is unusable — every error but the first on stderr and the first
 * thrown, for the CLI's top level to report with exit code 2.
 */
export function requireDataset(loaded: LoadResult, locations: readonly string[]): Dataset {
  if (loaded.dataset) return loaded.dataset;
  const [first, ...rest] = loaded.issues.filter((i) => i.severity === 'error');
  for (const error of rest) process.stderr.write(`embedlab: ${terminalSafe(`${formatLocation(error)}${error.message}`)}\n`);
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
      const stream = createReadStream(location, { encoding: encoding === 'utf-8' ? 'utf8' : 'utf16le', start: bom, highWaterMark: 4 << 20 });
      return streamTable(stream as unknown as Parameters<typeof streamTable>[0], name, delimiter, { handOver });
    },
    datasetName([{ path: name }]),
    options,
  );
}
