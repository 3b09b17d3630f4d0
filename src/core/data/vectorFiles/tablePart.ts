/**
 * Where a table's rows go: `targets[row]` is the row of `vectors` it becomes, or −1 when it is not wanted.
 * A Uint16Array takes float16 rows as their bit patterns (only a float16 table's rows go there).
 */
export interface RowDestination {
  targets: Int32Array;
  vectors: Float32Array | Uint16Array;
}

/**
 * One table file of embedding rows (Arrow IPC / Feather, or one parquet part) once its ids are known and
 * before its vectors are placed: the ids decide where each row goes, then `placeRows` writes every row to
 * its places in one pass over the file (both sides at once when a kind column mixes them).
 */
export interface TablePart {
  file: string;
  count: number;
  dim: number;
  /** The element type the file stored (float16 rows are kept as such or widened, as the destination is). */
  storedAs: 'float32' | 'float16';
  ids: string[];
  /** What the id column holds ("strings", "integers", …): the parts of one output must agree. */
  idType: string;
  /** Per row, from a `kind`/`role` column: whether it is a query or a document; null without one. */
  kinds: ('query' | 'document')[] | null;
  placeRows(destinations: readonly RowDestination[]): Promise<void>;
}
