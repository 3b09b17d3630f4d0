import { ModelFolderError } from '../core/model/modelSource.ts';
import { UsageError } from './cliError.ts';
import { commandHelp, parseCommandArgs } from './command.ts';
import { embedCommand } from './commands/embed.ts';

const COMMANDS = [embedCommand];

function overview(): string {
  return [
    'embedlab — compare sentence-embedding checkpoints on your own data',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run `embedlab <command> --help` for its options.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. Only this function turns errors into messages. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${overview()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"\n\n${overview()}`);
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    return await command.run(values, positionals);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ModelFolderError) {
      process.stderr.write(`embedlab: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
