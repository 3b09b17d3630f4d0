import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';
import { embedlab } from './runCli.ts';

/**
 * A hostile user's paths on every command besides `inspect` (issue 28): outputs that cannot be written,
 * inputs that are pipes, devices, folders or missing, numbers out of bounds, text that is not UTF-8. Each is
 * exit 2 — never 1, the gate's "a model got worse", even when the gate passed — with the path and what is
 * wrong, no stack trace, and in bounded time (a FIFO is never opened for a blocking read or write).
 *
 * Most cases call the CLI's `main` in this process (the exit code it returns is the one `bin/embedlab.mjs`
 * sets; a process start costs seconds on a busy machine); what needs a process of its own — a full device
 * after the gate passed, a shell file-size limit, a standard output that fails — runs `embedlab` as a user
 * would. A FIFO opened for a blocking read here would hang the test past its limit, not pass it.
 */

const LIMIT = { timeout: 20_000 };
const PAIRS = 'Question,Answer\nHow do I reset my PIN?,Use the app.\nWhere is my card?,It is in the post.\nCan I pay abroad?,Yes with a fee.\n';
const RUN = 'q1 d1 1.0\nq1 d2 0.5\nq2 d2 1.0\nq2 d3 0.2\nq3 d3 1.0\nq3 d1 0.1\n';
/** Two identical rankings and a gate on them: it passes, so only an output problem can make the exit code non-zero. */
const PASSING_GATE = (dir: string) => ['eval', path.join(dir, 'pairs.csv'), '--run', `A=${path.join(dir, 'a.run')}`, '--run', `B=${path.join(dir, 'b.run')}`, '--fail-if-worse', 'ndcg@10', '--no-diagnostics'];

type Result = { code: number; stdout: string; stderr: string };

/** `main(args)` here, its output captured; one at a time (the captures are the process's streams). */
let queue: Promise<unknown> = Promise.resolve();
function cli(args: string[]): Promise<Result> {
  const run = queue.then(async () => {
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      return { code: await main(args), stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
  queue = run.catch(() => {});
  return run;
}

/** Exit 2, one error line naming the path and what is wrong (progress lines may come before it), no stack trace. */
function expectBadInput(result: Result, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.split('\n').filter((line) => line.startsWith('embedlab:'))).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at .*\(/m);
  expect(result.stderr).not.toMatch(/node:internal/);
}

/** `embedlab` under a shell limit: `ulimit -f` blocks of 1 KiB, so a write past it fails (EFBIG) as a full disk would. */
async function embedlabWithFileLimit(blocks: number, args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', `ulimit -f ${blocks}; exec "$0" "$@"`, process.execPath, path.join(ROOT, 'bin/embedlab.mjs'), ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as Result;
  }
}

/** A float32 .npy file of these rows. */
function npy(rows: number[][]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${rows[0].length}), }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(new Float32Array(rows.flat()).buffer)]);
}

describe('embedlab eval, embed and quantize on hostile paths', () => {
  let dir: string;
  const at = (...parts: string[]) => path.join(dir, ...parts);
  const fifo = (...parts: string[]) => {
    execFileSync('mkfifo', [at(...parts)]);
    return at(...parts);
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'embedlab-paths-'));
    writeFileSync(at('pairs.csv'), PAIRS);
    writeFileSync(at('a.run'), RUN);
    writeFileSync(at('b.run'), RUN);
    mkdirSync(at('a-folder'));
    // Vectors: the identity, one row per document and query in the dataset's order.
    const eye = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
    writeFileSync(at('real-documents.npy'), npy(eye));
    writeFileSync(at('queries.npy'), npy(eye));
    mkdirSync(at('linked-vectors'));
    symlinkSync(at('real-documents.npy'), at('linked-vectors', 'documents.npy'));
    cpSync(at('queries.npy'), at('linked-vectors', 'queries.npy'));
    mkdirSync(at('piped-vectors'));
    cpSync(at('queries.npy'), at('piped-vectors', 'queries.npy'));
    fifo('piped-vectors', 'documents.npy');
    // Model folders with a named pipe for tokenizer.json, and a folder for onnx/model.onnx.
    for (const name of ['pipe-tokenizer', 'folder-onnx']) cpSync(FIXTURE_MODEL, at(name), { recursive: true, dereference: true });
    rmSync(at('pipe-tokenizer', 'tokenizer.json'));
    fifo('pipe-tokenizer', 'tokenizer.json');
    rmSync(at('folder-onnx', 'onnx', 'model.onnx'));
    mkdirSync(at('folder-onnx', 'onnx', 'model.onnx'));
    // A dataset that fails only when read (a Latin-1 byte): what is checked first must not reach it.
    writeFileSync(at('latin1.csv'), Buffer.from('Question,Answer\nCaf\xe9?,Yes\n', 'latin1'));
  });

  it('--json, --markdown, --junit and --out that cannot be written: exit 2 naming the path, before anything is read', LIMIT, async () => {
    const unwritable = process.getuid?.() === 0 ? '/sys' : at('read-only');
    if (unwritable !== '/sys') {
      mkdirSync(unwritable);
      chmodSync(unwritable, 0o555);
    }
    // The dataset is the Latin-1 file: each output problem must be found before it is read.
    const early = ['eval', at('latin1.csv'), '--run', `A=${at('a.run')}`];
    const [folder, missing, notWritable, input, pipe, dangling] = await Promise.all([
      cli([...early, '--junit', at('a-folder'), '--fail-if-worse', 'ndcg@10', '--run', `B=${at('b.run')}`]),
      cli([...early, '--json', at('no-such-folder', 'report.json')]),
      cli([...early, '--markdown', path.join(unwritable, 'report.md')]),
      cli([...early, '--markdown', at('latin1.csv')]),
      cli([...early, '--json', fifo('nobody-reads.json')]),
      (symlinkSync(at('nowhere'), at('dangling.json')), cli([...early, '--json', at('dangling.json')])),
    ]);
    expectBadInput(folder, /eval: --junit .*a-folder: is a folder: give a file name/);
    expectBadInput(missing, /eval: --json .*no-such-folder\/report\.json: the folder .*no-such-folder does not exist/);
    expectBadInput(notWritable, new RegExp(`eval: --markdown ${unwritable}/report\\.md: cannot write in ${unwritable} \\(permission denied\\)`));
    expectBadInput(input, /eval: --markdown .*latin1\.csv: is the dataset, which this run reads: write the output elsewhere/);
    expect(readFileSync(at('latin1.csv'), 'latin1')).toContain('Caf\xe9');
    expectBadInput(pipe, /eval: --json .*nobody-reads\.json: is a named pipe that no process reads: writing to it would wait forever/);
    expectBadInput(dangling, /eval: --json .*dangling\.json: is a symbolic link to .*nowhere, which does not exist/);

    const quantized = at('quantize-me');
    cpSync(FIXTURE_MODEL, quantized, { recursive: true, dereference: true });
    const [outFolder, outMissing, outInput] = await Promise.all([
      cli(['quantize', quantized, '--out', at('a-folder')]),
      cli(['quantize', quantized, '--out', at('no-such-folder', 'int8.onnx')]),
      cli(['quantize', quantized, '--out', path.join(quantized, 'onnx', 'model.onnx'), '--force']),
    ]);
    expectBadInput(outFolder, /quantize: --out .*a-folder: is a folder: give a file name/);
    expectBadInput(outMissing, /quantize: --out .*no-such-folder\/int8\.onnx: the folder .*no-such-folder does not exist/);
    expectBadInput(outInput, /quantize: --out .*quantize-me\/onnx\/model\.onnx: is a file of the model folder .*quantize-me, which this run reads/);
    expect(readdirSync(path.join(quantized, 'onnx'))).toEqual(['model.onnx']);
  });

  it('a write that fails after the gate passed (/dev/full: no space left) is exit 2 naming the path, not the gate\'s 0 or 1', LIMIT, async () => {
    const [full, passed] = await Promise.all([embedlab([...PASSING_GATE(dir), '--junit', '/dev/full']), cli([...PASSING_GATE(dir), '--junit', at('junit.xml')])]);
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/^PASS ndcg@10/m);
    expect(full.stdout).toMatch(/^PASS ndcg@10/m);
    expectBadInput(full, /eval: --junit \/dev\/full: cannot be written \(no space left on device\)/);
    expect(readFileSync(at('junit.xml'), 'utf8')).toMatch(/^<\?xml/);

    const quantized = at('quantize-full');
    cpSync(FIXTURE_MODEL, quantized, { recursive: true, dereference: true });
    expectBadInput(await cli(['quantize', quantized, '--out', '/dev/full']), /quantize: --out \/dev\/full: cannot be written \(no space left on device\)/);
  });

  it('a write that fails on a full disk leaves the old file, or none, under the final name — and no temporary file', LIMIT, async () => {
    // 4 KiB a file: the JSON report (~9 KB) cannot be written. The old report stays whole; no temporary file is left.
    writeFileSync(at('old.json'), '{"old": true}');
    const [limited, fresh] = await Promise.all([
      embedlabWithFileLimit(4, [...PASSING_GATE(dir), '--json', at('old.json')]),
      embedlabWithFileLimit(4, [...PASSING_GATE(dir), '--json', at('new.json')]),
    ]);
    expectBadInput(limited, /eval: --json .*old\.json: cannot be written \(file too large.*\); nothing was written there/);
    expect(readFileSync(at('old.json'), 'utf8')).toBe('{"old": true}');
    expectBadInput(fresh, /--json .*new\.json: cannot be written/);
    expect(existsSync(at('new.json'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp') || name.startsWith('.embedlab-write-test'))).toEqual([]);
  });

  it('standard output that cannot be written is exit 2, not an unhandled error', LIMIT, async () => {
    const result = await promisify(execFile)('bash', ['-c', `"$0" "$@" > /dev/full; echo "exit $?" >&2`, process.execPath, path.join(ROOT, 'bin/embedlab.mjs'), ...PASSING_GATE(dir)], { cwd: ROOT });
    expect(result.stderr).toMatch(/embedlab: eval: standard output cannot be written \(no space left on device\)/);
    expect(result.stderr).toMatch(/exit 2\n$/);
    expect(result.stderr).not.toMatch(/^\s+at .*\(/m);
  });

  it('run, vector and report files that are pipes, devices, folders or missing: refused by type, never opened', LIMIT, async () => {
    const data = at('pairs.csv');
    const [runPipe, runFolder, vectorPipe, folderPipe, baselineFolder, baselineDevice, vectorMissing] = await Promise.all([
      cli(['eval', data, '--run', `A=${fifo('pipe.run')}`]),
      cli(['eval', data, '--run', `A=${at('a-folder')}`]),
      cli(['eval', data, '--vectors', `V=${fifo('documents.npy')},${at('queries.npy')}`]),
      cli(['eval', data, '--vectors', `V=${at('piped-vectors')}`]),
      cli(['eval', data, '--baseline', at('a-folder'), '--run', `A=${at('a.run')}`]),
      cli(['eval', data, '--baseline', '/dev/zero', '--run', `A=${at('a.run')}`]),
      cli(['eval', data, '--vectors', `V=${at('real-documents.npy')},${at('no-queries.npy')}`]),
    ]);
    expectBadInput(runPipe, /pipe\.run: is a named pipe: expected a run file/);
    expectBadInput(runFolder, /a-folder: is a folder: expected a run file/);
    expectBadInput(vectorPipe, /documents\.npy: is a named pipe: expected a vector file/);
    expectBadInput(folderPipe, /piped-vectors\/documents\.npy: is a named pipe/);
    expectBadInput(baselineFolder, /a-folder: is a folder: expected a report this lab wrote/);
    expectBadInput(baselineDevice, /\/dev\/zero: is a device: expected a report this lab wrote/);
    expectBadInput(vectorMissing, /no-queries\.npy: no such file/);
  });

  it('a symbolic link inside a vectors folder is followed, as inspect follows it', LIMIT, async () => {
    const result = await cli(['eval', at('pairs.csv'), '--vectors', `V=${at('linked-vectors')}`, '--no-diagnostics']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/documents: 3 × 4 float32 from documents\.npy/);
    expect(result.stdout).toMatch(/ndcg@10\s+1\.0000/);
  });

  it('model folders: missing, a file, a FIFO tokenizer.json, a folder for onnx/model.onnx — named, checked before the data', LIMIT, async () => {
    const [missing, file, pipe, folder, quantizeFile, quantizeMissing, embedPipe] = await Promise.all([
      cli(['eval', at('latin1.csv'), '--model', '/does/not/exist']),
      cli(['eval', at('latin1.csv'), '--model', at('pairs.csv')]),
      cli(['eval', at('latin1.csv'), '--model', at('pipe-tokenizer')]),
      cli(['embed', '--model', at('folder-onnx'), '--text', 'hello']),
      cli(['quantize', at('pairs.csv')]),
      cli(['quantize', '/does/not/exist']),
      cli(['embed', '--model', at('pipe-tokenizer'), '--file', at('latin1.csv')]),
    ]);
    expectBadInput(missing, /^embedlab: \/does\/not\/exist: no such folder$/m);
    expectBadInput(file, /pairs\.csv: is a file: expected a model folder/);
    expectBadInput(pipe, /pipe-tokenizer: tokenizer\.json: is a named pipe: expected a file/);
    expectBadInput(folder, /folder-onnx: onnx\/model\.onnx: is a folder: expected a file/);
    expectBadInput(quantizeFile, /pairs\.csv: is a file: expected a model folder/);
    expectBadInput(quantizeMissing, /\/does\/not\/exist: no such folder/);
    expectBadInput(embedPipe, /pipe-tokenizer: tokenizer\.json: is a named pipe/);
  });

  it('embed --file: missing, a folder, a FIFO, /dev/zero — named without reading', LIMIT, async () => {
    const model = ['embed', '--model', FIXTURE_MODEL];
    const [missing, folder, pipe, zero] = await Promise.all([
      cli([...model, '--file', at('no-lines.txt')]),
      cli([...model, '--file', at('a-folder')]),
      cli([...model, '--file', fifo('lines.txt')]),
      cli([...model, '--file', '/dev/zero']),
    ]);
    expectBadInput(missing, /no-lines\.txt: no such file/);
    expectBadInput(folder, /a-folder: is a folder: expected a text file/);
    expectBadInput(pipe, /lines\.txt: is a named pipe: expected a text file/);
    expectBadInput(zero, /\/dev\/zero: is a device: expected a text file/);
  });

  it('embed --file decodes as inspect does: a Latin-1 byte at its line and column, UTF-16 with a BOM, a line too long named without echoing it', LIMIT, async () => {
    writeFileSync(at('latin1.txt'), Buffer.from('first line\nun caf\xe9\n', 'latin1'));
    writeFileSync(at('utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('un café\nsecond\n', 'utf16le')]));
    writeFileSync(at('long.txt'), `short\n${'x'.repeat(1_000_001)}\n`);
    const model = ['embed', '--model', FIXTURE_MODEL, '--json'];
    const [latin1, utf16, direct, long] = await Promise.all([
      cli([...model, '--file', at('latin1.txt')]),
      cli([...model, '--file', at('utf16.txt')]),
      cli([...model, '--text', 'un café', '--text', 'second']),
      cli([...model, '--file', at('long.txt')]),
    ]);
    expectBadInput(latin1, /latin1\.txt:2:7: byte 0xe9 at offset 17 is not UTF-8/);
    expect(utf16.code, utf16.stderr).toBe(0);
    expect(JSON.parse(utf16.stdout).embeddings).toEqual(JSON.parse(direct.stdout).embeddings);
    // One word of a million characters: no place to cut it, and past the read limit, so refused at its line.
    expectBadInput(long, /long\.txt:2: the text is 1000001 characters long and its first \d+ characters give fewer than the \d+ tokens kept, or hold no space between words to cut at/);
    expect(long.stderr.length).toBeLessThan(1000);
    expect(long.stdout).toBe('');
  });

  it('numbers and lists out of bounds are usage errors, found before the data is read', LIMIT, async () => {
    // The data does not exist: every one of these must be refused before it is looked at.
    const eval_ = (...args: string[]) => cli(['eval', at('not-there.csv'), '--run', `A=${at('a.run')}`, '--run', `B=${at('b.run')}`, ...args]);
    const results = await Promise.all([
      eval_('--permutations', '1e12'),
      eval_('--permutations', '99999999999'),
      eval_('--permutations', '100'),
      eval_('--seed', '1e400'),
      eval_('--seed', '4294967296'),
      eval_('--seed', '-1'),
      eval_('--tolerance', '-1'),
      eval_('--fail-if-worse', 'ndcg@10,'),
      eval_('--metrics', ''),
      eval_('--json', ''),
    ]);
    const messages = [
      /--permutations must be a whole number from 10000 to 10000000, got "1e12"/,
      /--permutations must be a whole number from 10000 to 10000000, got "99999999999"/,
      /--permutations must be a whole number from 10000 to 10000000, got "100"/,
      /--seed must be a whole number from 0 to 4294967295, got "1e400"/,
      /--seed must be a whole number from 0 to 4294967295, got "4294967296"/,
      /--seed must be a whole number from 0 to 4294967295, got "-1"/,
      /--tolerance must be ≥ 0, got -1/,
      /--fail-if-worse "ndcg@10," has an empty item \(item 2\)/,
      /--metrics is empty/,
      /--json needs a file name/,
    ];
    results.forEach((result, i) => expectBadInput(result, messages[i]));
  });
});
