import { tableFromIPC } from 'apache-arrow';
import { DataError } from '../dataset.ts';
import { registerArrowCodecs } from './arrowCodecs.ts';
import { tableRows, type TableRows } from './arrowTable.ts';

/**
 * The parquet reader a caller brings: `parquet-wasm` (Rust's parquet crate in WebAssembly), initialised the
 * way its environment needs — synchronously in Node, from its .wasm URL in the browser — so core imports
 * neither. Its output is an Arrow IPC stream, read with apache-arrow like any Arrow file.
 */
export interface ParquetReader {
  readParquet(bytes: Uint8Array): { intoIPCStream(): Uint8Array };
}

const startsWith = (bytes: Uint8Array, text: string) => [...text].every((c, i) => bytes[i] === c.charCodeAt(0));

/** Rows of an Arrow IPC file (Feather v2) or stream: ids, vectors and, when present, each row's kind. */
export function readArrowFile(bytes: Uint8Array, file: string): TableRows {
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
  return tableRows(table, file);
}

/** Rows of a parquet file (one part of a Ray Data / Spark / pandas output, or a whole one). */
export function readParquetFile(bytes: Uint8Array, file: string, reader: ParquetReader): TableRows {
  if (!startsWith(bytes, 'PAR1') || !startsWith(bytes.subarray(bytes.length - 4), 'PAR1')) {
    throw new DataError({ file, message: `is not a parquet file (no "PAR1" at its start and end)${startsWith(bytes, 'ARROW1') ? ': it is an Arrow IPC file' : ''}` });
  }
  let ipc: Uint8Array;
  try {
    ipc = reader.readParquet(bytes).intoIPCStream();
  } catch (error) {
    throw new DataError({ file, message: `could not be read as parquet (${String((error as Error)?.message ?? error)})` });
  }
  return tableRows(tableFromIPC(ipc), file);
}
