import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { writeFixtureModel } from '../scripts/makeFixtureModel.ts';
import { HAS_SHARED_MODELS, ROOT, SHARED_MODELS } from './paths.ts';
import { safetensorsCheckpoint } from './fixtures/stCheckpoint.ts';
import { HAS_ST_ZOO, ST_ZOO } from './fixtures/stZoo.ts';

/**
 * Before any test: generate the fixture model and make every model reachable under models/ (served by the
 * dev server as /models/<name>/), linking the shared checkpoints rather than copying 90 MB files.
 */
export default async function setup(): Promise<void> {
  const fixture = await writeFixtureModel();
  const modelsDir = path.join(ROOT, 'models');
  mkdirSync(modelsDir, { recursive: true });
  const link = (target: string, name: string) => {
    const at = path.join(modelsDir, name);
    if (existsSync(at)) return;
    if (isDanglingLink(at)) unlinkSync(at); // left by a checkout that has since moved
    symlinkSync(target, at, 'dir');
  };
  link(fixture, 'tiny-bert');
  if (HAS_SHARED_MODELS) {
    for (const entry of readdirSync(SHARED_MODELS, { withFileTypes: true })) {
      if (entry.isDirectory()) link(path.join(SHARED_MODELS, entry.name), entry.name);
    }
    // The real base checkpoint as training writes it (model.safetensors, no ONNX), where python can make it.
    const safetensors = safetensorsCheckpoint('lab-minilm-l6-base', { dtype: 'fp32' });
    if (safetensors) link(safetensors, 'lab-minilm-l6-base-safetensors');
  }
  // Each st-zoo checkpoint at /models/st-zoo-<name>/ (a served model is one path segment).
  if (HAS_ST_ZOO) {
    for (const entry of readdirSync(ST_ZOO, { withFileTypes: true })) {
      if (entry.isDirectory()) link(path.join(ST_ZOO, entry.name), `st-zoo-${entry.name}`);
    }
  }
}

function isDanglingLink(at: string): boolean {
  try {
    return lstatSync(at).isSymbolicLink();
  } catch {
    return false;
  }
}
