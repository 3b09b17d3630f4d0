import type { ModelSource } from '../core/model/modelSource.ts';

/** Where the page asks a model to come from. Plain data, so it crosses the worker boundary. */
export type ModelLocation =
  | { kind: 'served'; name: string }
  | { kind: 'hub'; id: string; revision?: string }
  | { kind: 'files'; name: string; files: { path: string; file: File }[] };

export class ModelFetchError extends Error {
  override name = 'ModelFetchError';
}

export function modelSource(location: ModelLocation): ModelSource {
  switch (location.kind) {
    case 'served':
      return fetchSource(`/models/${location.name}`, new URL(`/models/${encodeURIComponent(location.name)}/`, self.location.href).href);
    case 'hub':
      return hubSource(location.id, location.revision ?? 'main');
    case 'files':
      return filesSource(location.name, location.files);
  }
}

/** A folder served over HTTP (dev server's /models/, or any static host): 404 means "no such file". */
function fetchSource(name: string, baseUrl: string, cache?: Cache): ModelSource {
  return {
    name,
    async read(file) {
      const url = new URL(file, baseUrl).href;
      const cached = cache ? await cache.match(url) : undefined;
      if (cached) return new Uint8Array(await cached.arrayBuffer());
      let response: Response;
      try {
        response = await fetch(url);
      } catch (error) {
        throw new ModelFetchError(`${name}: ${file}: could not be fetched (${(error as Error).message})`);
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new ModelFetchError(`${name}: ${file}: the server answered ${response.status} ${response.statusText}`);
      if (cache) await cache.put(url, response.clone());
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;
const HUB_CACHE = 'embedlab-hub-models';

/**
 * A Hugging Face hub repository, fetched on demand and kept in the browser's Cache Storage so a second load
 * works offline. An unreachable hub with nothing cached gets one plain message.
 */
function hubSource(id: string, revision: string): ModelSource {
  if (!HUB_ID.test(id)) throw new ModelFetchError(`"${id}" is not a Hugging Face model id (expected owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2)`);
  const base = `https://huggingface.co/${id}/resolve/${encodeURIComponent(revision)}/`;
  let inner: ModelSource | null = null;
  return {
    name: id,
    async read(file) {
      inner ??= fetchSource(id, base, 'caches' in self ? await caches.open(HUB_CACHE) : undefined);
      try {
        return await inner.read(file);
      } catch (error) {
        if (error instanceof ModelFetchError && /could not be fetched/.test(error.message)) {
          throw new ModelFetchError(
            `${id}: could not reach huggingface.co for ${file}. You seem to be offline (or the hub is blocked); ` +
              'models already loaded once are cached, others can be loaded from a local folder instead.',
          );
        }
        throw error;
      }
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
  };
}
