import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cliError.ts';

type OptionSchema = NonNullable<ParseArgsConfig['options']>;

/** A CLI command: its option schema is the single source of the parser and of `--help`. */
export interface Command<O extends OptionSchema> {
  name: string;
  summary: string;
  usage: string;
  options: O;
  /** One line per option for `--help`, keyed like `options`. */
  help: { [K in keyof O]: string };
  /** `order` lists the options as given, in command-line order (where their relative order matters). */
  run(values: ParsedValues<O>, positionals: string[], order: { name: string; value: string | undefined }[]): Promise<number>;
}

export type ParsedValues<O extends OptionSchema> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];

/** A command with its option types erased: what `main` dispatches to. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Parses `argv` against the schema, prints help when asked, else runs; resolves to the exit code. */
  execute(argv: string[]): Promise<number>;
}

export function defineCommand<O extends OptionSchema & { help: { type: 'boolean' } }>(command: Command<O>): CliCommand {
  return {
    name: command.name,
    summary: command.summary,
    async execute(argv) {
      let parsed;
      try {
        parsed = parseArgs({ args: negativeValuesJoined(argv, command.options), options: command.options, allowPositionals: true, strict: true, tokens: true });
      } catch (error) {
        throw new UsageError(`${command.name}: ${(error as Error).message}`);
      }
      if ((parsed.values as Record<string, unknown>).help) {
        process.stdout.write(`${commandHelp(command)}\n`);
        return 0;
      }
      const order = parsed.tokens.flatMap((token) => (token.kind === 'option' ? [{ name: token.name, value: token.value }] : []));
      return command.run(parsed.values as ParsedValues<O>, parsed.positionals, order);
    },
  };
}

/**
 * `--tolerance -1` as `--tolerance=-1`: parseArgs calls a value that starts with a dash ambiguous, but a
 * negative number after an option that takes a value is that value (and then checked as a number).
 */
function negativeValuesJoined(argv: readonly string[], options: OptionSchema): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...args, ...argv.slice(i)];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    if (name && Object.hasOwn(options, name) && options[name].type === 'string' && /^-(\d|\.\d)/.test(argv[i + 1] ?? '')) {
      args.push(`${arg}=${argv[++i]}`);
    } else {
      args.push(arg);
    }
  }
  return args;
}

function commandHelp<O extends OptionSchema>(command: Command<O>): string {
  const lines = [`embedlab ${command.usage}`, '', command.summary, '', 'Options:'];
  for (const [name, option] of Object.entries(command.options)) {
    const flag = `--${name}${option.type === 'string' ? ' <value>' : ''}${option.multiple ? ' (repeatable)' : ''}`;
    lines.push(`  ${flag.padEnd(30)} ${command.help[name as keyof O]}`);
  }
  return lines.join('\n');
}
