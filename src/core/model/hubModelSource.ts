import { downloadFile, fileDownloadInfo, HubApiError } from '@huggingface/hub';
import { ModelFolderError, type ModelSource } from './modelSource.ts';

/** A model repository on the Hugging Face hub, optionally pinned and with an access token. */
export interface HubModel {
  /** owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2. */
  id: string;
  /** A branch, tag or commit; `main` when absent. */
  revision?: string;
  /** For private and gated repositories: sent to the hub only, never stored. */
  accessToken?: string;
}

export interface HubOptions {
  /** The hub's address (tests point it at an imitation; the CLI reads HF_ENDPOINT). */
  hubUrl?: string;
  fetch?: typeof fetch;
}

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

/** One check of an id's shape, for a typed spec and for a location the page passes. */
function checkHubId(id: string, source: string): void {
  if (!HUB_ID.test(id)) throw new ModelFolderError(source, '', `"${id}" is not a Hugging Face model id (expected owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2)`);
}

/** The hub is unreachable (offline, blocked): the caller says so in its own words. */
export class HubUnreachableError extends Error {
  override name = 'HubUnreachableError';
}

/** Parses `owner/name[@revision]`, checking the id's shape. */
export function parseHubModel(spec: string, accessToken?: string): HubModel {
  const at = spec.indexOf('@');
  const id = at < 0 ? spec : spec.slice(0, at);
  const revision = at < 0 ? undefined : spec.slice(at + 1);
  checkHubId(id, spec);
  if (revision === '') throw new ModelFolderError(spec, '', 'nothing after "@": give a branch, tag or commit, or leave the @ out');
  return { id, ...(revision ? { revision } : {}), ...(accessToken ? { accessToken } : {}) };
}

/**
 * A hub repository as a model folder, through the hub's own client (`@huggingface/hub`): it resolves the
 * revision, sends the token, and follows the redirect to the hub's storage hosts (without the token). Files
 * come by plain HTTPS rather than the Xet protocol, so the page needs no hosts beyond the hub's.
 */
export function hubModelSource(model: HubModel, options: HubOptions = {}): ModelSource {
  checkHubId(model.id, model.id);
  const name = model.revision ? `${model.id}@${model.revision}` : model.id;
  /** What the hub client needs to find `file` at this revision, with the token. */
  const where = (file: string) => ({
    repo: { type: 'model' as const, name: model.id },
    path: file,
    revision: model.revision ?? 'main',
    ...(model.accessToken ? { accessToken: model.accessToken } : {}),
    ...(options.hubUrl ? { hubUrl: options.hubUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    name,
    async read(file) {
      try {
        const blob = await downloadFile({ ...where(file), xet: false });
        return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
      } catch (error) {
        throw hubError(name, file, error, model);
      }
    },
    // A one-byte probe of the file's resolve route (what downloadFile asks first): nothing large is fetched.
    async has(file) {
      try {
        return (await fileDownloadInfo(where(file))) !== null;
      } catch (error) {
        throw hubError(name, file, error, model);
      }
    },
  };
}

function hubError(name: string, file: string, error: unknown, model: HubModel): Error {
  if (error instanceof HubApiError) {
    const code = (error as HubApiError & { data?: { message?: string } }).statusCode;
    if (code === 401 || code === 403) {
      return new ModelFolderError(
        name,
        file,
        model.accessToken
          ? `the hub refused the access token (${code}): it may lack read access to this repository, or the repository is gated and its terms are not accepted`
          : `the hub answered ${code}: the repository is private or gated (or does not exist): give an access token (HF_TOKEN in the CLI, the token field in the page)`,
      );
    }
    if (code === 404) return new ModelFolderError(name, file, `not found on the hub (404): check the id${model.revision ? ` and the revision "${model.revision}"` : ''}`);
    return new ModelFolderError(name, file, `the hub answered ${code} (${error.message})`);
  }
  if (error instanceof TypeError && /access token/i.test(error.message)) return new ModelFolderError(name, file, `${error.message}: a Hugging Face token starts with hf_`);
  if (error instanceof TypeError) {
    return new HubUnreachableError(`${name}: ${file}: could not reach the hub (${(error.cause as Error | undefined)?.message ?? error.message}): offline, or the hub is blocked?`);
  }
  return error as Error;
}
