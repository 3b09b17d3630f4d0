/**
 * Writes the fixture model folder (tests/fixtures/generated/tiny-bert) and links it into models/ so the dev
 * server lists it. Deterministic: running it twice gives identical bytes. Run by `npm test`'s setup.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTinyBertFolder } from '../tests/fixtures/tinyBertFolder.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURE_MODEL_DIR = path.join(root, 'tests/fixtures/generated/tiny-bert');

export async function writeFixtureModel(target = FIXTURE_MODEL_DIR): Promise<string> {
  const { files } = makeTinyBertFolder();
  for (const [file, bytes] of files) {
    const destination = path.join(target, file);
    await mkdir(path.dirname(destination), { recursive: true });
    await writeFile(destination, bytes);
  }
  // An empty 2_Normalize folder is how sentence-transformers < 5 saved the Normalize module.
  await mkdir(path.join(target, '2_Normalize'), { recursive: true });
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = await writeFixtureModel();
  console.log(`fixture model written to ${path.relative(root, target)}`);
}
