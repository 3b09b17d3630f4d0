import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubImitation, type HubImitation } from '../fixtures/hubServer.ts';
import { safetensorsCheckpoint, stCheckpointToolsMissing } from '../fixtures/stCheckpoint.ts';
import { HAS_ST_ZOO, ST_ZOO, zooFolder } from '../fixtures/stZoo.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, SHARED_MODELS } from '../paths.ts';
import { embedlab } from './runCli.ts';

const COMMIT = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';
const TOKEN = 'hf_ciReadToken';

/** `--model hf:owner/name@revision` with HF_TOKEN and HF_ENDPOINT, against the local imitation of the hub. */
describe('embedlab with a private, pinned hub model', () => {
  let hub: HubImitation;
  beforeAll(async () => {
    hub = await startHubImitation({ 'team/tiny-private': { revisions: { [COMMIT]: FIXTURE_MODEL }, token: TOKEN } });
  });
  afterAll(() => hub?.close());

  it('embeds exactly as the same model from a folder', async () => {
    const local = await embedlab(['embed', '--model', FIXTURE_MODEL, '--text', 'reset my card PIN', '--json']);
    const fromHub = await embedlab(['embed', '--model', `hf:team/tiny-private@${COMMIT}`, '--text', 'reset my card PIN', '--json'], { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN });
    expect(fromHub.code, fromHub.stderr).toBe(0);
    expect(JSON.parse(fromHub.stdout).embeddings).toEqual(JSON.parse(local.stdout).embeddings);
    expect(hub.requests.filter((r) => r.server === 'hub').every((r) => r.url.includes(`/resolve/${COMMIT}/`) && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(hub.requests.filter((r) => r.server === 'storage').every((r) => r.authorization === undefined)).toBe(true);
  });

  it('exits 2 saying a token is needed, and names an unreachable hub', async () => {
    const noToken = await embedlab(['embed', '--model', `hf:team/tiny-private@${COMMIT}`, '--text', 'x'], { HF_ENDPOINT: hub.url, HF_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/team\/tiny-private@9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d: .*401: the repository is private or gated .*HF_TOKEN/);
    const offline = await embedlab(['embed', '--model', 'hf:team/tiny-private', '--text', 'x'], { HF_ENDPOINT: 'http://127.0.0.1:9', HF_TOKEN: TOKEN });
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/could not reach the hub .*offline, or the hub is blocked/);
  });
});

/**
 * Repositories holding only sharded safetensors (as `SentenceTransformer.save` writes a large model): the CLI
 * builds the graph from what it downloads and embeds exactly as from the same folder on disk.
 */
describe('embedlab with a sharded safetensors-only hub model', () => {
  const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const minilmSkip = HAS_SHARED_MODELS ? stCheckpointToolsMissing() : `${SHARED_MODELS} is missing (../shared is not beside this checkout)`;
  const cases = [
    { repo: 'zoo/bert-max-bf16-sharded', skip: HAS_ST_ZOO ? null : `${ST_ZOO} is missing`, folder: () => zooFolder('bert-max-bf16-sharded') },
    { repo: 'lab/minilm-fp32-sharded', skip: minilmSkip, folder: () => safetensorsCheckpoint('lab-minilm-l6-base', { dtype: 'fp32', shards: 2 })! },
  ];
  let hub: HubImitation;
  beforeAll(async () => {
    hub = await startHubImitation(Object.fromEntries(cases.filter((c) => c.skip === null).map((c) => [c.repo, { revisions: { [COMMIT]: c.folder() }, token: TOKEN }])));
  });
  afterAll(() => hub?.close());

  for (const { repo, skip, folder } of cases) {
    const title = `${repo} (two shards + index, no ONNX) embeds exactly as the same folder on disk`;
    it.skipIf(skip !== null)(skip ? `${title} — skipped: ${skip}` : title, { timeout: 120_000 }, async () => {
      const texts = ['--text', 'reset my card PIN', '--text', 'how do I change the PIN of my card?', '--text', ''];
      const local = await embedlab(['embed', '--model', folder(), ...texts, '--json']);
      expect(local.code, local.stderr).toBe(0);
      const before = hub.requests.length;
      const fromHub = await embedlab(['embed', '--model', `hf:${repo}@${COMMIT}`, ...texts, '--json'], { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN });
      expect(fromHub.code, fromHub.stderr).toBe(0);
      const [hubOut, localOut] = [JSON.parse(fromHub.stdout), JSON.parse(local.stdout)];
      expect(hubOut.embeddings).toHaveLength(3);
      expect(hubOut.dim).toBe(localOut.dim);
      expect(hubOut.embeddings).toEqual(localOut.embeddings);

      const seen = hub.requests.slice(before);
      expect(seen.filter((r) => r.server === 'hub').every((r) => r.url.startsWith(`/${repo}/resolve/${COMMIT}/`) && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(seen.filter((r) => r.server === 'storage' && r.authorization !== undefined)).toEqual([]);
      // Each shard is downloaded once, from storage after the hub's redirect; nothing of onnx/ is more than probed.
      for (const shard of SHARDS) expect(seen.filter((r) => r.file === shard && r.status === 200).map((r) => r.server), shard).toEqual(['storage']);
      expect(seen.filter((r) => r.file?.startsWith('onnx/') && r.range !== 'bytes=0-0')).toEqual([]);
    });
  }
});
