import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSource } from '../core/model/modelSource.ts';

/** A model folder on disk. */
export function fileModelSource(folder: string): ModelSource {
  const root = path.resolve(folder);
  return {
    name: folder,
    async read(file) {
      try {
        return new Uint8Array(await readFile(path.join(root, ...file.split('/'))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async has(file) {
      try {
        return (await stat(path.join(root, ...file.split('/')))).isFile();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
  };
}
