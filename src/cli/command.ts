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
  run(values: ParsedValues<O>, positionals: string[]): Promise<number>;
}

export type ParsedValues<O extends OptionSchema> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];

export function defineCommand<O extends OptionSchema>(command: Command<O>): Command<O> {
  return command;
}

export function parseCommandArgs<O extends OptionSchema>(command: Command<O>, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message}`);
  }
}

export function commandHelp<O extends OptionSchema>(command: Command<O>): string {
  const lines = [`embedlab ${command.usage}`, '', command.summary, '', 'Options:'];
  for (const [name, option] of Object.entries(command.options)) {
    const flag = `--${name}${option.type === 'string' ? ' <value>' : ''}${option.multiple ? ' (repeatable)' : ''}`;
    lines.push(`  ${flag.padEnd(30)} ${command.help[name as keyof O]}`);
  }
  return lines.join('\n');
}
