/**
 * tsdmsetup: dmsetup's commands, options, output and exit codes, on the tsdmsetup library.
 * Parsing and printing only; every action goes through lib/. The steps follow dmsetup's main():
 * options, --help/--version, the command and its argument count, `-o` or the -c report, then the
 * command once (or once per device argument), then the report, `Command failed.` and the status.
 */
import { argumentNotUtf8 } from './raw-argv.js';
import { atoi } from './c-numbers.js';
import { CliContext, CommandFailed, type CommandSpec, type HandleSource, type Output } from './context.js';
import { commands } from './commands/index.js';
import { CommandLineError, parseCommandLine, parseDevNameOptions, type CliOptions } from './options.js';
import { reportError } from './report-error.js';
import { readAllStdin } from './stdin.js';
import { loadLibrary } from './library.js';
import { fieldList, Report, ReportInitError, reportLayout } from './report/report.js';
import { SPLITNAME_FIELDS } from './commands/splitname.js';
import { parseTreeOptions } from './tree-view.js';
import { usageText } from './usage.js';
import { statsUsage } from './stats-usage.js';
import { udevCommands } from './fast-path.js';

/**
 * The commands that never open a library handle: main does not load the library for them (a
 * report that needs the dependency tree loads it all the same).
 */
const KERNEL_FREE = new Set(['help', 'splitname', ...udevCommands.map((spec) => spec.name)]);

/** The streams of one run (stdin is read only by commands that take a table from it). */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  stdin?: () => string;
  /** The program name in messages (default `tsdmsetup`). */
  program?: string;
  /** Shared library handles (`--batch`); by default the run opens its own and closes it. */
  handles?: HandleSource;
}

/** Runs one tsdmsetup invocation and returns its exit status (0 or 1, as dmsetup). */
export async function runCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = io.program ?? 'tsdmsetup';
  const stdin = io.stdin ?? readAllStdin;
  // dmsetup checks DM_DEV_DIR before anything else: it must be absolute.
  const devDir = process.env['DM_DEV_DIR'];
  if (devDir && !devDir.startsWith('/')) {
    io.stderr.write('Invalid DM_DEV_DIR environment variable value.\n');
    return 1;
  }
  const notUtf8 = argumentNotUtf8(argv);
  if (notUtf8 !== undefined) {
    io.stderr.write(`Argument ${notUtf8} is not valid UTF-8: ${program} cannot pass its bytes on unchanged.\nCouldn't process command line.\n`);
    return 1;
  }
  let parsed;
  try {
    parsed = parseCommandLine(program, argv);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    io.stderr.write(`${error.message}\nCouldn't process command line.\n`);
    return 1;
  }
  const { options } = parsed;
  for (const notice of parsed.notices) io.stderr.write(`${notice}\n`);
  // --help and --version run their commands whatever else is on the line, and always exit 0.
  const alwaysSucceeds = options.help === true || options.version === true;
  const found = alwaysSucceeds ? commands.get(options.help ? 'help' : 'version')! : findCommand(program, parsed, io);
  if (!found) return 1;
  // dmsetup: "When -S is given, store the real command for later and run "info -c" first".
  const selectionCommand = !alwaysSucceeds && options.select !== undefined && found.repeatable === 2 ? found : undefined;
  const spec = selectionCommand ? commands.get('info')! : found;
  const context = new CliContext(program, spec.name, parsed.args, options, io.stdout, io.stderr, stdin, io.handles);
  if (selectionCommand) {
    context.selectionCommand = selectionCommand;
    context.columns = true;
  }
  try {
    if (!KERNEL_FREE.has(spec.name)) await loadLibrary();
    if (!alwaysSucceeds && spec.name !== 'stats' && !(await prepareOutput(context))) return 1;
    // stats: dmsetup's _report_init for the subcommand, before it runs.
    if (!alwaysSucceeds && spec.name === 'stats' && !(await import('./commands/stats-report.js')).prepareStatsReport(context)) return 1;
    context.multipleDevices = multipleDevices(spec, parsed.args, options);
    const succeeded = alwaysSucceeds ? await runInvocations(context, spec, parsed.args) : await runCycles(context, spec, parsed.args);
    if (alwaysSucceeds) finishCycle(context);
    context.printJson();
    return succeeded || alwaysSucceeds ? 0 : 1;
  } finally {
    context.close();
  }
}

/** The command named on the line, after dmsetup's usage checks (printed here); undefined on failure. */
function findCommand(program: string, parsed: { command: string | undefined; args: string[] }, io: CliIo): CommandSpec | undefined {
  if (parsed.command === undefined) {
    io.stderr.write(program === 'dmstats' ? statsUsage(program) : usageText(program));
    return undefined;
  }
  // dmstats: every command line is a stats one (`dmstats stats …` too, as dmsetup's _process_switches).
  if (program === 'dmstats' && parsed.command !== 'stats') {
    parsed.args.unshift(parsed.command);
    parsed.command = 'stats';
  }
  const spec = commands.get(parsed.command);
  if (!spec) {
    io.stderr.write(`Unknown command.\n${usageText(program)}`);
    return undefined;
  }
  const count = parsed.args.length;
  if (count < spec.minArgs || (spec.maxArgs >= 0 && count > spec.maxArgs)) {
    const usage = parsed.command === 'stats' ? statsUsage(program) : usageText(program);
    io.stderr.write(`Incorrect number of arguments.\n${usage}`);
    return undefined;
  }
  return spec;
}

/**
 * dmsetup's _process_options and _report_init: `-o` names how deps/ls show devices, or with -c
 * the report's fields. Prints the errors and returns false when the line cannot be processed.
 */
async function prepareOutput(context: CliContext): Promise<boolean> {
  const { options } = context;
  const splitname = context.command === 'splitname';
  if (options.tree || (!context.columns && options.options !== undefined)) {
    try {
      if (options.tree) context.treeOptions = parseTreeOptions(options.options, utf8Locale());
      else context.devNameType = parseDevNameOptions(options.options!);
    } catch (error) {
      if (!(error instanceof CommandLineError)) throw error;
      context.error(error.message);
      context.error("Couldn't process command line.");
      return false;
    }
  }
  // --json with -c (and splitname) prints the report's rows; otherwise it reports no columns, but
  // `info --json -S` picks its devices with the selection.
  if (options.json && !(context.columns && !context.selectionCommand)) {
    return options.select !== undefined && context.command === 'info' ? makeReport(context, '', undefined) : true;
  }
  if (!context.columns) return true;
  if (options.sort !== undefined && (context.command === 'status' || context.command === 'table')) {
    context.error('--sort is not yet supported with status and table.');
    return false;
  }
  const fields = splitname ? fieldList(options.options, SPLITNAME_FIELDS) : fieldList(options.options);
  return makeReport(context, fields, splitname ? 'splitname' : undefined);
}

/**
 * dm_report_init_with_selection: the report of `fields` (with -O and -S), and the dependency tree
 * when a field (shown, sorted by or selected on) needs it. Prints the errors and returns false.
 */
async function makeReport(context: CliContext, fields: string, allOf: 'splitname' | undefined): Promise<boolean> {
  const { options } = context;
  try {
    const warn = (line: string): void => context.error(line);
    const sort = fields === '' ? undefined : options.sort;
    context.report = new Report(fields, sort, reportLayout(options), warn, allOf, options.select);
  } catch (error) {
    if (!(error instanceof ReportInitError)) throw error;
    if (!error.printed) context.error(error.message);
    return false;
  }
  if (context.report.needs('tree')) {
    try {
      await loadLibrary();
      context.report.tree = (await import('./device-tree.js')).buildDepTree(context);
    } catch (error) {
      reportError(context, error);
      context.error('Internal device dependency tree creation failed.');
      return false;
    }
  }
  return true;
}

/** Whether the C library would run in a UTF-8 locale (dmsetup draws trees with UTF-8 lines then). */
function utf8Locale(): boolean {
  const locale = process.env['LC_ALL'] || process.env['LC_CTYPE'] || process.env['LANG'] || '';
  return /utf-?8/i.test(locale);
}

/** dmsetup's multiple_devices: a repeatable command given several devices, or none (all devices). */
function multipleDevices(spec: CommandSpec, args: string[], options: Readonly<CliOptions>): boolean {
  if (!spec.repeatable || args.length === 1) return false;
  return args.length > 0 || (options.uuid === undefined && options.major === undefined);
}

/** Runs the command once, or once per device argument; the first failure prints `Command failed.` and stops. */
async function runInvocations(context: CliContext, spec: CommandSpec, args: string[]): Promise<boolean> {
  const invocations = spec.repeatable && args.length > 1 ? args.map((arg) => [arg]) : [args];
  for (const invocationArgs of invocations) {
    context.args = invocationArgs;
    try {
      await spec.run(context);
    } catch (error) {
      if (!(error instanceof CommandFailed)) reportError(context, error);
      context.error('Command failed.');
      return false;
    }
  }
  return true;
}

/**
 * `--count N` / `--interval S`: the command runs N times (forever with --interval alone or
 * --count 0), and a report is printed each time, then a blank line and S seconds (default 1)
 * before the next. Stops at the first failure.
 */
async function runCycles(context: CliContext, spec: CommandSpec, args: string[]): Promise<boolean> {
  const { count, interval } = context.options;
  const cycles = count !== undefined && atoi(count) > 0 ? atoi(count) : count !== undefined || interval !== undefined ? Infinity : 1;
  for (let cycle = 1; ; cycle++) {
    const succeeded = await runInvocations(context, spec, args);
    finishCycle(context);
    if (!succeeded) return false;
    if (cycle >= cycles) return true;
    if (context.report) {
      context.print('');
      const ms = (interval !== undefined ? atoi(interval) : 1) * 1000;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
}

/** What is printed once the command ran (even after a failure): the concise line's end, the report. */
function finishCycle(context: CliContext): void {
  if (context.conciseOutputProduced) context.stdout.write('\n');
  if (context.options.json && context.report && context.columns && !context.selectionCommand) {
    if (!context.report.helpRequested) context.jsonSet('report', context.report.outputJson());
    return;
  }
  for (const line of context.report?.output() ?? []) context.print(line);
}
