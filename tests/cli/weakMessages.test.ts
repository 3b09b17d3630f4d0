import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODEL } from '../paths.ts';
import { embedlab } from './runCli.ts';

/**
 * Messages issue #28 item 6 called weak, through the CLI: each is exit 2, one line naming the file (or the
 * option) and what is wrong, no stack trace. (Ids files, parts that disagree, truncated Arrow, --tolerance -1,
 * trailing commas and --metrics "" are pinned in corruptInputs, hostileVectors and hostilePaths.)
 */
const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-weak-'));
const at = (name: string) => path.join(dir, name);
writeFileSync(at('corpus.csv'), 'id,text\nd1,alpha bravo\nd2,charlie delta\n');
writeFileSync(at('queries.csv'), 'id,text\nq1,alpha\nq2,delta\n');
writeFileSync(at('qrels.csv'), 'query_id,doc_id,score\nq1,d1,1\nq2,d2,1\n');
writeFileSync(at('a.run'), 'q1 Q0 d1 1 2.0 a\nq1 Q0 d2 2 1.0 a\nq2 Q0 d2 1 2.0 a\n');
const data = ['corpus.csv', 'queries.csv', 'qrels.csv'].map(at);

/** A float32 `.npy` of `rows` × `dim` (format 1.0). */
function npy(rows: number[][]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${rows[0].length}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header), Buffer.from(Float32Array.from(rows.flat()).buffer)]);
}

function expectBadInput(result: { code: number; stderr: string }, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('embedlab: '));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('weak messages made precise', { timeout: 60_000 }, () => {
  it('--sweep with only run files says there is nothing to sweep (it was silently ignored, exit 0)', async () => {
    expectBadInput(await embedlab(['eval', ...data, '--run', `A=${at('a.run')}`, '--run', `B=${at('a.run')}`, '--sweep', 'dims=2']), /--sweep compresses vectors, and no checkpoint given has any .*: nothing to sweep/);
  });

  it('a 2 GiB file gives its size and the limit, in bytes where the rounded figures would read the same (a sparse file: nothing written)', async () => {
    truncateSync((writeFileSync(at('big.run'), ''), at('big.run')), 2 ** 31);
    truncateSync((writeFileSync(at('big.json'), ''), at('big.json')), 3 * 2 ** 30);
    truncateSync((writeFileSync(at('big.txt'), ''), at('big.txt')), 2 ** 31);
    expectBadInput(await embedlab(['eval', ...data, '--run', `A=${at('big.run')}`]), /big\.run: is 2147483648 bytes, more than the 2147483647 bytes a run file \(TREC or qid docid score\) may be/);
    expectBadInput(await embedlab(['eval', ...data, '--baseline', at('big.json'), '--run', `A=${at('a.run')}`]), /big\.json: is 3\.0 GiB, more than the 2\.0 GiB a report this lab wrote \(JSON\) may be/);
    expectBadInput(await embedlab(['embed', '--model', FIXTURE_MODEL, '--file', at('big.txt')]), /big\.txt: is 2\.0 GiB, more than the 400 MB a text file \(one text per line\) may be/);
  });

  it('NAME=DOCS.npy,QUERIES.npy takes two files of any name, documents then queries (it asked for documents.npy)', async () => {
    writeFileSync(at('mine-docs.npy'), npy([[1, 0], [0, 1]]));
    writeFileSync(at('mine-queries.npy'), npy([[1, 0.1], [0.1, 1]]));
    const ok = await embedlab(['eval', ...data, '--vectors', `V=${at('mine-docs.npy')},${at('mine-queries.npy')}`, '--no-diagnostics', '--json', at('out.json')]);
    expect(ok.code, ok.stderr).toBe(0);
    writeFileSync(at('short-queries.npy'), npy([[1, 0.1]]));
    expectBadInput(await embedlab(['eval', ...data, '--vectors', `V=${at('mine-docs.npy')},${at('short-queries.npy')}`]), /short-queries\.npy/);
  });
});
