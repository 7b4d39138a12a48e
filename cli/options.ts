/**
 * dmsetup's command line, on commander: the options may stand anywhere (before or after the command
 * and its arguments), as with dmsetup's getopt_long. Parsing only: no device-mapper calls here.
 */
import { Command, CommanderError, Option } from 'commander';

/** The options tsdmsetup understands, typed. Names follow dmsetup's long options. */
export interface CliOptions {
  columns?: boolean;
  force?: boolean;
  gid?: string;
  help?: boolean;
  major?: string;
  minor?: string;
  mode?: string;
  notable?: boolean;
  options?: string;
  sort?: string;
  readonly?: boolean;
  select?: string;
  uuid?: string;
  uid?: string;
  verbose: number;
  yes?: boolean;
  table?: string;
  inactive?: boolean;
  setuuid?: boolean;
  retry?: boolean;
  deferred?: boolean;
  noflush?: boolean;
  nolockfs?: boolean;
  noopencount?: boolean;
  target?: string;
  showkeys?: boolean;
  noheadings?: boolean;
  separator?: string;
  nameprefixes?: boolean;
  rows?: boolean;
  unquoted?: boolean;
  readahead?: string;
  addnodeoncreate?: boolean;
  addnodeonresume?: boolean;
  udevcookie?: string;
  noudevrules?: boolean;
  noudevsync?: boolean;
  verifyudev?: boolean;
  manglename?: string;
  tree?: boolean;
  exec?: string;
  concise?: boolean;
  checks?: boolean;
  version?: boolean;
  /** tsdmsetup's own: print results as JSON. */
  json?: boolean;
}

/** A command line tsdmsetup could not parse: printed as dmsetup prints getopt's complaints. */
export class CommandLineError extends Error {}

const count = (_value: string, previous: number): number => previous + 1;

/** Builds the commander program that parses (and only parses) a tsdmsetup command line. */
function buildParser(program: string): Command {
  const parser = new Command(program)
    .helpOption(false)
    .allowExcessArguments(true)
    .argument('[command]')
    .argument('[args...]')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} })
    .option('-c, --columns', 'display as columns')
    .addOption(new Option('-C').hideHelp())
    .option('-f, --force', 'force')
    .option('-G, --gid <gid>', 'group of created nodes')
    .option('-h, --help', 'help')
    .option('-j, --major <major>', 'major number')
    .option('-m, --minor <minor>', 'minor number')
    .option('-M, --mode <mode>', 'mode of created nodes (octal)')
    .option('-n, --notable', 'create without a table')
    .option('-o, --options <options>', 'output options')
    .option('-O, --sort <fields>', 'sort report')
    .option('-r, --readonly', 'read-only')
    .option('-S, --select <selection>', 'select devices')
    .option('-u, --uuid <uuid>', 'device uuid')
    .option('-U, --uid <uid>', 'owner of created nodes')
    .option('-v', 'verbose (repeat for more)', count, 0)
    .option('--verbose <level>', 'verbose')
    .option('-y, --yes', 'answer yes')
    .option('--table <table>', 'table text')
    .option('--inactive', 'use the inactive table')
    .option('--setuuid', 'rename sets the uuid')
    .option('--retry', 'retry remove on EBUSY')
    .option('--deferred', 'deferred remove')
    .option('--noflush', 'do not flush')
    .option('--nolockfs', 'do not freeze the file system')
    .option('--noopencount', 'do not report the open count')
    .option('--target <type>', 'only this target type')
    .option('--showkeys', 'show crypt keys')
    .option('--noheadings', 'no report headings')
    .option('--separator <separator>', 'report field separator')
    .option('--nameprefixes', 'DM_ prefixes in reports')
    .option('--rows', 'report rows')
    .option('--unquoted', 'no quotes with --nameprefixes')
    .option('--readahead <value>', 'read-ahead: [+]sectors, auto or none')
    .option('--addnodeoncreate', 'make the node on create')
    .option('--addnodeonresume', 'make the node on resume')
    .option('--udevcookie <cookie>', 'udev cookie')
    .option('--noudevrules', 'disable udev rules')
    .option('--noudevsync', 'no udev synchronisation')
    .option('--verifyudev', 'verify udev')
    .option('--manglename <mode>', 'name mangling: none, auto, hex')
    .option('--tree', 'ls as a tree')
    .option('--exec <command>', 'ls: run a command per device')
    .option('--concise', 'concise table format')
    .option('--checks', 'extra checks')
    .option('--version', 'print versions')
    .option('--json', 'print results as JSON (tsdmsetup only)');
  return parser;
}

export interface ParsedCommandLine {
  command: string | undefined;
  args: string[];
  options: CliOptions;
}

/** Parses argv (without node and script). Throws CommandLineError with getopt's wording. */
export function parseCommandLine(program: string, argv: string[]): ParsedCommandLine {
  const parser = buildParser(program);
  try {
    parser.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new CommandLineError(getoptMessage(program, error));
    throw error;
  }
  const raw = parser.opts<Record<string, unknown>>();
  const options: CliOptions = { ...(raw as Partial<CliOptions>), verbose: (raw['v'] as number) ?? 0 };
  if (raw['C']) options.columns = true;
  if (typeof raw['verbose'] === 'string') options.verbose += Number.parseInt(raw['verbose'], 10) || 0;
  const [command, args] = parser.processedArgs as [string | undefined, string[]];
  return { command, args: args ?? [], options };
}

/** Commander's complaint in the words glibc's getopt uses, as dmsetup prints them. */
function getoptMessage(program: string, error: CommanderError): string {
  const option = /'(-[^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'commander.unknownOption':
      return option.startsWith('--')
        ? `${program}: unrecognized option '${option}'`
        : `${program}: invalid option -- '${option.slice(1, 2)}'`;
    case 'commander.optionMissingArgument': {
      const flag = /'(-[^ ,']*)/.exec(error.message)?.[1] ?? option;
      return flag.startsWith('--')
        ? `${program}: option '${flag}' requires an argument`
        : `${program}: option requires an argument -- '${flag.slice(1, 2)}'`;
    }
    default:
      return `${program}: ${error.message.replace(/^error: /, '')}`;
  }
}
