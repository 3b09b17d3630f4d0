import path from 'node:path';
import { DataError } from '../core/data/dataset.ts';
import { ModelFolderError, type ModelSource } from '../core/model/modelSource.ts';
import { openRegularFile, pathProblem, reason } from './inputPath.ts';

/**
 * A model folder on disk. Each file is checked before it is read ({@link openRegularFile}): a named pipe
 * (`tokenizer.json` a FIFO would block the load forever), a device, a folder where a file is expected
 * (`onnx/model.onnx/`) or a link to nothing is a {@link ModelFolderError} naming the file, not a hang or a
 * stack trace; only a path where nothing exists reads as absent.
 */
export function fileModelSource(folder: string): ModelSource {
  const root = path.resolve(folder);
  const at = (file: string) => path.join(root, ...file.split('/'));
  return {
    name: folder,
    async read(file) {
      let opened;
      try {
        opened = await openRegularFile(at(file), 'a file', 'null');
      } catch (error) {
        if (error instanceof DataError) throw new ModelFolderError(folder, file, error.issue.message);
        throw error;
      }
      if (!opened) return null;
      try {
        // A view of the Buffer, not a copy: a model's weights are held once.
        const bytes = await opened.handle.readFile();
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        throw new ModelFolderError(folder, file, `cannot be read (${reason(error as NodeJS.ErrnoException)})`);
      } finally {
        await opened.handle.close();
      }
    },
    // Anything at the path counts as there — a folder or a pipe too — so that reading it names what is wrong
    // rather than the loader calling the file missing.
    async has(file) {
      const problem = await pathProblem(at(file), 'file', 'a file');
      return !problem?.missing;
    },
  };
}
