import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Locations tests share. `../shared` is optional: tests that need it skip with a reason when it is absent. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const SHARED_MODELS = path.join(SHARED, 'models');
export const REFERENCE_VALUES = path.join(SHARED_MODELS, 'reference-values.json');
export const HAS_SHARED_MODELS = existsSync(REFERENCE_VALUES);
export const REAL_MODELS = ['lab-minilm-l6-base', 'lab-minilm-l6-scifact-ft'] as const;
export const FIXTURE_MODEL = path.join(ROOT, 'tests/fixtures/generated/tiny-bert');

/**
 * A test's name, with the reason added when it is skipped because `needed` (a path under ../shared) is
 * missing: the report then says why, not only that it skipped.
 */
export function needs(needed: string, name: string): string {
  return existsSync(needed) ? name : `${name} — skipped: ${needed} is missing (../shared is not beside this checkout)`;
}
