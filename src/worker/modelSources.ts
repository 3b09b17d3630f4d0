import { hubModelSource, HubUnreachableError, type HubModel } from '../core/model/hubModelSource.ts';
import type { ModelSource } from '../core/model/modelSource.ts';

/** Where the page asks a model to come from. Plain data, so it crosses the worker boundary. */
export type ModelLocation =
  | { kind: 'served'; name: string }
  | ({ kind: 'hub' } & HubModel)
  | { kind: 'files'; name: string; files: { path: string; file: File }[] };

class ModelFetchError extends Error {
  override name = 'ModelFetchError';
}

export function modelSource(location: ModelLocation): ModelSource {
  switch (location.kind) {
    case 'served':
      return fetchSource(`/models/${location.name}`, new URL(`/models/${encodeURIComponent(location.name)}/`, self.location.href).href);
    case 'hub':
      return cachedHubSource(location);
    case 'files':
      return filesSource(location.name, location.files);
  }
}

/** A folder served over HTTP (dev server's /models/, or any static host): 404 means "no such file". */
function fetchSource(name: string, baseUrl: string): ModelSource {
  return {
    name,
    async read(file) {
      const url = new URL(file, baseUrl).href;
      let response: Response;
      try {
        response = await fetch(url);
      } catch (error) {
        throw new ModelFetchError(`${name}: ${file}: could not be fetched (${(error as Error).message})`);
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new ModelFetchError(`${name}: ${file}: the server answered ${response.status} ${response.statusText}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    async has(file) {
      try {
        const response = await fetch(new URL(file, baseUrl).href, { method: 'HEAD' });
        return response.ok;
      } catch {
        return false;
      }
    },
  };
}

const HUB_CACHE = 'embedlab-hub-models';

/**
 * A Hugging Face hub repository through the hub's client, each file kept in the browser's Cache Storage
 * (keyed by id, revision and path; the token is never stored) so a second load works offline. An
 * unreachable hub with nothing cached gets one plain message.
 */
function cachedHubSource(model: HubModel): ModelSource {
  const inner = hubModelSource(model);
  const revision = model.revision ?? 'main';
  return {
    name: inner.name,
    async read(file) {
      const key = `https://huggingface.co/${model.id}/resolve/${encodeURIComponent(revision)}/${file}`;
      const cache = 'caches' in self ? await caches.open(HUB_CACHE) : undefined;
      const cached = await cache?.match(key);
      if (cached) return new Uint8Array(await cached.arrayBuffer());
      try {
        const bytes = await inner.read(file);
        if (bytes && cache) await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>));
        return bytes;
      } catch (error) {
        if (error instanceof HubUnreachableError) {
          throw new ModelFetchError(
            `${inner.name}: could not reach huggingface.co for ${file}. You seem to be offline (or the hub is blocked); ` +
              'models already loaded once are cached, others can be loaded from a local folder instead.',
          );
        }
        throw error;
      }
    },
    async has(file) {
      const cache = 'caches' in self ? await caches.open(HUB_CACHE) : undefined;
      if (await cache?.match(`https://huggingface.co/${model.id}/resolve/${encodeURIComponent(revision)}/${file}`)) return true;
      return inner.has ? inner.has(file) : (await inner.read(file)) !== null;
    },
  };
}

/** A dropped or picked folder: paths are relative to the model root (the picked folder's name stripped). */
function filesSource(name: string, files: { path: string; file: File }[]): ModelSource {
  const byPath = new Map(files.map(({ path, file }) => [path, file]));
  return {
    name,
    async read(file) {
      const entry = byPath.get(file);
      return entry ? new Uint8Array(await entry.arrayBuffer()) : null;
    },
    has: async (file) => byPath.has(file),
  };
}
