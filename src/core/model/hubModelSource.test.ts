import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubImitation, type HubImitation } from '../../../tests/fixtures/hubServer.ts';
import { FIXTURE_MODEL } from '../../../tests/paths.ts';
import { hubModelSource, HubUnreachableError, parseHubModel } from './hubModelSource.ts';
import { readModelFolder } from './modelFolder.ts';

const COMMIT = '3f1c0a5e9d2b7c4a6e8f0b1d3c5a7e9f2b4d6c8a';
const TOKEN = 'hf_imitationSecretToken';

describe('a model from the hub, through @huggingface/hub, against a local imitation of its resolve route', () => {
  let hub: HubImitation;
  let changedMain: string;

  beforeAll(async () => {
    // `main` moved on since the commit was pinned: its config says something else.
    changedMain = path.join(mkdtempSync(path.join(tmpdir(), 'embedlab-hub-')), 'tiny-main');
    cpSync(FIXTURE_MODEL, changedMain, { recursive: true });
    writeFileSync(path.join(changedMain, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 7, do_lower_case: false }));
    hub = await startHubImitation({
      'lab/tiny': { revisions: { main: changedMain, [COMMIT]: FIXTURE_MODEL, v1: FIXTURE_MODEL } },
      'lab/private': { revisions: { main: FIXTURE_MODEL }, token: TOKEN },
    });
  });
  afterAll(() => hub?.close());

  it('reads a pinned revision, following the redirect to storage without the token', async () => {
    const before = hub.requests.length;
    const folder = await readModelFolder(hubModelSource({ id: 'lab/tiny', revision: COMMIT }, { hubUrl: hub.url }));
    expect(folder.spec.maxSeqLength).not.toBe(7);
    expect(folder.onnx).toEqual(new Uint8Array(readFileSync(path.join(FIXTURE_MODEL, 'onnx/model.onnx'))));
    const seen = hub.requests.slice(before);
    expect(seen.filter((r) => r.server === 'hub').every((r) => r.url.startsWith(`/lab/tiny/resolve/${COMMIT}/`))).toBe(true);
    expect(seen.some((r) => r.server === 'storage')).toBe(true);
    const main = await readModelFolder(hubModelSource({ id: 'lab/tiny' }, { hubUrl: hub.url }));
    expect(main.spec.maxSeqLength).toBe(7);
  });

  it('sends the token for a private repository, to the hub only, and says what is missing without one', async () => {
    await expect(readModelFolder(hubModelSource({ id: 'lab/private' }, { hubUrl: hub.url }))).rejects.toThrow(
      /lab\/private: .*the hub answered 401: the repository is private or gated \(or does not exist\): give an access token \(HF_TOKEN/,
    );
    await expect(readModelFolder(hubModelSource({ id: 'lab/private', accessToken: 'hf_wrong' }, { hubUrl: hub.url }))).rejects.toThrow(/the hub refused the access token \(401\)/);
    const before = hub.requests.length;
    const folder = await readModelFolder(hubModelSource({ id: 'lab/private', accessToken: TOKEN }, { hubUrl: hub.url }));
    expect(folder.onnx.length).toBeGreaterThan(10_000);
    const seen = hub.requests.slice(before);
    expect(seen.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const storage = seen.filter((r) => r.server === 'storage');
    expect(storage.length).toBeGreaterThan(0);
    expect(storage.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('names an unknown revision, returns null for a file the repository lacks, and tells an unreachable hub apart', async () => {
    await expect(hubModelSource({ id: 'lab/tiny', revision: 'nope' }, { hubUrl: hub.url }).read('config.json')).rejects.toThrow(
      /lab\/tiny@nope: config\.json: not found on the hub \(404\): check the id and the revision "nope"/,
    );
    expect(await hubModelSource({ id: 'lab/tiny', revision: 'v1' }, { hubUrl: hub.url }).read('onnx/model_fp16.onnx')).toBeNull();
    await expect(hubModelSource({ id: 'lab/tiny' }, { hubUrl: 'http://127.0.0.1:9' }).read('config.json')).rejects.toThrow(HubUnreachableError);
  });

  it('parses owner/name@revision and rejects what is not an id', () => {
    expect(parseHubModel('lab/tiny@v1', TOKEN)).toEqual({ id: 'lab/tiny', revision: 'v1', accessToken: TOKEN });
    expect(parseHubModel('lab/tiny')).toEqual({ id: 'lab/tiny' });
    expect(() => parseHubModel('not an id')).toThrow(/"not an id" is not a Hugging Face model id/);
    expect(() => parseHubModel('lab/tiny@')).toThrow(/nothing after "@"/);
  });
});
