import { openArrowPart } from './arrowFile.ts';
import type { ReadFile } from './readFile.ts';
import type { TablePart } from './tablePart.ts';

/**
 * A table file by its extension: parquet is streamed page by page (`parquetFile.ts`, loaded the first time
 * a parquet file is read: its decoders stay out of the page until then); Arrow IPC record batch by record
 * batch (`arrowFile.ts`).
 */
export async function openTablePart(read: ReadFile, path: string, file: string): Promise<TablePart> {
  if (/\.parquet$/i.test(file)) return (await import('./parquetFile.ts')).openParquetPart(read, path, file);
  return openArrowPart(read, path, file);
}
