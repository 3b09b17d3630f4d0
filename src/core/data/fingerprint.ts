/**
 * What a dataset is, in a form a report can store and a later run can check: per collection (documents,
 * queries, judgments) a count, a SHA-256 digest and one 96-bit entry per item in id order — a 64-bit hash of
 * its key and a 32-bit hash of its content. Equal digests mean the same data; when they differ, the entries
 * tell what changed (items added, removed, changed) and name the first such id that the current data holds.
 */
import type { Dataset } from './dataset.ts';
import { sha256Hex } from './sha256.ts';

export interface CollectionFingerprint {
  count: number;
  /** SHA-256 (hex) of `items`. */
  digest: string;
  /** Base64 of little-endian uint32 triples [key hash high, key hash low, content hash], in key order. */
  items: string;
}

export interface DatasetFingerprint {
  /** SHA-256 (hex) over the three collection digests: one value to compare. */
  digest: string;
  /** Id → text and label. */
  documents: CollectionFingerprint;
  queries: CollectionFingerprint;
  /** (query id, document id) → grade. */
  judgments: CollectionFingerprint;
}

type CollectionName = 'documents' | 'queries' | 'judgments';

/** One item: its key as the user would name it, and its hashes. */
interface Entry {
  name: string;
  key: string;
  keyHigh: number;
  keyLow: number;
  content: number;
}

export async function datasetFingerprint(dataset: Dataset): Promise<DatasetFingerprint> {
  const documents = await packCollection(collectionEntries(dataset, 'documents'));
  const queries = await packCollection(collectionEntries(dataset, 'queries'));
  const judgments = await packCollection(collectionEntries(dataset, 'judgments'));
  return { digest: await sha256Hex(new TextEncoder().encode(`${documents.digest}|${queries.digest}|${judgments.digest}`)), documents, queries, judgments };
}

/**
 * How `current` differs from the data `stored` describes, one line per collection that changed (empty when
 * none did): counts, then items added, removed and changed, naming the first added or changed id.
 */
export function fingerprintChanges(stored: DatasetFingerprint, current: Dataset): string[] {
  const changes: string[] = [];
  for (const name of ['documents', 'queries', 'judgments'] as const) {
    const change = collectionChange(name, stored[name], collectionEntries(current, name));
    if (change) changes.push(change);
  }
  return changes;
}

/** Checks that a stored value has the fingerprint's shape (a report read from a file). */
export function isDatasetFingerprint(value: unknown): value is DatasetFingerprint {
  const v = value as DatasetFingerprint | null;
  const isCollection = (c: CollectionFingerprint | undefined) =>
    !!c && Number.isInteger(c.count) && typeof c.digest === 'string' && typeof c.items === 'string';
  return !!v && typeof v.digest === 'string' && isCollection(v.documents) && isCollection(v.queries) && isCollection(v.judgments);
}

function collectionEntries(dataset: Dataset, name: CollectionName): Entry[] {
  const entries: Entry[] = [];
  if (name === 'judgments') {
    const { queries, offsets, docs, grades } = dataset.judgments;
    for (let i = 0; i < queries.length; i++) {
      const queryId = dataset.queries.id(queries[i]);
      for (let j = offsets[i]; j < offsets[i + 1]; j++) {
        const docId = dataset.documents.id(docs[j]);
        entries.push(entry(`query "${queryId}", document "${docId}"`, `${queryId}\u0000${docId}`, String(grades[j])));
      }
    }
  } else {
    const table = dataset[name];
    for (let row = 0; row < table.length; row++) {
      const id = table.id(row);
      entries.push(entry(`"${id}"`, id, `${table.text(row)}\u0000${table.label(row) ?? ''}`));
    }
  }
  return entries.sort((a, b) => a.keyHigh - b.keyHigh || a.keyLow - b.keyLow);
}

function entry(name: string, key: string, content: string): Entry {
  const [keyHigh, keyLow] = cyrb64(key);
  return { name, key, keyHigh, keyLow, content: cyrb64(content)[1] };
}

async function packCollection(entries: readonly Entry[]): Promise<CollectionFingerprint> {
  const words = new Uint32Array(entries.length * 3);
  entries.forEach((e, i) => words.set([e.keyHigh, e.keyLow, e.content], i * 3));
  const bytes = littleEndianBytes(words);
  return { count: entries.length, digest: await sha256Hex(bytes), items: toBase64(bytes) };
}

function collectionChange(name: CollectionName, stored: CollectionFingerprint, current: readonly Entry[]): string | null {
  const storedWords = fromLittleEndian(fromBase64(stored.items));
  const storedContent = new Map<string, number>();
  for (let i = 0; i + 2 < storedWords.length; i += 3) storedContent.set(`${storedWords[i]}:${storedWords[i + 1]}`, storedWords[i + 2]);
  let added = 0;
  let changed = 0;
  let firstAdded: Entry | null = null;
  let firstChanged: Entry | null = null;
  for (const e of current) {
    const content = storedContent.get(`${e.keyHigh}:${e.keyLow}`);
    if (content === undefined) {
      added++;
      if (!firstAdded || e.key < firstAdded.key) firstAdded = e;
    } else {
      storedContent.delete(`${e.keyHigh}:${e.keyLow}`);
      if (content !== e.content) {
        changed++;
        if (!firstChanged || e.key < firstChanged.key) firstChanged = e;
      }
    }
  }
  const removed = storedContent.size;
  if (added === 0 && changed === 0 && removed === 0) return null;
  const what = name === 'judgments' ? 'grades' : 'texts or labels';
  const parts = [`${name}: ${stored.count} in the baseline, ${current.length} now`];
  if (added) parts.push(`${added} new (first: ${firstAdded!.name})`);
  if (removed) parts.push(`${removed} gone`);
  if (changed) parts.push(`${changed} with changed ${what} (first: ${firstChanged!.name})`);
  return parts.join('; ');
}

/**
 * cyrb53's two 32-bit lanes (a public-domain string hash with good dispersion), both kept: 64 bits, so a
 * million ids collide with chance ~3e-8.
 */
function cyrb64(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

function littleEndianBytes(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return bytes;
}

function fromLittleEndian(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.length >> 2 }, (_, i) => view.getUint32(i * 4, true));
}

// btoa/atob: the platform's base64 (browsers, workers and Node alike), over binary strings built in chunks.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
