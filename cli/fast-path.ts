/**
 * The udev commands' quick start: udev rules run `dmsetup udevflags` and `udevcomplete` on every
 * device event, so `tsdmsetup <udev command>` runs here, on the command line parser and lib/udev
 * alone, without loading the library or the other commands (main.ts). Anything this path does not
 * cover (--help, --version, reports, an unknown command, a usage error) goes to main.ts, which
 * handles it exactly as before.
 */
import { BaseContext, CommandFailed, type Output } from './base-context.js';
import type { LightCommandSpec } from './context.js';
import { udevcompleteCommand, udevcookiesCommand, udevcreatecookieCommand, udevflagsCommand, udevreleasecookieCommand } from './commands/udev.js';
import { CommandLineError, parseCommandLine } from './options.js';

const UDEV_COMMANDS: ReadonlyMap<string, LightCommandSpec> = new Map(
  [udevflagsCommand, udevcompleteCommand, udevcreatecookieCommand, udevreleasecookieCommand, udevcookiesCommand].map((spec) => [spec.name, spec]),
);

/** The udev commands, for main's command table (udevcomplete_all runs through main: it prompts). */
export const udevCommands = [...UDEV_COMMANDS.values()];

/**
 * Runs `argv` when it is a plain udev command; undefined (nothing printed) when main must.
 * Same output and status as main would give.
 */
export async function runFastPath(argv: string[], io: { stdout: Output; stderr: Output; program?: string }): Promise<number | undefined> {
  const program = io.program ?? 'tsdmsetup';
  const devDir = process.env['DM_DEV_DIR'];
  if (devDir && !devDir.startsWith('/')) return undefined;
  let parsed;
  try {
    parsed = parseCommandLine(program, argv);
  } catch (error) {
    if (error instanceof CommandLineError) return undefined;
    throw error;
  }
  const { options, command, args } = parsed;
  const spec = command === undefined ? undefined : UDEV_COMMANDS.get(command);
  if (!spec || args.length < spec.minArgs || (spec.maxArgs >= 0 && args.length > spec.maxArgs)) return undefined;
  // What main would act on before the command: leave those lines to it.
  if (options.help || options.version || options.columns || options.tree || options.select !== undefined) return undefined;
  if (options.options !== undefined || options.count !== undefined || options.interval !== undefined) return undefined;
  for (const notice of parsed.notices) io.stderr.write(`${notice}\n`);
  const context = new BaseContext(program, spec.name, args, options, io.stdout, io.stderr, () => '');
  let status = 0;
  try {
    await spec.run(context);
  } catch (error) {
    if (!(error instanceof CommandFailed)) context.error(error instanceof Error ? error.message : String(error));
    context.error('Command failed.');
    status = 1;
  }
  context.printJson();
  return status;
}
