/** A file of a model folder with its path relative to the folder root. */
export interface FolderFile {
  path: string;
  file: File;
}

/** Files from `<input type=file webkitdirectory>`: strips the picked folder's own name from each path. */
export function filesFromInput(list: FileList): { name: string; files: FolderFile[] } {
  const files = Array.from(list).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  const name = files[0]?.path.split('/')[0] ?? 'folder';
  return { name, files: files.map(({ path, file }) => ({ path: path.split('/').slice(1).join('/') || file.name, file })) };
}

/** Files from a dropped folder, walked with the File System Entry API (the only way a drop exposes folders). */
export async function filesFromDrop(transfer: DataTransfer): Promise<{ name: string; files: FolderFile[] } | null> {
  const entry = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry())
    .find((e): e is FileSystemDirectoryEntry => e?.isDirectory === true);
  if (!entry) return null;
  const files: FolderFile[] = [];
  await walk(entry, '', files);
  return { name: entry.name, files };
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
      else out.push({ path, file: await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)) });
    }
  }
}
