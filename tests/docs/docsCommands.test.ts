/**
 * Every `embedlab` command the docs show runs as written, as far as it can without the data: its command
 * exists, and every flag it passes is one of that command's options (read from its `--help`, the schema the
 * parser uses). Every `npm run X` they show is a script of package.json. The docs are README.md and docs/*.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedlab } from '../cli/runCli.ts';
import { ROOT } from '../paths.ts';

/** A command as a doc shows it: where it is, and its words after `embedlab`. */
interface ShownCommand {
  at: string;
  words: string[];
}

const DOCS = ['README.md', ...(existsSync(path.join(ROOT, 'docs')) ? readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [])];

/** Fenced blocks of a Markdown file with the line each starts on. */
function fencedBlocks(text: string): { language: string; line: number; lines: string[] }[] {
  const blocks: { language: string; line: number; lines: string[] }[] = [];
  let open: { language: string; line: number; lines: string[] } | null = null;
  text.split('\n').forEach((line, i) => {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence && !open) open = { language: fence[1], line: i + 1, lines: [] };
    else if (fence && open) {
      blocks.push(open);
      open = null;
    } else open?.lines.push(line);
  });
  return blocks;
}

/** Shell words, quotes honoured (no expansion: the docs use none that matters to flags). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * The `embedlab …` commands in a file's shell blocks (continuation lines joined, comments dropped) and in its
 * YAML blocks (a folded `run: >` whose lines go on with `--flags`).
 */
function shownCommands(file: string): ShownCommand[] {
  const commands: ShownCommand[] = [];
  for (const block of fencedBlocks(readFileSync(path.join(ROOT, file), 'utf8'))) {
    const joined: { line: number; text: string }[] = [];
    block.lines.forEach((raw, i) => {
      const text = raw.replace(/\s+#\s.*$/, '');
      const previous = joined.at(-1);
      const continues = previous && (previous.text.endsWith('\\') || (block.language === 'yaml' && /^\s*--/.test(text) && /embedlab\s/.test(previous.text)));
      if (continues) previous.text = `${previous.text.replace(/\\$/, '')} ${text.trim()}`;
      else joined.push({ line: block.line + 1 + i, text: text.trim() });
    });
    for (const { line, text } of joined) {
      const words = shellWords(text.replace(/^-\s*run:\s*>?\s*/, ''));
      const start = words.findIndex((w, i) => w === 'embedlab' || (w === 'bin/embedlab.mjs' && words[i - 1] === 'node'));
      if (start < 0 || (start > 0 && !['npx', 'node'].includes(words[start - 1]))) continue;
      commands.push({ at: `${file}:${line}`, words: words.slice(start + 1) });
    }
  }
  // Inline code too: `embedlab eval … --sweep dims=384,256` says which flags exist as much as a block does.
  readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const match of line.matchAll(/`(?:npx )?embedlab ([a-z]+[^`]*)`/g)) commands.push({ at: `${file}:${i + 1}`, words: shellWords(match[1]) });
    });
  return commands;
}

const helpOf = new Map<string, Promise<Set<string>>>();
/** The options `embedlab COMMAND --help` lists. */
function optionsOf(command: string): Promise<Set<string>> {
  if (!helpOf.has(command)) {
    helpOf.set(
      command,
      embedlab([command, '--help']).then(({ code, stdout, stderr }) => {
        if (code !== 0) throw new Error(`embedlab ${command} --help exited ${code}: ${stderr.trim()}`);
        return new Set([...stdout.matchAll(/^\s+--([\w-]+)/gm)].map((m) => m[1]));
      }),
    );
  }
  return helpOf.get(command)!;
}

describe('the docs’ commands', () => {
  const commands = DOCS.flatMap(shownCommands);

  it('finds the commands the docs show', () => {
    // The CLI section alone shows inspect, embed, eval and quantize, with dozens of flags between them.
    expect(commands.flatMap((c) => c.words.filter((w) => w.startsWith('--'))).length).toBeGreaterThan(30);
    for (const name of ['inspect', 'embed', 'eval', 'quantize']) expect(commands.some((c) => c.words[0] === name), name).toBe(true);
  });

  it('uses only commands and flags the CLI has', async () => {
    const wrong: string[] = [];
    for (const { at, words } of commands) {
      const [command, ...rest] = words;
      if (command === '--version' || command === '--help') continue;
      let options: Set<string>;
      try {
        options = await optionsOf(command);
      } catch (error) {
        wrong.push(`${at}: embedlab ${command}: ${(error as Error).message}`);
        continue;
      }
      for (const word of rest) {
        const flag = /^--([\w-]+)/.exec(word)?.[1];
        if (flag && !options.has(flag)) wrong.push(`${at}: embedlab ${command} has no --${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('runs only npm scripts package.json has', () => {
    const scripts = new Set(Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts));
    const missing = DOCS.flatMap((file) =>
      [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/npm run ([\w:.-]+)/g)].filter((m) => !scripts.has(m[1])).map((m) => `${file}: npm run ${m[1]}`),
    );
    expect(missing).toEqual([]);
  });
});
