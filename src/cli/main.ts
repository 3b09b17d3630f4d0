import packageJson from '../../package.json' with { type: 'json' };
import { DataError } from '../core/data/dataset.ts';
import { HubUnreachableError } from '../core/model/hubModelSource.ts';
import { ModelFolderError } from '../core/model/modelSource.ts';
import { UsageError } from './cliError.ts';
import { terminalSafe } from './terminalText.ts';
import { embedCommand } from './commands/embed.ts';
import { evalCommand } from './commands/eval.ts';
import { inspectCommand } from './commands/inspect.ts';
import { quantizeCommand } from './commands/quantize.ts';

const COMMANDS = [inspectCommand, embedCommand, evalCommand, quantizeCommand];

function overview(): string {
  return [
    'embedlab — compare sentence-embedding checkpoints on your own data',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run `embedlab <command> --help` for its options, `embedlab --version` for the version.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. Only this function turns errors into messages. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${overview()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`embedlab ${packageJson.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"\n\n${overview()}`);
    return await command.execute(rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ModelFolderError || error instanceof DataError || error instanceof HubUnreachableError) {
      process.stderr.write(`embedlab: ${terminalSafe(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
