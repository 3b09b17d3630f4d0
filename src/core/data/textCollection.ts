import type { TextRecord } from './dataset.ts';

/** Row → label code (0: no label, else 1 + index into the names). Uint16 until there are 65 535 labels. */
type LabelCodes = Uint16Array | Uint32Array;

/**
 * One side of a dataset (its queries or its documents), stored by column: the texts, ids either held or
 * implicit (`d1`, `d2`, … for data that came without ids), and labels as small integer codes. A million-row
 * pairs file then costs a few bytes per row beyond its text, where an object per row cost about a hundred.
 */
export class TextCollection implements Iterable<TextRecord> {
  private idIndex: Map<string, number> | null = null;

  private constructor(
    /** Texts in row order. */
    readonly texts: readonly string[],
    private readonly ids: readonly string[] | { prefix: string },
    private readonly labelCodes: LabelCodes | null,
    /** Distinct labels, in order of first appearance. */
    readonly labelNames: readonly string[],
  ) {}

  /** Rows with their own ids (three tables, BEIR, tests). */
  static fromRecords(records: readonly TextRecord[]): TextCollection {
    const names = new Map<string, number>();
    let codes: LabelCodes | null = null;
    records.forEach((record, row) => {
      if (record.label === undefined) return;
      let code = names.get(record.label);
      if (code === undefined) names.set(record.label, (code = names.size + 1));
      codes ??= new Uint32Array(records.length);
      codes[row] = code;
    });
    return new TextCollection(
      records.map((r) => r.text),
      records.map((r) => r.id),
      codes && names.size < 0xffff ? Uint16Array.from(codes) : codes,
      [...names.keys()],
    );
  }

  /**
   * Rows numbered `${prefix}1`, `${prefix}2`, … (ids are made when asked for, never stored). `labelOf(row)`
   * gives each row's label code into `labelNames` (0: none).
   */
  static numbered(prefix: string, texts: readonly string[], labelNames: readonly string[] = [], labelOf?: (row: number) => number): TextCollection {
    let codes: LabelCodes | null = null;
    if (labelOf && labelNames.length > 0) {
      codes = labelNames.length < 0xffff ? new Uint16Array(texts.length) : new Uint32Array(texts.length);
      for (let row = 0; row < texts.length; row++) codes[row] = labelOf(row);
    }
    return new TextCollection(texts, { prefix }, codes, labelNames);
  }

  get length(): number {
    return this.texts.length;
  }

  id(row: number): string {
    return Array.isArray(this.ids) ? (this.ids as readonly string[])[row] : `${(this.ids as { prefix: string }).prefix}${row + 1}`;
  }

  text(row: number): string {
    return this.texts[row];
  }

  label(row: number): string | undefined {
    const code = this.labelCodes ? this.labelCodes[row] : 0;
    return code === 0 ? undefined : this.labelNames[code - 1];
  }

  /** Whether any row has a label. */
  get hasLabels(): boolean {
    return this.labelCodes !== null;
  }

  /** The row whose id is `id`, or -1. Held ids are indexed on the first call. */
  rowOf(id: string): number {
    if (!Array.isArray(this.ids)) {
      const { prefix } = this.ids as { prefix: string };
      if (!id.startsWith(prefix)) return -1;
      const digits = id.slice(prefix.length);
      const row = /^[1-9]\d*$/.test(digits) ? Number(digits) - 1 : -1;
      return row < this.texts.length ? row : -1;
    }
    this.idIndex ??= new Map((this.ids as readonly string[]).map((id, row) => [id, row]));
    return this.idIndex.get(id) ?? -1;
  }

  /** Row `row` as a record (made on demand). */
  record(row: number): TextRecord {
    const label = this.label(row);
    return label === undefined ? { id: this.id(row), text: this.texts[row] } : { id: this.id(row), text: this.texts[row], label };
  }

  *[Symbol.iterator](): Iterator<TextRecord> {
    for (let row = 0; row < this.texts.length; row++) yield this.record(row);
  }
}
