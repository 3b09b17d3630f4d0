import { DataError } from '../dataset.ts';

/** Column names taken as the embedding, in order of preference, when no other list column decides it. */
export const EMBEDDING_NAMES = ['embedding', 'embeddings', 'vector', 'vectors', 'emb', 'dense_vector'];
export const ID_NAMES = ['id', '_id', 'doc_id', 'docid', 'query_id', 'qid', 'corpus_id'];
export const KIND_NAMES = ['kind', 'role', 'type', 'side'];

/** A kind/role cell: whether the row is a query or a document. */
export function readKind(cell: unknown, row: number, name: string, file: string): 'query' | 'document' {
  const value = String(cell ?? '').toLowerCase();
  if (/^(query|queries|q|question|anchor)$/.test(value)) return 'query';
  if (/^(document|documents|doc|docs|d|corpus|passage|passages)$/.test(value)) return 'document';
  throw new DataError({ file, message: `row ${row + 1}: ${name} "${value}" is neither query nor document` });
}
