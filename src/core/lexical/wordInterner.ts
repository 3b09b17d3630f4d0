/**
 * Words → integers without cutting each occurrence out of its text: an open-addressing table looked up by a
 * span of a string and its hash (from {@link WordScanner}), so a corpus of millions of words allocates one
 * string per distinct word only. A `Map<string, number>` would need the substring, and its hash, every time.
 */
export const NOT_FOUND = -2;

export class WordInterner {
  private slots: Int32Array;
  private hashes: Int32Array;
  private values: Int32Array;
  /** The distinct words, in the order they were added. */
  readonly words: string[] = [];

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
  }

  /** The value of `text.slice(start, end)` (whose hash is `hash`), or {@link NOT_FOUND}. */
  get(text: string, start: number, end: number, hash: number): number {
    const { slots, hashes, words } = this;
    const mask = slots.length - 1;
    const length = end - start;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = slots[at];
      if (entry < 0) return NOT_FOUND;
      if (hashes[entry] !== hash) continue;
      const word = words[entry];
      if (word.length !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = word.charCodeAt(i) === text.charCodeAt(start + i);
      if (same) return this.values[entry];
    }
  }

  /** Adds `word` (not present yet) with its hash and value. */
  add(word: string, hash: number, value: number): void {
    const entry = this.words.length;
    if (entry === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.values = grow(this.values);
    }
    this.words.push(word);
    this.hashes[entry] = hash;
    this.values[entry] = value;
    if ((entry + 1) * 2 > this.slots.length) this.rehash();
    else this.place(entry);
  }

  private place(entry: number): void {
    const mask = this.slots.length - 1;
    let at = this.hashes[entry] & mask;
    while (this.slots[at] >= 0) at = (at + 1) & mask;
    this.slots[at] = entry;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let entry = 0; entry < this.words.length; entry++) this.place(entry);
  }
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(array.length * 2);
  next.set(array);
  return next;
}
