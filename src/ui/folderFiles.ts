/** A dropped or picked file with its path relative to what the user chose (a folder's own name first). */
export interface FolderFile {
  path: string;
  file: File;
}

/** Files from `<input type=file>` (with or without `webkitdirectory`). */
export function filesFromInput(list: FileList): FolderFile[] {
  return Array.from(list).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** Drops a model folder: its files with the folder's own name stripped, or null when no folder was dropped. */
export async function folderFromDrop(transfer: DataTransfer): Promise<{ name: string; files: FolderFile[] } | null> {
  const entry = entriesOf(transfer).find((e): e is FileSystemDirectoryEntry => e.isDirectory);
  if (!entry) return null;
  const files: FolderFile[] = [];
  await walk(entry, '', files);
  return { name: entry.name, files };
}

/** Everything dropped, files and folders alike (folders walked, their name kept as the first path part). */
export async function filesFromDrop(transfer: DataTransfer): Promise<FolderFile[]> {
  const entries = entriesOf(transfer);
  if (entries.length === 0) return Array.from(transfer.files).map((file) => ({ path: file.name, file }));
  const files: FolderFile[] = [];
  for (const entry of entries) {
    if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${entry.name}/`, files);
    else files.push({ path: entry.name, file: await fileOf(entry as FileSystemFileEntry) });
  }
  return files;
}

/** Only a drop exposes folders, through the File System Entry API. */
function entriesOf(transfer: DataTransfer): FileSystemEntry[] {
  return Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(directory: FileSystemDirectoryEntry, prefix: string, out: FolderFile[]): Promise<void> {
  const reader = directory.createReader();
  // readEntries returns the listing in chunks; an empty chunk means the end.
  for (;;) {
    const entries = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (entries.length === 0) return;
    for (const entry of entries) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${path}/`, out);
      else out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    }
  }
}
