/**
 * tsdmsetup: dmsetup's commands, options, output and exit codes, on the tsdmsetup library.
 * Parsing and printing only; every action goes through lib/.
 */
import { readFileSync } from 'node:fs';
import { CliContext, CommandFailed, type Output } from './context.js';
import { commands } from './commands/index.js';
import { CommandLineError, parseCommandLine } from './options.js';
import { reportError } from './report-error.js';
import { usageText } from './usage.js';

/** Runs one tsdmsetup invocation and returns its exit status (0 or 1, as dmsetup). */
export async function runCli(
  argv: string[],
  io: { stdout: Output; stderr: Output; stdin?: () => string; program?: string } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  const program = io.program ?? 'tsdmsetup';
  const stdin = io.stdin ?? (() => readFileSync(0, 'utf8'));
  let parsed;
  try {
    parsed = parseCommandLine(program, argv);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    io.stderr.write(`${error.message}\nCouldn't process command line.\n`);
    return 1;
  }
  const { options } = parsed;
  let name = parsed.command;
  let args = parsed.args;
  // --version and --help run their commands and, like dmsetup's, always exit 0.
  const alwaysSucceeds = options.version === true || options.help === true;
  if (options.help) {
    name = 'help';
    args = [];
  } else if (options.version) {
    name = 'version';
    args = [];
  }
  if (name === undefined) {
    io.stderr.write(usageText(program));
    return 1;
  }
  const spec = commands.get(name);
  if (!spec) {
    io.stderr.write(`Unknown command.\n${usageText(program)}`);
    return 1;
  }
  if (args.length < spec.minArgs || (spec.maxArgs >= 0 && args.length > spec.maxArgs)) {
    io.stderr.write(`Incorrect number of arguments.\n${usageText(program)}`);
    return 1;
  }
  const context = new CliContext(program, name, args, options, io.stdout, io.stderr, stdin);
  try {
    await spec.run(context);
    return 0;
  } catch (error) {
    if (!(error instanceof CommandFailed)) reportError(context, error);
    context.error('Command failed.');
    return alwaysSucceeds ? 0 : 1;
  } finally {
    context.close();
  }
}
