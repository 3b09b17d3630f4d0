import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../core/data/dataset.ts';

/**
 * The checks every path the CLI reads goes through before it is read: what `inspect` has always done for
 * datasets, for vector, run and report files, `embed --file` and model folders too. A named pipe, socket or
 * device is refused by its type and never opened for a blocking read (opening a FIFO waits for a writer
 * forever; `/dev/zero` never ends); a folder where a file is expected, a file where a folder is, a missing
 * path or a link to nothing is named. Problems are {@link DataError}s: exit code 2, the path and what is
 * wrong, never a stack trace.
 */

/** What the caller expects at a path: a regular file, a folder, or either (a dataset). */
export type Expected = 'file' | 'folder' | 'either';

/** A problem with a path; `missing` when nothing is there (a model folder's optional files are `null`). */
export interface PathProblem {
  missing: boolean;
  message: string;
}

/** Files read whole are at most this big: Node reads no more into one buffer (2 GiB − 1). */
const MAX_WHOLE_FILE_BYTES = 2 ** 31 - 1;

/** "a named pipe", "a socket", "a device": what a path that is neither a file nor a folder is. */
export function specialKind(info: Stats): string {
  return info.isFIFO() ? 'a named pipe' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'not a regular file';
}

/**
 * Why `location` is not what is expected (symbolic links followed), or `null` when it is. `what` completes
 * "expected …", e.g. "a run file", "a model folder".
 */
export async function pathProblem(location: string, expected: Expected, what: string): Promise<PathProblem | null> {
  const own = await lstat(location).catch((error: NodeJS.ErrnoException) => error);
  if (own instanceof Error) {
    if (own.code === 'ENOENT') return { missing: true, message: expected === 'file' ? 'no such file' : expected === 'folder' ? 'no such folder' : 'no such file or folder' };
    if (own.code === 'ENOTDIR') return { missing: true, message: 'no such file or folder (a part of the path is a file, not a folder)' };
    return { missing: false, message: `cannot be read (${reason(own)})` };
  }
  const info = await stat(location).catch(() => null);
  if (!info) return { missing: false, message: `is a symbolic link to ${await readlink(location).catch(() => 'nothing')}, which does not exist` };
  return typeProblem(info, expected, what);
}

/** Why a path with these stats is not what is expected, or `null`. */
function typeProblem(info: Stats, expected: Expected, what: string): PathProblem | null {
  if (info.isFile()) return expected === 'folder' ? { missing: false, message: `is a file: expected ${what}` } : null;
  if (info.isDirectory()) return expected === 'file' ? { missing: false, message: `is a folder: expected ${what}` } : null;
  return { missing: false, message: `is ${specialKind(info)}: expected ${what}` };
}

/**
 * What a path is, following symbolic links, as a {@link DataError} when it is not what is expected (the
 * message "no such file or folder" for a path that is not there, as `inspect --json` reports it).
 */
export async function checkPath(location: string, expected: Expected, what: string): Promise<Stats> {
  const problem = await pathProblem(location, expected, what);
  if (problem) throw new DataError({ file: location, message: problem.message });
  return stat(location);
}

/** A file the CLI will read, checked by type before anything opens it. */
export function checkReadableFile(location: string, what: string): Promise<Stats> {
  return checkPath(location, 'file', what);
}

/**
 * Opens a regular file for reading without ever blocking: `O_NONBLOCK` makes opening a named pipe return at
 * once, and the open handle's own type is checked (so a path swapped after {@link checkReadableFile} is
 * still refused). `null` when nothing is at `location` and `missing` is `'null'`.
 */
export async function openRegularFile(location: string, what: string, missing: 'throw' | 'null' = 'throw'): Promise<{ handle: FileHandle; info: Stats } | null> {
  const problem = await pathProblem(location, 'file', what);
  if (problem) {
    if (problem.missing && missing === 'null') return null;
    throw new DataError({ file: location, message: problem.message });
  }
  let handle: FileHandle;
  try {
    handle = await open(location, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new DataError({ file: location, message: `cannot be read (${reason(error as NodeJS.ErrnoException)})` });
  }
  const info = await handle.stat();
  const changed = typeProblem(info, 'file', what);
  if (changed) {
    await handle.close();
    throw new DataError({ file: location, message: changed.message });
  }
  return { handle, info };
}

/**
 * The bytes of a regular file, checked first ({@link openRegularFile}); a file larger than `maxBytes` is
 * refused with its size and the limit, before any of it is read.
 */
export async function readRegularFile(location: string, what: string, maxBytes = MAX_WHOLE_FILE_BYTES): Promise<Uint8Array> {
  const { handle, info } = (await openRegularFile(location, what))!;
  try {
    if (info.size > maxBytes) throw new DataError({ file: location, message: `is ${sizeAgainst(info.size, maxBytes)} ${what} may be` });
    const bytes = await handle.readFile();
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError({ file: location, message: `cannot be read (${reason(error as NodeJS.ErrnoException)})` });
  } finally {
    await handle.close();
  }
}

/**
 * "2.5 GiB, more than the 2.0 GiB": a size against its limit, in bytes when the rounded figures would read
 * the same (a file of exactly 2 GiB against the 2 GiB − 1 Node reads is not "2.0 GiB, more than the 2.0 GiB").
 */
function sizeAgainst(size: number, limit: number): string {
  const [a, b] = formatBytes(size) === formatBytes(limit) ? [`${size} bytes`, `${limit} bytes`] : [formatBytes(size), formatBytes(limit)];
  return `${a}, more than the ${b}`;
}

/** "400 MB", "2.0 GiB": a size for a message. */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(0)} MB` : `${bytes} bytes`;
}

/** An operating-system error as words a message can carry ("permission denied", not EACCES). */
export function reason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'file too large: over the size limit this process may write';
    case 'EROFS':
      return 'read-only file system';
    case 'EIO':
      return 'input/output error';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EPIPE':
      return 'the reading end was closed';
    case 'ERR_FS_FILE_TOO_LARGE':
      return 'larger than the 2 GiB Node reads into one buffer';
    default:
      return error.code ?? error.message;
  }
}

/**
 * The files below `folder`, hidden ones left out. Symbolic links are followed — to a file or a folder — once
 * each (`seen` holds the real paths of folders entered, so a link back up does not loop); anything that is
 * neither a file nor a folder, and any link to nothing, is an error naming it (nothing is opened here).
 */
export async function listFolder(folder: string, what = 'a file or a folder', seen = new Set<string>()): Promise<string[]> {
  if (seen.size === 0) seen.add(await realpath(folder));
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new DataError({ file: folder, message: `cannot be listed (${reason(error as NodeJS.ErrnoException)})` });
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const at = path.join(folder, entry.name);
    const info = entry.isSymbolicLink() || (!entry.isFile() && !entry.isDirectory()) ? await checkPath(at, 'either', what) : entry;
    if (info.isDirectory()) {
      const real = await realpath(at);
      if (seen.has(real)) continue;
      seen.add(real);
      files.push(...(await listFolder(at, what, seen)));
    } else {
      files.push(at);
    }
  }
  return files;
}
