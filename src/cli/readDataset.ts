import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../core/data/dataset.ts';
import { loadDataset, type InputFile, type LoadOptions, type LoadResult } from '../core/data/loadDataset.ts';

/**
 * Reads what the user named on the command line — a file, several files, a folder (BEIR or three tables),
 * or a zip — with the same loader the page uses.
 */
export async function readInputs(locations: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
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

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => (e.isDirectory() ? walk(path.join(folder, e.name)) : Promise.resolve([path.join(folder, e.name)]))),
  );
  return nested.flat();
}
