import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readlink, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './cliError.ts';
import { reason, specialKind } from './inputPath.ts';

/**
 * Output paths (`eval --json/--markdown/--junit`, `quantize --out`), checked before anything is read or
 * encoded and written so that a failure is exit 2 naming the path, never a stack trace — and never a
 * partial file under the final name.
 *
 * - A regular file (or a name not yet taken) is written to a temporary file beside it and renamed over
 *   it: the old content or the new, nothing between. Up front: the folder exists, is a folder and takes
 *   a new file (a probe file is created and removed — `access(W_OK)` says yes to root on read-only
 *   mounts), the target is not a folder, not read-only, and not one of the run's inputs.
 * - A character device or a pipe (`/dev/null`, `/dev/stdout`, `>(jq .)`) is written directly; a pipe is
 *   opened at the check without blocking, so that a FIFO no process reads is refused instead of waiting
 *   forever, and held open until the write. `/dev/full` is such a device: its write fails with ENOSPC,
 *   which is exit 2 naming it like any full disk.
 * - A socket, a block device, a link to nothing: refused.
 */

/** A path the run reads, that no output may replace: a file exactly, or anything inside a folder. */
export interface InputPath {
  path: string;
  /** What it is, for the message: "the dataset", "the model folder", "--run A". */
  what: string;
  /** A folder: every file below it is an input (a dataset folder is read whole). */
  folder?: boolean;
}

/** An output checked and ready to be written by {@link writeOutput}. */
export interface OutputTarget {
  /** The option that named it, e.g. "--json", for messages. */
  option: string;
  /** The path as given. */
  path: string;
  /** A regular file replaced by rename (at its real path, so a symbolic link keeps pointing at it), or a stream. */
  kind: 'file' | 'stream';
  /** Where the file is written (the link's target for a link). */
  realPath: string;
  /** The mode of the file it replaces, kept. */
  mode?: number;
  /** The output's folder is made first (quantize's default onnx/ in a folder that has none). */
  createFolder?: boolean;
  handle?: FileHandle;
}

export interface OutputOptions {
  /** The command, for messages ("eval"). */
  command: string;
  /** What the run reads. */
  inputs?: readonly InputPath[];
  /** Outputs already checked: two options naming one file would overwrite each other. */
  others?: readonly OutputTarget[];
  /** The output's folder may be missing when its parent exists (it is made at the write). */
  createFolder?: boolean;
}

/** Checks an output path; see the module comment for the rules. Throws a {@link UsageError}. */
export async function checkOutputPath(option: string, location: string, { command, inputs = [], others = [], createFolder = false }: OutputOptions): Promise<OutputTarget> {
  const fail = (message: string): never => {
    throw new UsageError(`${command}: ${option} ${location}: ${message}`);
  };
  if (location === '') throw new UsageError(`${command}: ${option} needs a file name`);
  if (/[\\/]$/.test(location)) fail(`ends in a path separator: give a file name, e.g. ${path.join(location, defaultName(option))}`);
  const own = await lstat(location).catch((error: NodeJS.ErrnoException) => error);
  if (own instanceof Error && own.code !== 'ENOENT') {
    if (own.code === 'ENOTDIR') fail(`${await nearestNonFolder(location)} is not a folder`);
    fail(`cannot be written (${reason(own)})`);
  }
  if (!(own instanceof Error)) {
    const info = await stat(location).catch(() => null);
    if (!info) fail(`is a symbolic link to ${await readlink(location).catch(() => 'nothing')}, which does not exist: give the file itself`);
    if (info!.isDirectory()) fail(`is a folder: give a file name, e.g. ${path.join(location, defaultName(option))}`);
    // A pipe's /proc/self/fd link names no path ("pipe:[…]"): then the path as given.
    const real = await realpath(location).catch(() => path.resolve(location));
    for (const other of others) if (other.realPath === real) fail(`is also given as ${other.option}: give each output its own file`);
    if (info!.isFile()) {
      const input = await findInput(real, inputs);
      if (input) fail(`is ${input.folder ? 'inside ' : ''}${input.what}${input.folder ? ` ${input.path}` : ''}, which this run reads: write the output elsewhere`);
      if (await access(location, constants.W_OK).then(() => false, () => true)) fail('is read-only');
      await probeFolder(path.dirname(real), fail);
      return { option, path: location, kind: 'file', realPath: real, mode: info!.mode & 0o777 };
    }
    if (info!.isCharacterDevice() || info!.isFIFO()) return { option, path: location, kind: 'stream', realPath: real, handle: await openStream(location, info!.isFIFO(), fail) };
    fail(`is ${specialKind(info!)}: expected a file to write`);
  }
  const folder = path.dirname(path.resolve(location));
  const folderInfo = await stat(folder).catch(() => null);
  if (!folderInfo) {
    const parent = createFolder ? await stat(path.dirname(folder)).catch(() => null) : null;
    if (!parent?.isDirectory()) fail(`the folder ${path.dirname(location)} does not exist`);
    await probeFolder(path.dirname(folder), fail);
    return { option, path: location, kind: 'file', realPath: path.join(await realpath(path.dirname(folder)), path.basename(folder), path.basename(location)), createFolder: true };
  }
  if (!folderInfo.isDirectory()) fail(`${path.dirname(location)} is not a folder`);
  const realPath = path.join(await realpath(folder), path.basename(location));
  for (const other of others) if (other.realPath === realPath) fail(`is also given as ${other.option}: give each output its own file`);
  await probeFolder(folder, fail);
  return { option, path: location, kind: 'file', realPath };
}

/**
 * Writes a checked output: a file atomically (a temporary file in the same folder, synced, renamed over the
 * target), a stream directly. A failure is a {@link UsageError} naming the option and the path; no
 * temporary file is left behind.
 */
export async function writeOutput(command: string, target: OutputTarget, data: string | Uint8Array): Promise<void> {
  try {
    if (target.kind === 'stream') await writeStream(target.handle!, data);
    else {
      if (target.createFolder) await mkdir(path.dirname(target.realPath), { recursive: true });
      await writeOutputAtomically(target.realPath, data, target.mode);
    }
  } catch (error) {
    throw new UsageError(`${command}: ${target.option} ${target.path}: cannot be written (${reason(error as NodeJS.ErrnoException)})${target.kind === 'file' ? '; nothing was written there' : ''}`);
  } finally {
    await target.handle?.close().catch(() => {});
  }
}

/**
 * Replaces `file` with `data` so that a reader sees the old content or the new, never part of it, and a
 * failed write (a full disk, a size limit) leaves the old file — or none — in place: the bytes go to a
 * hidden temporary file in the same folder (same file system, so the rename is atomic), are synced, and the
 * temporary file is renamed over `file`. Throws the file system's error; the temporary file is removed.
 */
async function writeOutputAtomically(file: string, data: string | Uint8Array, mode = 0o666): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', mode);
    await handle.writeFile(data);
    await handle.datasync();
    await handle.close();
    handle = undefined;
    await rename(temporary, file);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Whether a new file can be made in `folder`: made and removed, the only test root cannot pass by fiat. */
async function probeFolder(folder: string, fail: (message: string) => never): Promise<void> {
  const probe = path.join(folder, `.embedlab-write-test.${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await (await open(probe, 'wx')).close();
  } catch (error) {
    fail(`cannot write in ${folder} (${reason(error as NodeJS.ErrnoException)})`);
  }
  await rm(probe, { force: true });
}

/**
 * Opens a device or a pipe for writing. A pipe is opened without blocking: with no process reading it the
 * open fails at once (ENXIO), where a blocking open would wait forever.
 */
async function openStream(location: string, fifo: boolean, fail: (message: string) => never): Promise<FileHandle> {
  try {
    return await open(location, fifo ? constants.O_WRONLY | constants.O_NONBLOCK : constants.O_WRONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') fail('is a named pipe that no process reads: writing to it would wait forever');
    return fail(`cannot be written (${reason(error as NodeJS.ErrnoException)})`);
  }
}

/** Writes all of `data` to a device or pipe; a pipe opened non-blocking that is full is waited on, briefly. */
async function writeStream(handle: FileHandle, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let written = 0;
  while (written < bytes.length) {
    try {
      written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** The input `file` (a real path) is, or lies inside. */
async function findInput(file: string, inputs: readonly InputPath[]): Promise<InputPath | undefined> {
  for (const input of inputs) {
    const real = await realpath(input.path).catch(() => path.resolve(input.path));
    if (input.folder ? isInside(file, real) : file === real) return input;
  }
  return undefined;
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The deepest part of `location`'s folder path that exists and is not a folder (for ENOTDIR). */
async function nearestNonFolder(location: string): Promise<string> {
  let at = path.dirname(location);
  let found = at;
  while (at !== path.dirname(at)) {
    const info = await stat(at).catch(() => null);
    if (info && !info.isDirectory()) found = at;
    at = path.dirname(at);
  }
  return found;
}

function defaultName(option: string): string {
  return option === '--junit' ? 'junit.xml' : option === '--markdown' ? 'report.md' : option === '--out' ? 'model_quantized.onnx' : 'report.json';
}
