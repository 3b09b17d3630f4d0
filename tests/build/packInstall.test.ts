import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';

const exec = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ORT_NODE_VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;

// A user's shell: no npm_* variables of the npm run that started the tests, nothing of this checkout.
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$|^ONNXRUNTIME_NODE_INSTALL|^EMBEDLAB_/i.test(key)));

let work: string;
let prefix: string;
let embedlab: string;

async function run(command: string, args: string[], cwd = work): Promise<{ stdout: string; stderr: string }> {
  return exec(command, args, { cwd, env: userEnv, maxBuffer: 64 << 20 });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'embedlab-pack-'));
  prefix = path.join(work, 'prefix');
  embedlab = path.join(prefix, 'bin', 'embedlab');
  // `npm pack` builds the CLI bundle (prepack); the install sees only the tarball and the npm registry.
  const packed = await run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT);
  const tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
  await run('npm', ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund']);
}, 300_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed CLI, installed from its tarball', () => {
  it('carries the bundle and no sources, dev dependencies or onnxruntime-node', () => {
    const installed = path.join(prefix, 'lib/node_modules/embedding-lab');
    expect(existsSync(path.join(installed, 'build/cli/main.mjs'))).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    for (const absent of ['tsx', 'vite', 'svelte', 'onnxruntime-node']) expect(existsSync(path.join(installed, 'node_modules', absent)), absent).toBe(false);
  });

  it('prints its version', async () => {
    const { stdout } = await run(embedlab, ['--version']);
    expect(stdout.trim()).toBe(`embedlab ${VERSION}`);
  });

  it('evaluates on onnxruntime-web (WASM) and says how to get the native runtime', async () => {
    // Two copies of the fixture model: two checkpoints, as a comparison needs.
    for (const name of ['tiny-a', 'tiny-b']) cpSync(FIXTURE_MODEL, path.join(work, name), { recursive: true });
    const data = path.join(ROOT, 'public/samples/helpdesk-faq.csv');
    const { stdout, stderr } = await run(embedlab, ['eval', data, '--model', 'tiny-a', '--model', 'tiny-b', '--json', 'wasm.json', '--no-cache', '--no-diagnostics']);
    expect(stdout).toMatch(/ndcg@10/);
    expect(stderr).toMatch(/onnxruntime-node is not installed.*--onnxruntime-node-install=skip/s);
    const report = JSON.parse(readFileSync(path.join(work, 'wasm.json'), 'utf8')) as { models: { backend: string; metrics: Record<string, number> }[] };
    expect(report.models[0].backend).toMatch(/^onnxruntime-web .* wasm/);
    // Same weights, same texts: both copies score the same.
    expect(report.models[1].metrics).toEqual(report.models[0].metrics);
  }, 120_000);

  it('takes onnxruntime-node when installed beside it with the CUDA download skipped (registry only)', async () => {
    await run('npm', ['install', '--global', '--prefix', prefix, `onnxruntime-node@${ORT_NODE_VERSION}`, '--onnxruntime-node-install=skip', '--prefer-offline', '--no-audit', '--no-fund']);
    const data = path.join(ROOT, 'public/samples/helpdesk-faq.csv');
    const { stderr } = await run(embedlab, ['eval', data, '--model', 'tiny-a', '--model', 'tiny-b', '--json', 'native.json', '--no-cache', '--no-diagnostics']);
    expect(stderr).not.toMatch(/not installed/);
    const native = JSON.parse(readFileSync(path.join(work, 'native.json'), 'utf8')) as { models: { backend: string; metrics: Record<string, number> }[] };
    const wasm = JSON.parse(readFileSync(path.join(work, 'wasm.json'), 'utf8')) as typeof native;
    expect(native.models[0].backend).toMatch(/^onnxruntime-node /);
    for (const [key, value] of Object.entries(wasm.models[0].metrics)) expect(native.models[0].metrics[key], key).toBeCloseTo(value, 5);
  }, 240_000);
});
