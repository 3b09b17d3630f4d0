import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubImitation, type HubImitation } from '../fixtures/hubServer.ts';
import { FIXTURE_MODEL } from '../paths.ts';
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
