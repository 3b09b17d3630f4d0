/**
 * docs/cli.md's table of option values says what the CLI's option records say: every option with a rule is
 * there, with the rule `--help` prints and the default the parser applies (or the record's shown default).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.ts';
import { ROOT } from '../paths.ts';

/** `| \`eval --seed\` | a whole number … | 20260101 |` rows of docs/cli.md, cells unescaped. */
function documentedRows(): string[][] {
  const text = readFileSync(path.join(ROOT, 'docs/cli.md'), 'utf8');
  return [...text.matchAll(/^\| `([a-z]+ --[\w-]+)` \| (.+) \|$/gm)].map((m) => [m[1], ...m[2].split(/ (?<!\\)\| /).map((cell) => cell.replaceAll('\\|', '|').trim())]);
}

/** The same rows from the records. */
function recordRows(): string[][] {
  return COMMANDS.flatMap((command) =>
    Object.entries(command.options).flatMap(([name, record]) => {
      if (record.type !== 'string' || !record.value) return [];
      const shownDefault = !record.multiple && record.default !== undefined ? record.default : (record.defaultText ?? '—');
      return [[`${command.name} --${name}`, record.value.rule, shownDefault]];
    }),
  );
}

describe('docs/cli.md option values', () => {
  it('lists every option with a rule, with the rule and default of its record', () => {
    const byOption = (rows: string[][]) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
    const documented = documentedRows();
    expect(documented.length).toBeGreaterThan(10);
    expect(byOption(documented)).toEqual(byOption(recordRows()));
  });
});
