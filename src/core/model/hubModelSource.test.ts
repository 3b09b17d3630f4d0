import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubImitation, type HubImitation, type SeenRequest } from '../../../tests/fixtures/hubServer.ts';
import { safetensorsCheckpoint, stCheckpointToolsMissing } from '../../../tests/fixtures/stCheckpoint.ts';
import { HAS_ST_ZOO, ST_ZOO, zooFolder, zooReference } from '../../../tests/fixtures/stZoo.ts';
import { folderSource } from '../../../tests/fixtures/zooEncoder.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, REFERENCE_VALUES, SHARED_MODELS } from '../../../tests/paths.ts';
import { encodeTexts, type Embeddings } from './encoder.ts';
import { hubModelSource, HubUnreachableError, parseHubModel } from './hubModelSource.ts';
import { readModelFolder, type ModelFolder } from './modelFolder.ts';
import { OrtRunner } from './ortRunner.ts';

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

/** The sentence embeddings of `texts` through the page's and the CLI's own pipeline, on onnxruntime-node. */
async function embed(folder: ModelFolder, texts: readonly string[]): Promise<Embeddings> {
  const runner = await OrtRunner.create(ort, folder.spec, folder.onnx, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    return await encodeTexts(texts, folder.tokenizer, runner, folder.spec);
  } finally {
    await runner.release();
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** Requests that delivered all of `file` (a probe is answered 206, a redirect 302). */
const downloadsOf = (seen: readonly SeenRequest[], file: string) => seen.filter((r) => r.file === file && r.status === 200);

const ZOO_REPOS = { sharded: 'zoo/bert-max-bf16-sharded', dense: 'zoo/bert-cls-dense-dot' } as const;
const MINILM = 'lab-minilm-l6-base';
const MINILM_REPO = 'lab/minilm-safetensors';
const MINILM_TOKEN = 'hf_imitationMiniLmToken';
const WITH_ONNX = 'with-onnx';
const minilmSkip = HAS_SHARED_MODELS ? stCheckpointToolsMissing() : `${SHARED_MODELS} is missing (../shared is not beside this checkout)`;
const titled = (title: string, skip: string | null) => (skip ? `${title} — skipped: ${skip}` : title);

/**
 * Repositories that hold only what `SentenceTransformer.save` writes (safetensors, one file or shards, and a
 * `2_Dense/` with its own weights): the graph is built here from what the same hub client downloads, and
 * runs exactly as the same folder read from disk.
 */
describe('a safetensors-only repository from the hub, through the same client, against the imitation', () => {
  let hub: HubImitation;
  let minilm: string | null = null;
  /** The same checkpoint with the ONNX export beside it (links, not copies): what many hub repositories hold. */
  let minilmWithOnnx: string | null = null;

  beforeAll(async () => {
    if (minilmSkip === null) {
      minilm = safetensorsCheckpoint(MINILM, { dtype: 'fp32', shards: 2 });
      minilmWithOnnx = path.join(mkdtempSync(path.join(tmpdir(), 'embedlab-hub-')), 'minilm-both');
      mkdirSync(minilmWithOnnx);
      for (const entry of readdirSync(minilm!)) symlinkSync(path.join(minilm!, entry), path.join(minilmWithOnnx, entry));
      symlinkSync(path.join(SHARED_MODELS, MINILM, 'onnx'), path.join(minilmWithOnnx, 'onnx'));
    }
    hub = await startHubImitation({
      ...(HAS_ST_ZOO ? { [ZOO_REPOS.sharded]: { revisions: { main: zooFolder('bert-max-bf16-sharded') } }, [ZOO_REPOS.dense]: { revisions: { main: zooFolder('bert-cls-dense-dot') } } } : {}),
      ...(minilm ? { [MINILM_REPO]: { revisions: { main: minilm, [WITH_ONNX]: minilmWithOnnx! }, token: MINILM_TOKEN } } : {}),
    });
  });
  afterAll(() => hub?.close());

  /**
   * Reads `id` from the hub and `folder` from disk; checks what the hub was asked for (ONNX only probed, each
   * weight file downloaded once) and that both give the same provenance, graph and embeddings.
   */
  async function hubEqualsDisk(
    id: string,
    folder: string,
    weightFiles: readonly string[],
    texts: readonly string[],
    { accessToken, revision = 'main' }: { accessToken?: string; revision?: string } = {},
  ) {
    const before = hub.requests.length;
    const fromHub = await readModelFolder(hubModelSource({ id, revision, ...(accessToken ? { accessToken } : {}) }, { hubUrl: hub.url }));
    const seen = hub.requests.slice(before);
    const fromDisk = await readModelFolder(folderSource(folder));

    expect(fromHub.provenance.format).toBe('safetensors');
    expect(fromHub.provenance).toEqual(fromDisk.provenance);
    expect(fromHub.spec.modules).toEqual(fromDisk.spec.modules);

    expect(seen.filter((r) => r.server === 'hub').every((r) => r.url.startsWith(`/${id}/resolve/${revision}/`))).toBe(true);
    const onnx = seen.filter((r) => /^(onnx\/|model[^/]*\.onnx$)/.test(r.file ?? ''));
    expect(onnx.map((r) => r.file)).toContain('onnx/model.onnx');
    expect(onnx.every((r) => r.range === 'bytes=0-0'), 'an ONNX file was requested without Range: more than a probe').toBe(true);
    for (const file of weightFiles) expect(downloadsOf(seen, file), file).toHaveLength(1);

    const [hubVectors, diskVectors] = [await embed(fromHub, texts), await embed(fromDisk, texts)];
    expect(hubVectors.dim).toBe(diskVectors.dim);
    expect(Array.from(hubVectors.vectors)).toEqual(Array.from(diskVectors.vectors));
    return { fromHub, seen, embeddings: hubVectors };
  }

  it.skipIf(!HAS_ST_ZOO)(titled('two bf16 shards and their index, no ONNX: built as BERT, each shard downloaded once', HAS_ST_ZOO ? null : `${ST_ZOO} is missing`), async () => {
    const folder = zooFolder('bert-max-bf16-sharded');
    const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const { fromHub, seen, embeddings } = await hubEqualsDisk(ZOO_REPOS.sharded, folder, [...shards, 'model.safetensors.index.json'], zooReference('bert-max-bf16-sharded').probe);
    expect(fromHub.provenance).toMatchObject({ family: 'bert', file: 'model.safetensors.index.json', alternative: null });
    expect(fromHub.provenance.digests).toEqual(shards.map((file) => ({ file, sha256: sha256(path.join(folder, file)) })));
    expect(downloadsOf(seen, 'model.safetensors')).toHaveLength(0);
    // Both shards are over the imitation's LFS size: they came from storage, after the hub's redirect.
    for (const file of shards) expect(downloadsOf(seen, file).map((r) => r.server)).toEqual(['storage']);
    expect(embeddings.dim).toBe(32);
  });

  it.skipIf(!HAS_ST_ZOO)(titled('one model.safetensors and a 2_Dense/ with its own weights: the Dense runs as from disk', HAS_ST_ZOO ? null : `${ST_ZOO} is missing`), async () => {
    const folder = zooFolder('bert-cls-dense-dot');
    const { fromHub, embeddings } = await hubEqualsDisk(ZOO_REPOS.dense, folder, ['model.safetensors', '2_Dense/model.safetensors', '2_Dense/config.json'], zooReference('bert-cls-dense-dot').probe);
    expect(fromHub.provenance).toMatchObject({ family: 'bert', file: 'model.safetensors', alternative: null });
    // Every file the digests name (the transformer's model.safetensors first) hashes as the file on disk.
    expect(fromHub.provenance.digests[0]).toEqual({ file: 'model.safetensors', sha256: sha256(path.join(folder, 'model.safetensors')) });
    for (const { file, sha256: digest } of fromHub.provenance.digests) expect(digest, file).toBe(sha256(path.join(folder, file)));
    expect(fromHub.spec.modules.map((m) => m.kind)).toEqual(['pooling', 'dense']);
    expect(embeddings.dim).toBe(16);
  });

  it.skipIf(minilmSkip !== null)(
    titled(`${MINILM} as 2 fp32 shards in a private repository: from storage after the redirect, the token sent to the hub only`, minilmSkip),
    { timeout: 180_000 },
    async () => {
      const folder = minilm!;
      const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
      const texts = (JSON.parse(readFileSync(REFERENCE_VALUES, 'utf8')) as { probe_sentences: string[] }).probe_sentences;
      await expect(readModelFolder(hubModelSource({ id: MINILM_REPO }, { hubUrl: hub.url }))).rejects.toThrow(/the hub answered 401: the repository is private or gated/);
      const { fromHub, seen, embeddings } = await hubEqualsDisk(MINILM_REPO, folder, [...shards, 'model.safetensors.index.json', 'tokenizer.json'], texts, { accessToken: MINILM_TOKEN });
      expect(fromHub.provenance).toMatchObject({ family: 'bert', file: 'model.safetensors.index.json', alternative: null });
      expect(fromHub.provenance.digests).toEqual(shards.map((file) => ({ file, sha256: sha256(path.join(folder, file)) })));
      for (const file of shards) expect(downloadsOf(seen, file).map((r) => r.server)).toEqual(['storage']);
      expect(seen.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${MINILM_TOKEN}`)).toBe(true);
      const storage = seen.filter((r) => r.server === 'storage');
      expect(storage.length).toBeGreaterThan(0);
      expect(storage.filter((r) => r.authorization !== undefined)).toEqual([]);
      expect(embeddings.dim).toBe(384);
    },
  );

  it.skipIf(minilmSkip !== null)(
    titled(`${MINILM} with its ONNX export beside the shards: the export is probed through the storage redirect, never downloaded`, minilmSkip),
    { timeout: 180_000 },
    async () => {
      const texts = ['reset my card PIN', 'how do I change the PIN of my card?'];
      const { fromHub, seen } = await hubEqualsDisk(MINILM_REPO, minilmWithOnnx!, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'], texts, {
        accessToken: MINILM_TOKEN,
        revision: WITH_ONNX,
      });
      expect(fromHub.provenance).toMatchObject({ format: 'safetensors', alternative: 'onnx' });
      const onnx = seen.filter((r) => r.file === 'onnx/model.onnx');
      // 90 MB: the hub redirects even the one-byte probe, and storage answers it with one byte (206).
      expect(onnx.map((r) => `${r.server} ${r.status}`)).toEqual(['hub 302', 'storage 206']);
      expect(onnx.every((r) => r.range === 'bytes=0-0')).toBe(true);
      expect(seen.filter((r) => r.server === 'storage' && r.authorization !== undefined)).toEqual([]);
    },
  );
});
