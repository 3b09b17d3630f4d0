import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';

const PAIRS = 'Question,Answer\nHow do I reset my PIN?,Use the app.\nWhere is my card?,It is in the post.\n';

/** What a hostile user can put on the filesystem: `embedlab inspect` answers each with exit 2 and a message, never a crash or a hang. */
describe('embedlab inspect on awkward filesystem entries', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'embedlab-fs-'));
    mkdirSync(path.join(root, 'real'));
    writeFileSync(path.join(root, 'real', 'pairs.csv'), PAIRS);
    mkdirSync(path.join(root, 'outer'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'outer', 'linked'));
    mkdirSync(path.join(root, 'broken'));
    writeFileSync(path.join(root, 'broken', 'pairs.csv'), PAIRS);
    symlinkSync(path.join(root, 'nowhere'), path.join(root, 'broken', 'dangling.csv'));
    mkdirSync(path.join(root, 'empty'));
    execFileSync('mkfifo', [path.join(root, 'pipe.csv')]);
    writeFileSync(path.join(root, 'escapes.csv'), 'Question\x1b[2J\x1b]0;owned\x07,Answer\nq,a\nr,b\n');
  });

  it('follows a symbolic link to a folder', async () => {
    const result = await embedlab(['inspect', path.join(root, 'outer')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/queries: 2/);
  });

  it('names a broken symbolic link, a named pipe (without waiting on it) and an empty folder', async () => {
    const broken = await embedlab(['inspect', path.join(root, 'broken')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/dangling\.csv: is a symbolic link to .*nowhere, which does not exist/);
    const pipe = await embedlab(['inspect', path.join(root, 'pipe.csv')]);
    expect(pipe.code).toBe(2);
    expect(pipe.stderr).toMatch(/pipe\.csv: is a named pipe/);
    const empty = await embedlab(['inspect', path.join(root, 'empty')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty: the folder holds no files/);
  });

  it('answers --json even for a path that does not exist', async () => {
    const result = await embedlab(['inspect', path.join(root, 'missing.csv'), '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ usable: false, issues: [{ severity: 'error', file: path.join(root, 'missing.csv'), message: 'no such file or folder' }] });
  });

  it('prints escape sequences from a file as text, never to the terminal', async () => {
    const result = await embedlab(['inspect', path.join(root, 'escapes.csv')]);
    expect(result.stdout + result.stderr).not.toMatch(/[\x1b\x07]/);
    expect(result.stdout).toContain('\\x1b[2J');
  });
});
