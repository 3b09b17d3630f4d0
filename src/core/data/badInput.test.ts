import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { DataIssue } from './dataset.ts';
import { loadDataset, type InputFile, type LoadOptions } from './loadDataset.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const file = (path: string, content: string | Uint8Array): InputFile => ({ path, bytes: typeof content === 'string' ? bytes(content) : content });
const CORPUS = 'id,text\nd1,first document\nd2,second document\n';
const QUERIES = 'id,text\nq1,a query\nq2,another query\n';
const QRELS = 'query_id,doc_id,score\nq1,d1,1\nq2,d2,1\n';
const three = (changes: { corpus?: string; queries?: string; qrels?: string }) => [
  file('corpus.csv', changes.corpus ?? CORPUS),
  file('queries.csv', changes.queries ?? QUERIES),
  file('qrels.csv', changes.qrels ?? QRELS),
];
const beir = (changes: { corpus?: string; qrels?: Record<string, string> }) => [
  file('set/corpus.jsonl', changes.corpus ?? '{"_id":"d1","title":"","text":"x"}\n'),
  file('set/queries.jsonl', '{"_id":"q1","text":"find x"}\n'),
  ...Object.entries(changes.qrels ?? { test: 'query-id\tcorpus-id\tscore\nq1\td1\t1\n' }).map(([split, text]) => file(`set/qrels/${split}.tsv`, text)),
];

interface BadCase {
  name: string;
  files: InputFile[];
  options?: LoadOptions;
  /** The issue that must be reported, matched field by field (message as a pattern). */
  expected: Omit<Partial<DataIssue>, 'message'> & { message: RegExp };
  /** Whether the dataset still loads (warnings only). */
  usable?: boolean;
}

const CASES: BadCase[] = [
  {
    name: 'an Excel export with trailing empty columns, read as pandas reads it',
    files: [file('faq.csv', 'Question,Answer,,\nHow do I pay?,With a card.,,\nWhere is my card?,In the post.,,\n')],
    expected: { severity: 'warning', file: 'faq.csv', line: 1, message: /2 trailing columns without a name \(as an Excel export leaves them\) ignored/ },
    usable: true,
  },
  {
    name: 'a CSV without a header: its first row would be lost, so it is named',
    files: [file('faq.csv', 'How do I pay?,With a card.\nWhere is my card?,In the post.\nCan I open an account online?,Yes.\n')],
    expected: { severity: 'warning', file: 'faq.csv', line: 1, message: /the first line reads like data, not column names \("How do I pay\?"\)/ },
    usable: true,
  },
  {
    name: 'UTF-8 with an encoded surrogate (ED A0 80), located where it is',
    files: [file('pairs.csv', new Uint8Array([...bytes('Question,Answer\nok,fine\nbad '), 0xed, 0xa0, 0x80, ...bytes(',x\n')]))],
    expected: { severity: 'error', file: 'pairs.csv', line: 3, column: 5, message: /byte 0xed at offset 28 is not UTF-8/ },
  },
  {
    name: 'UTF-8 with an overlong form (C0 80 / E0 80 80), located where it is',
    files: [file('pairs.csv', new Uint8Array([...bytes('Question,Answer\nq '), 0xe0, 0x80, 0x80, ...bytes(',a\n')]))],
    expected: { severity: 'error', file: 'pairs.csv', line: 2, column: 3, message: /byte 0xe0 at offset 18 is not UTF-8/ },
  },
  {
    name: 'a UTF-32 file (BOM), not read as UTF-16 full of NULs',
    files: [file('pairs.csv', new Uint8Array([0xff, 0xfe, 0, 0, ...[...'Q,A\n'].flatMap((c) => [c.charCodeAt(0), 0, 0, 0])]))],
    expected: { severity: 'error', file: 'pairs.csv', message: /is UTF-32 .*save it as UTF-8/ },
  },
  {
    name: 'UTF-16 without a BOM, called what it is',
    files: [file('pairs.csv', new Uint8Array([...'Question,Answer\nq,a\n'].flatMap((c) => [c.charCodeAt(0), 0])))],
    expected: { severity: 'error', file: 'pairs.csv', message: /looks like UTF-16 LE without a byte-order mark/ },
  },
  {
    name: 'a BEIR folder without queries.jsonl, naming it',
    files: [file('set/corpus.jsonl', '{"_id":"d1","title":"","text":"x"}\n'), file('set/qrels/test.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\n')],
    expected: { severity: 'error', file: 'queries.jsonl', message: /is missing: a BEIR folder needs corpus\.jsonl, queries\.jsonl and qrels/ },
  },
  {
    name: 'a BEIR folder without qrels, naming it',
    files: [file('set/corpus.jsonl', '{"_id":"d1","title":"","text":"x"}\n'), file('set/queries.jsonl', '{"_id":"q1","text":"find x"}\n')],
    expected: { severity: 'error', file: 'qrels/', message: /holds no <split>\.tsv/ },
  },
  { name: 'an empty file', files: [file('a.csv', '')], expected: { severity: 'error', file: 'a.csv', message: /the file is empty/ } },
  {
    name: 'a binary file',
    files: [file('a.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))],
    expected: { severity: 'error', file: 'a.csv', message: /binary content \(a NUL byte at offset 8\)/ },
  },
  {
    name: 'Latin-1 instead of UTF-8',
    files: [file('a.csv', new Uint8Array([...bytes('q,d\nabc,caf'), 0xe9, ...bytes('\n')]))],
    expected: { severity: 'error', file: 'a.csv', line: 2, column: 8, message: /byte 0xe9 at offset 11 is not UTF-8: save the file as UTF-8/ },
  },
  { name: 'blank lines only', files: [file('a.csv', '\n\n\r\n')], expected: { severity: 'error', file: 'a.csv', message: /the file has no rows/ } },
  { name: 'a header without rows', files: [file('a.csv', 'question,answer\n')], expected: { severity: 'error', message: /no \(query, relevant document\) pair left/ } },
  {
    name: 'a row with too few cells',
    files: [file('a.csv', 'question,answer\nq1,d1\nq2\nq3,d3\n')],
    expected: { severity: 'error', file: 'a.csv', line: 3, column: 2, message: /row has 1 cells but the header has 2/ },
  },
  {
    name: 'a row with too many cells',
    files: [file('a.csv', 'question,answer\nq1,d1\nq2,d2,extra\n')],
    expected: { severity: 'error', file: 'a.csv', line: 3, column: 3, message: /row has 3 cells but the header has 2/ },
  },
  {
    name: 'a quote never closed',
    files: [file('a.csv', 'question,answer\nq1,"d1\nq2,d2\n')],
    expected: { severity: 'error', file: 'a.csv', line: 2, message: /a quoted field is never closed/ },
  },
  {
    name: 'a duplicated column name',
    files: [file('a.csv', 'question,answer,answer\nq,d,e\n')],
    expected: { severity: 'error', file: 'a.csv', line: 1, column: 3, message: /column name "answer" appears twice/ },
  },
  {
    name: 'an unnamed column',
    files: [file('a.csv', 'question,,answer\nq,x,d\n')],
    expected: { severity: 'error', file: 'a.csv', line: 1, column: 2, message: /column 2 has no name/ },
  },
  {
    name: 'one column only',
    files: [file('a.csv', 'notes\nsomething\n')],
    expected: { severity: 'error', file: 'a.csv', line: 1, message: /cannot tell which columns hold the queries \(header: notes\)/ },
  },
  {
    name: 'a mapping naming a missing column',
    files: [file('a.csv', 'question,answer\nq,d\n')],
    options: { mapping: { query: 'prompt', document: 'answer' } },
    expected: { severity: 'error', file: 'a.csv', line: 1, message: /the query column "prompt" is not in the header \(question, answer\)/ },
  },
  {
    name: 'two columns that could both hold the queries (warning)',
    files: [file('a.csv', 'query,question,answer\nq1,x,d1\n')],
    usable: true,
    expected: { severity: 'warning', file: 'a.csv', line: 1, message: /"query" and "question" could all hold the queries; using "query"/ },
  },
  {
    name: 'an empty document (warning, row skipped)',
    files: [file('a.csv', 'question,answer\nq1,d1\nq2,  \n')],
    usable: true,
    expected: { severity: 'warning', file: 'a.csv', line: 3, column: 2, message: /empty answer: row skipped/ },
  },
  {
    name: 'every query empty',
    files: [file('a.csv', 'question,answer\n,d1\n ,d2\n')],
    expected: { severity: 'error', message: /no \(query, relevant document\) pair left/ },
  },
  {
    name: 'a JSONL line that is not JSON',
    files: [file('a.jsonl', '{"query":"q","document":"d"}\n{"query": "q2", "document": \n')],
    expected: { severity: 'error', file: 'a.jsonl', line: 2, message: /not valid JSON/ },
  },
  {
    name: 'a JSONL line holding an array',
    files: [file('a.jsonl', '{"query":"q","document":"d"}\n\n["q2","d2"]\n')],
    expected: { severity: 'error', file: 'a.jsonl', line: 3, message: /expected one JSON object per line/ },
  },
  {
    name: 'a corpus without an id column',
    files: three({ corpus: 'key,text\nd1,x\n' }),
    expected: { severity: 'error', file: 'corpus.csv', line: 1, message: /no id column \(header: key, text\)/ },
  },
  {
    name: 'qrels without a score column',
    files: three({ qrels: 'query_id,doc_id\nq1,d1\n' }),
    expected: { severity: 'error', file: 'qrels.csv', line: 1, message: /no score column/ },
  },
  {
    name: 'a score that is not a number',
    files: three({ qrels: 'query_id,doc_id,score\nq1,d1,1\nq2,d2,high\n' }),
    expected: { severity: 'error', file: 'qrels.csv', line: 3, column: 3, message: /score "high" is not an integer/ },
  },
  // trec_eval reads grades with atol: these would be 16, 1 and 1 here but 0, 1 and 1 there — so neither.
  ...['0x10', '1e3', '2.5', '1.0'].map((score) => ({
    name: `a score "${score}" that is not an integer`,
    files: three({ qrels: `query_id,doc_id,score\nq1,d1,1\nq2,d2,${score}\n` }),
    expected: { severity: 'error' as const, file: 'qrels.csv', line: 3, column: 3, message: new RegExp(`score "${score.replace('.', '\\.')}" is not an integer`) },
  })),
  {
    name: 'a (query, document) pair judged twice',
    files: three({ qrels: 'query_id,doc_id,score\nq1,d1,1\nq2,d2,1\nq1,d1,2\n' }),
    expected: { severity: 'warning', file: 'qrels.csv', line: 4, message: /1 \(query, document\) pairs are judged again further down \(first at this line\): the last grade given wins/ },
    usable: true,
  },
  {
    name: 'a JSON id too large for a double, or written 1.0, kept exactly as written',
    files: beir({ corpus: '{"_id":12345678901234567891,"title":"","text":"x"}\n{"_id":1.0,"title":"","text":"y"}\n', qrels: { test: 'query-id\tcorpus-id\tscore\nq1\t12345678901234567890\t1\nq1\t1.0\t1\n' } }),
    // 12345678901234567890 is not in the corpus (…891 is, unrounded): counted, not silently matched.
    expected: { severity: 'warning', message: /^0 judgments name unknown queries and 1 unknown documents/ },
    usable: true,
  },
  {
    name: 'a document id used twice with different texts',
    files: three({ corpus: 'id,text\nd1,first\nd2,second\nd1,other\n' }),
    expected: { severity: 'error', file: 'corpus.csv', line: 4, column: 1, message: /id "d1" already used on line 2 with a different text/ },
  },
  {
    name: 'a document repeated verbatim (warning)',
    files: three({ corpus: 'id,text\nd1,first\nd2,second\nd1,first\n' }),
    usable: true,
    expected: { severity: 'warning', file: 'corpus.csv', line: 4, message: /id "d1" repeats line 2: duplicate skipped/ },
  },
  {
    name: 'an empty id',
    files: three({ queries: 'id,text\nq1,a query\n,orphan\nq2,x\n' }),
    expected: { severity: 'error', file: 'queries.csv', line: 3, column: 1, message: /empty id/ },
  },
  {
    name: 'judgments naming unknown ids (ignored, counted)',
    files: three({ qrels: 'query_id,doc_id,score\nq1,d1,1\nq9,d1,1\nq2,d7,1\nq2,d2,1\n' }),
    usable: true,
    expected: { severity: 'warning', file: 'qrels.csv', line: 3, message: /1 judgments name unknown queries and 1 unknown documents: ignored, as trec_eval does/ },
  },
  {
    name: 'judgments naming unknown ids (fatal on request)',
    files: three({ qrels: 'query_id,doc_id,score\nq1,d1,1\nq2,d7,1\n' }),
    options: { unknownIds: 'fail' },
    expected: { severity: 'error', file: 'qrels.csv', line: 3, column: 2, message: /document id "d7" is not in corpus.csv/ },
  },
  {
    name: 'no judgment naming anything known',
    files: three({ qrels: 'query_id,doc_id,score\nq8,d8,1\n' }),
    expected: { severity: 'error', file: 'qrels.csv', message: /no judgment names a known query and document/ },
  },
  {
    name: 'a query without any relevant document (warning)',
    files: three({ qrels: 'query_id,doc_id,score\nq1,d1,1\nq2,d2,0\n' }),
    usable: true,
    expected: { severity: 'warning', file: 'qrels.csv', message: /1 queries have no relevant document \(score > 0\): kept out of the averages/ },
  },
  {
    name: 'a BEIR split that does not exist',
    files: beir({}),
    options: { split: 'dev' },
    expected: { severity: 'error', file: 'qrels/', message: /no split "dev" \(found test\)/ },
  },
  {
    name: 'a BEIR corpus line that is not JSON',
    files: beir({ corpus: '{"_id":"d1","text":"x"}\n{"_id":"d2",\n' }),
    expected: { severity: 'error', file: 'corpus.jsonl', line: 2, message: /not valid JSON/ },
  },
  {
    name: 'a corrupt zip',
    files: [file('data.zip', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))],
    expected: { severity: 'error', file: 'data.zip', message: /not a readable zip archive/ },
  },
  {
    name: 'two unrelated files',
    files: [file('a.csv', 'q,d\nx,y\n'), file('b.csv', 'q,d\nx,y\n')],
    expected: { severity: 'error', message: /expected one pairs or triplets file, three tables named corpus \/ queries \/ qrels, or a BEIR folder/ },
  },
];

describe('bad input gets a specific message with its location', () => {
  it(`covers at least 25 broken files (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, { files, options, expected, usable }) => {
    const result = loadDataset(files, options);
    const { message, ...location } = expected;
    const match = result.issues.find((issue) => message.test(issue.message));
    expect(match, `issues: ${JSON.stringify(result.issues)}`).toBeDefined();
    expect(match).toMatchObject(location);
    expect(result.dataset !== null).toBe(Boolean(usable));
  });
});

describe('zip archives', () => {
  it('ignore macOS metadata and hidden files', () => {
    const zip = zipSync({ 'faq.csv': strToU8('question,answer\nq,d\n'), '__MACOSX/._faq.csv': strToU8('junk'), '.DS_Store': strToU8('junk') });
    expect(loadDataset([file('faq.zip', zip)]).dataset?.queries).toHaveLength(1);
  });

  /** A stored (uncompressed) zip of one CSV, and where its central directory entry starts. */
  const stored = () => {
    const zip = zipSync({ 'faq.csv': strToU8('question,answer\nhow do I pay,with a card\n') }, { level: 0 });
    const view = new DataView(zip.buffer);
    const central = zip.findIndex((_, i) => i + 4 <= zip.length && view.getUint32(i, true) === 0x02014b50);
    return { zip, view, central };
  };
  const issue = (zip: Uint8Array) => loadDataset([file('data.zip', zip)]).issues.find((i) => i.severity === 'error')?.message;

  it('refuses an entry whose bytes no longer match its CRC-32', () => {
    const { zip } = stored();
    const at = zip.indexOf('w'.charCodeAt(0), 30); // a byte of the stored CSV text
    zip[at] = 'W'.charCodeAt(0);
    expect(issue(zip)).toBe('faq.csv is damaged (its CRC-32 does not match): the archive is corrupt');
  });

  it('names a password-protected archive, a zip inside the zip, and contents too large to read at once', () => {
    const encrypted = stored();
    encrypted.view.setUint16(encrypted.central + 8, 1, true);
    expect(issue(encrypted.zip)).toMatch(/is password-protected \(faq\.csv is encrypted\)/);
    const nested = zipSync({ 'inner.zip': zipSync({ 'faq.csv': strToU8('q,a\n') }) });
    expect(issue(nested)).toMatch(/holds another zip \(inner\.zip\): unpack the inner archive/);
    const bomb = stored();
    bomb.view.setUint32(bomb.central + 24, 0xfffffff0, true); // stated size: 4 GB
    expect(issue(bomb.zip)).toMatch(/unpacks to 4096 MB, more than the 400 MB read at once/);
  });
});
