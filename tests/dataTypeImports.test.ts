import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';

/** The data-level types and the one module each lives in. */
const HOME: Record<string, string> = {
  Rankings: 'src/core/data/rankings.ts',
  EvaluationMode: 'src/core/data/rankings.ts',
  Judgments: 'src/core/data/judgments.ts',
};

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|svelte)$/.test(f) && !f.includes('node_modules'))
    .map((f) => path.join(dir, f));
}

describe('data-level types', () => {
  it('are imported from the data module they live in, not through a second path', () => {
    const detours: string[] = [];
    for (const file of ['src', 'tests', 'scripts'].flatMap(files)) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const [, names, from] of text.matchAll(/^import (?:type )?\{([^}]*)\} from '(\.[^']+)';/gm)) {
        const target = path.normalize(path.join(path.dirname(file), from));
        for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())) {
          if (HOME[name] && target !== path.normalize(HOME[name])) detours.push(`${file}: ${name} from ${target}`);
        }
      }
    }
    expect(detours).toEqual([]);
  });
});
