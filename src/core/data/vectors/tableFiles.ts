import { tableFromIPC } from 'apache-arrow';
import { DataError } from '../dataset.ts';
import { placeRows } from './alignRows.ts';
import { registerArrowCodecs } from './arrowCodecs.ts';
import { tableRows } from './arrowTable.ts';
import type { ReadFile } from './npy.ts';
import type { TablePart } from './tablePart.ts';

const startsWith = (bytes: Uint8Array, text: string) => [...text].every((c, i) => bytes[i] === c.charCodeAt(0));

/**
 * A table file by its extension: parquet is streamed page by page (`parquetFile.ts`, loaded the first time
 * a parquet file is read: its decoders stay out of the page until then); Arrow IPC is read whole.
 */
export async function openTablePart(read: ReadFile, path: string, file: string): Promise<TablePart> {
  if (/\.parquet$/i.test(file)) return (await import('./parquetFile.ts')).openParquetPart(read, path, file);
  return readArrowFile(await read(path), file);
}

/** Rows of an Arrow IPC file (Feather v2) or stream: ids, vectors and, when present, each row's kind. */
export function readArrowFile(bytes: Uint8Array, file: string): TablePart {
  const stream = bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  if (!startsWith(bytes, 'ARROW1') && !stream) {
    throw new DataError({ file, message: `is not an Arrow IPC / Feather file (it starts with neither "ARROW1" nor a stream message)${startsWith(bytes, 'PAR1') ? ': it is a parquet file' : ''}` });
  }
  registerArrowCodecs();
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new DataError({ file, message: `could not be read as Arrow IPC (${(error as Error).message})` });
  }
  const rows = tableRows(table, file);
  return {
    ...rows,
    file,
    inPlace: rows.vectors,
    placeRows: async (destinations) => {
      for (const { targets, vectors } of destinations) placeRows(rows.vectors, rows.dim, 0, targets, vectors);
    },
  };
}
