/**
 * parquet-wasm for the data worker, loaded the first time a parquet file is read: its 5 MB of WebAssembly
 * stay out of the page until someone drops parquet.
 */
import type { ParquetReader } from '../core/data/vectors/tableFiles.ts';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';

let reader: Promise<ParquetReader> | null = null;

export function parquetReader(): Promise<ParquetReader> {
  reader ??= import('parquet-wasm/esm').then(async (module) => {
    await module.default({ module_or_path: wasmUrl });
    return module;
  });
  return reader;
}
