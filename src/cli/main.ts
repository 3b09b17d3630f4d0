import packageJson from '../../package.json' with { type: 'json' };
import { DataError } from '../core/data/dataset.ts';
import { HubUnreachableError } from '../core/model/hubModelSource.ts';
import { ModelFolderError } from '../core/model/modelSource.ts';
import { FusionError } from '../core/eval/fusion/fuseRankings.ts';
import { UsageError } from './cliError.ts';
import { reason } from './inputPath.ts';
import { watchStandardOutput } from './standardOutput.ts';
import { terminalSafe } from './terminalText.ts';
import { embedCommand } from './commands/embed.ts';
import { evalCommand } from './commands/eval.ts';
import { inspectCommand } from './commands/inspect.ts';
import { quantizeCommand } from './commands/quantize.ts';

/** Every command `embedlab` has, in the order the overview lists them. */
export const COMMANDS = [inspectCommand, embedCommand, evalCommand, quantizeCommand];

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

/**
 * Exit codes, a contract CI jobs rely on: 0 pass, 1 only when the gate found a regression, 2 bad input or
 * usage, 3 an internal error (a bug of the lab's: never read as "a model got worse").
 */
const EXIT = { pass: 0, regression: 1, badInput: 2, internal: 3 } as const;

const REPORT_BUGS = 'this is a bug in embedlab: please report it with the command that caused it';

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
  const stdout = watchStandardOutput();
  try {
    if (!command) throw new UsageError(`unknown command "${name}"\n\n${overview()}`);
    // A test hook: proves that an unexpected error anywhere exits with the internal-error code, not 1.
    if (process.env.EMBEDLAB_INJECT_INTERNAL_ERROR === name) throw new TypeError('injected internal error');
    const code = await command.execute(rest);
    const failure = await stdout.failure();
    if (failure) throw new UsageError(`${name}: standard output cannot be written (${reason(failure)}); the results were not all printed`);
    return code;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ModelFolderError || error instanceof DataError || error instanceof HubUnreachableError || error instanceof FusionError) {
      process.stderr.write(`embedlab: ${terminalSafe(error.message)}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`embedlab: internal error in ${name}: ${terminalSafe(describeInternal(error))} — ${REPORT_BUGS}\n`);
    if (process.env.EMBEDLAB_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}

/** One line: the error and the place it was thrown (the first frame), no stack trace. */
function describeInternal(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack?.split('\n').find((line) => line.trim().startsWith('at '))?.trim().replace(/^at /, '');
  return `${error.name}: ${error.message.split('\n')[0].slice(0, 500)}${frame ? ` (at ${frame})` : ''}`;
}
