import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readFolderFiles } from '../../../tests/fixtures/folderFiles.ts';
import { needs, SHARED } from '../../../tests/paths.ts';
import { datasetName, loadDataset, type InputFile } from './loadDataset.ts';
import { summarizeLoad } from './summary.ts';
import { judgmentsById } from '../../../tests/fixtures/judgments.ts';

const file = (path: string, text: string | Uint8Array): InputFile => ({ path, bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text });
const DATA = path.join(SHARED, 'data');
const HAS_DATA = (() => {
  try {
    return readdirSync(DATA).length > 0;
  } catch {
    return false;
  }
})();


describe.skipIf(!HAS_DATA)(needs(DATA, 'the real files in ../shared/data'), () => {
  it('reads the SciFact BEIR folder, test split: 300 queries, 5183 documents, 339 judgments', () => {
    const result = loadDataset(readFolderFiles(path.join(DATA, 'scifact'), 'scifact'));
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.format).toBe('beir');
    expect(result.splits).toEqual(['test', 'train']);
    const dataset = result.dataset!;
    expect(dataset.queries).toHaveLength(300);
    expect(dataset.documents).toHaveLength(5183);
    expect([...judgmentsById(dataset).values()].reduce((n, d) => n + d.size, 0)).toBe(339);
    // title + " " + text, the sentence-transformers/BEIR convention.
    const first = JSON.parse(readFileSync(path.join(DATA, 'scifact/corpus.jsonl'), 'utf8').split('\n')[0]);
    expect(dataset.documents.record(0)).toEqual({ id: first._id, text: `${first.title} ${first.text}` });
  });

  it('reads the train split on request', () => {
    const result = loadDataset(readFolderFiles(path.join(DATA, 'scifact'), 'scifact'), { split: 'train' });
    expect(result.dataset!.format).toMatch(/split train/);
    expect(result.dataset!.queries.length).toBeGreaterThan(300);
  });

  it('reads BankFAQs.csv as pairs with a label column: 1499 rows, 7 classes', () => {
    const result = loadDataset([{ path: 'BankFAQs.csv', bytes: new Uint8Array(readFileSync(path.join(DATA, 'bank-faqs/BankFAQs.csv'))) }]);
    expect(result.format).toBe('pairs');
    expect(result.mapping).toEqual({ query: 'Question', document: 'Answer', label: 'Class' });
    const dataset = result.dataset!;
    expect(dataset.rowCount).toBe(1499);
    // Counted by an independent pass over the file with Python's csv module.
    expect(dataset.repeatedRows).toBe(252);
    expect(new Set(Array.from(dataset.documents, (d) => d.label))).toEqual(new Set(['insurance', 'loans', 'accounts', 'investments', 'cards', 'security', 'fundstransfer']));
    // Documents are distinct answers; every query has at least one relevant answer.
    expect(new Set(Array.from(dataset.documents, (d) => d.text)).size).toBe(dataset.documents.length);
    const byId = judgmentsById(dataset);
    for (const q of dataset.queries) expect(byId.get(q.id)?.size).toBeGreaterThan(0);
  });
});

describe('formats', () => {
  it('pairs: deduplicates documents and queries by exact text, a repeated question gains relevant answers', () => {
    const { dataset, issues } = loadDataset([file('faq.csv', 'Question,Answer,Class\nhow?,like this,a\nwhy?,because,b\nhow?,another way,a\n')]);
    expect(issues).toEqual([]);
    expect(Array.from(dataset!.queries, (q) => q.text)).toEqual(['how?', 'why?']);
    expect(Array.from(dataset!.documents, (d) => [d.text, d.label])).toEqual([['like this', 'a'], ['because', 'b'], ['another way', 'a']]);
    expect([...judgmentsById(dataset!).get('q1')!.keys()]).toEqual(['d1', 'd3']);
    expect(dataset!.repeatedRows).toBe(0);
  });

  it('pairs: counts rows that repeat a (query, document) pair, first or further relevant, as merged', () => {
    const text = 'Question,Answer\nhow?,like this\nhow?,like this\nhow?,another way\nwhy?,because\nhow?,another way\nhow?,another way\n';
    const { dataset } = loadDataset([file('faq.csv', text)]);
    expect(dataset!.rowCount).toBe(6);
    expect(dataset!.repeatedRows).toBe(3);
    expect(summarizeLoad(loadDataset([file('faq.csv', text)])).counts).toMatchObject({ rows: 6, repeatedRows: 3, judgments: 3 });
  });

  it('pairs: gives a document the majority label of its rows and says so', () => {
    const text = 'query,document,domain\nq1,D,x\nq2,D,y\nq3,D,y\n';
    const { dataset, issues } = loadDataset([file('p.csv', text)]);
    expect(dataset!.documents.record(0).label).toBe('y');
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/^1 document appears under several domain values/) })]);
  });

  it('pairs: counts several documents under several labels in the plural', () => {
    const text = 'query,document,domain\nq1,D,x\nq2,D,y\nq3,E,x\nq4,E,y\n';
    const { issues } = loadDataset([file('p.csv', text)]);
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/^2 documents appear under several domain values/) })]);
  });

  it('pairs by content when the names say nothing', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `short question ${i},a much longer answer text that explains thing number ${i} in detail,${i % 3 ? 'x' : 'y'}`);
    const { mapping } = loadDataset([file('x.csv', `c1,c2,c3\n${rows.join('\n')}\n`)]);
    expect(mapping).toEqual({ document: 'c2', query: 'c1', label: 'c3' });
  });

  it('honours a column mapping override', () => {
    const { dataset } = loadDataset([file('x.csv', 'a,b\nfirst,second\n')], { mapping: { query: 'b', document: 'a' } });
    expect(dataset!.queries.record(0).text).toBe('second');
  });

  it('triplets: negatives join the corpus and the triplets are kept', () => {
    const { dataset, format } = loadDataset([file('t.tsv', 'anchor\tpositive\tnegative\nq\tp\tn\nq\tp2\tp\n')]);
    expect(format).toBe('triplets');
    expect(Array.from(dataset!.documents, (d) => d.text)).toEqual(['p', 'n', 'p2']);
    expect(dataset!.triplets).toEqual([{ query: 0, positive: 0, negative: 1 }, { query: 0, positive: 2, negative: 0 }]);
  });

  it('triplets as JSONL', () => {
    const { dataset } = loadDataset([file('t.jsonl', '{"anchor":"q","positive":"p","negative":"n"}\n\n{"anchor":"q2","positive":"p","negative":"m"}\n')]);
    expect(dataset!.triplets).toHaveLength(2);
  });

  it('three tables, graded qrels, title + text, labels', () => {
    const { dataset, issues, format } = loadDataset([
      file('corpus.csv', 'id,title,text,label\nd1,Title,body one,x\nd2,,body two,y\n'),
      file('queries.tsv', 'id\ttext\nq1\tfirst\nq2\tsecond\n'),
      file('qrels.csv', 'query_id,doc_id,score\nq1,d1,2\nq1,d2,0\nq2,d2,1\n'),
    ]);
    expect(issues).toEqual([]);
    expect(format).toBe('three-tables');
    expect(Array.from(dataset!.documents)).toEqual([{ id: 'd1', text: 'Title body one', label: 'x' }, { id: 'd2', text: 'body two', label: 'y' }]);
    expect(judgmentsById(dataset!).get('q1')).toEqual(new Map([['d1', 2], ['d2', 0]]));
  });

  it('a BEIR folder inside a zip', () => {
    const zip = zipSync({
      'mini/corpus.jsonl': strToU8('{"_id":"d1","title":"T","text":"x"}\n{"_id":"d2","title":"","text":"y"}\n'),
      'mini/queries.jsonl': strToU8('{"_id":"q1","text":"find x","metadata":{}}\n'),
      'mini/qrels/test.tsv': strToU8('query-id\tcorpus-id\tscore\nq1\td1\t1\n'),
    });
    const { dataset, format } = loadDataset([file('mini.zip', zip)]);
    expect(format).toBe('beir');
    expect(Array.from(dataset!.documents, (d) => d.text)).toEqual(['T x', 'y']);
    expect(Array.from(dataset!.queries)).toEqual([{ id: 'q1', text: 'find x' }]);
  });

  it.each([
    ['UTF-8 with BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('q,d\ncafé,naïve\n')])],
    ['UTF-16 LE with BOM', utf16('q,d\r\ncafé,naïve\r\n', true)],
    ['UTF-16 BE with BOM', utf16('q,d\ncafé,naïve\n', false)],
    ['CRLF and trailing empty lines', new TextEncoder().encode('q,d\r\ncafé,naïve\r\n\r\n\r\n')],
    ['tabs in a file named .csv', new TextEncoder().encode('q\td\ncafé\tnaïve\n')],
  ])('decodes %s', (_, bytes) => {
    const { dataset, issues } = loadDataset([{ path: 'x.csv', bytes }], { mapping: { query: 'q', document: 'd' } });
    expect(issues).toEqual([]);
    expect(dataset!.queries.record(0).text).toBe('café');
    expect(dataset!.documents.record(0).text).toBe('naïve');
  });

  it('keeps commas, newlines and quotes inside quoted fields', () => {
    const { dataset } = loadDataset([file('x.csv', 'question,answer\n"a, b","line one\nline ""two"""\n')]);
    expect(dataset!.queries.record(0).text).toBe('a, b');
    expect(dataset!.documents.record(0).text).toBe('line one\nline "two"');
  });
});

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set(littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(2 + 2 * i, text.charCodeAt(i), littleEndian);
  return out;
}

describe('dataset names', () => {
  it('come from the folder or zip, else the one file, else what loose files share, else their names', () => {
    expect(datasetName([{ path: 'scifact/corpus.jsonl' }, { path: 'scifact/queries.jsonl' }])).toBe('scifact');
    expect(datasetName([{ path: 'BankFAQs.csv' }])).toBe('BankFAQs');
    expect(datasetName([{ path: 'bank_corpus.csv' }, { path: 'bank_queries.csv' }, { path: 'bank_qrels.tsv' }])).toBe('bank');
    expect(datasetName([{ path: 'corpus.csv' }, { path: 'queries.csv' }, { path: 'qrels.tsv' }])).toBe('corpus + queries + qrels');
  });
});
