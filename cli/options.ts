/**
 * dmsetup's command line: its option table (dmsetup 1.02.185's `_long_options`, in its order), the
 * checks `_process_switches` makes while and after reading the options, and the typed result.
 * Parsing only: no device-mapper calls here.
 */
import { atoi, strtol } from './c-numbers.js';
import { getoptLong, GetoptError, type LongOption, type ParsedOption } from './getopt.js';

/** The options tsdmsetup understands, typed. Names follow dmsetup's long options; values are as given. */
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
  /** How many times -v (or --verbose=…, whose value dmsetup ignores) was given. */
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
  count?: string;
  interval?: string;
  /** tsdmsetup's own: print results as one JSON document. */
  json?: boolean;
  /** dmsetup options tsdmsetup accepts but does not use (the stats ones), by long name. */
  other: Record<string, string | true>;
}

/** dmsetup 1.02.185's long options, in its table order (glibc lists ambiguous prefixes in this order). */
export const LONG_OPTIONS: readonly LongOption[] = [
  ['readonly', false], ['alias', true], ['alldevices', false], ['allprograms', false],
  ['allregions', false], ['area', false], ['areas', true], ['areasize', true], ['bounds', true],
  ['checks', false], ['clear', false], ['columns', false], ['concise', false], ['count', true],
  ['deferred', false], ['select', true], ['exec', true], ['filemap', false], ['follow', true],
  ['force', false], ['foreground', false], ['gid', true], ['group', false], ['groupid', true],
  ['help', false], ['histogram', false], ['inactive', false], ['interval', true], ['length', true],
  ['manglename', true], ['major', true], ['minor', true], ['mode', true], ['nameprefixes', false],
  ['nogroup', false], ['noflush', false], ['noheadings', false], ['nolockfs', false],
  ['noopencount', false], ['nosuffix', false], ['notable', false], ['notimesuffix', false],
  ['udevcookie', true], ['nomonitor', false], ['noudevrules', false], ['noudevsync', false],
  ['options', true], ['precise', false], ['programid', true], ['raw', false], ['readahead', true],
  ['region', false], ['regions', true], ['regionid', true], ['relative', false], ['retry', false],
  ['rows', false], ['segments', false], ['separator', true], ['setuuid', false], ['showkeys', false],
  ['sort', true], ['start', true], ['table', true], ['target', true], ['tree', false], ['uid', true],
  ['units', true], ['uuid', true], ['unbuffered', false], ['unquoted', false], ['userdata', true],
  ['verbose', true], ['verifyudev', false], ['version', false], ['yes', false],
  ['addnodeonresume', false], ['addnodeoncreate', false],
  // tsdmsetup's own, last so that no dmsetup abbreviation changes meaning.
  ['json', false],
].map(([name, hasArg]) => ({ name: name as string, hasArg: hasArg as boolean }));

/** dmsetup's getopt string. */
export const SHORT_OPTIONS = 'cCfG:hj:m:M:no:O:rS:u:U:vy';

const SHORT_TO_LONG: Readonly<Record<string, string>> = {
  c: 'columns',
  C: 'columns',
  f: 'force',
  G: 'gid',
  h: 'help',
  j: 'major',
  m: 'minor',
  M: 'mode',
  n: 'notable',
  o: 'options',
  O: 'sort',
  r: 'readonly',
  S: 'select',
  u: 'uuid',
  U: 'uid',
  v: 'verbose',
  y: 'yes',
};

/** The CliOptions keys tsdmsetup acts on; other long options land in `other`. */
const KNOWN = new Set<string>([
  'columns', 'force', 'gid', 'help', 'major', 'minor', 'mode', 'notable', 'options', 'sort',
  'readonly', 'select', 'uuid', 'uid', 'yes', 'table', 'inactive', 'setuuid', 'retry', 'deferred',
  'noflush', 'nolockfs', 'noopencount', 'target', 'showkeys', 'noheadings', 'separator',
  'nameprefixes', 'rows', 'unquoted', 'readahead', 'addnodeoncreate', 'addnodeonresume',
  'udevcookie', 'noudevrules', 'noudevsync', 'verifyudev', 'manglename', 'tree', 'exec', 'concise',
  'checks', 'version', 'count', 'interval', 'json',
]);

/**
 * A command line tsdmsetup could not process: `message` holds the lines dmsetup prints before
 * `Couldn't process command line.` (getopt's complaint, or a value check's).
 */
export class CommandLineError extends Error {}

export interface ParsedCommandLine {
  command: string | undefined;
  args: string[];
  /** Read-only: what a run changes as it goes lives on CliContext. */
  options: Readonly<CliOptions>;
  /** Lines dmsetup prints while parsing without failing (an unusable --udevcookie). */
  notices: string[];
}

/** Parses argv (without node and script), with dmsetup's checks. Throws CommandLineError. */
export function parseCommandLine(program: string, argv: string[]): ParsedCommandLine {
  const options: CliOptions = { verbose: 0, other: {} };
  const notices: string[] = [];
  let parsed;
  try {
    parsed = getoptLong(program, argv, SHORT_OPTIONS, LONG_OPTIONS, (option) => record(options, option, notices));
  } catch (error) {
    if (error instanceof GetoptError) throw new CommandLineError(error.message);
    throw error;
  }
  checkCombinations(options);
  const [command, ...args] = parsed.operands;
  return { command, args, options, notices };
}

/** Stores one option, refusing values the way dmsetup's option loop does (in command-line order). */
function record(options: CliOptions, option: ParsedOption, notices: string[]): void {
  const key = SHORT_TO_LONG[option.key] ?? option.key;
  const value = option.value;
  if (key === 'verbose') {
    options.verbose++;
    return;
  }
  checkValue(key, value ?? '', notices);
  if (!KNOWN.has(key)) {
    options.other[key] = value ?? true;
    return;
  }
  (options as unknown as Record<string, string | boolean>)[key] = value ?? true;
}

/** dmsetup's checks of single option values, with its messages. */
function checkValue(key: string, value: string, notices: string[]): void {
  switch (key) {
    case 'mode': {
      const parsed = strtol(value, 8);
      if (parsed.overflow || parsed.end === 0 || parsed.end !== value.length || parsed.value === 0n) {
        // dmsetup appends strerror(errno), empty unless strtol overflowed.
        throw new CommandLineError(`Invalid argument for --mode: ${value}. ${parsed.overflow ? 'Numerical result out of range' : ''}`);
      }
      return;
    }
    case 'count':
      if (atoi(value) < 0) throw new CommandLineError('Count must be zero or greater.');
      return;
    case 'interval':
      if (atoi(value) <= 0) throw new CommandLineError('Interval must be a positive integer.');
      return;
    case 'manglename':
      if (!['none', 'auto', 'hex'].includes(value.toLowerCase())) throw new CommandLineError('Unknown name mangling mode.');
      return;
    case 'readahead': {
      const lower = value.toLowerCase();
      if (lower !== 'auto' && lower !== 'none' && atoi(value) < -1) {
        throw new CommandLineError(`Negative read ahead value (${atoi(value)}) is not understood.`);
      }
      return;
    }
    case 'udevcookie':
      // dmsetup complains and carries on with no cookie.
      if (!validCookie(value)) notices.push('Incorrect cookie value.');
      return;
    default:
      return;
  }
}

/** dmsetup's _get_cookie_value: strtoul base 0, non-zero, whole string, 32 bits. */
function validCookie(text: string): boolean {
  const trimmed = text.replace(/^[ \t\n\v\f\r]*/, '');
  const match = /^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(trimmed);
  if (!match) return false;
  const value = BigInt(match[1]!.startsWith('0') && !/^0[xX]/.test(match[1]!) ? `0o${match[1]!.slice(1) || '0'}` : match[1]!);
  return !trimmed.startsWith('-') && value !== 0n && value <= 0xffffffffn;
}

/** The checks after the option loop, in dmsetup's order. */
function checkCombinations(options: Readonly<CliOptions>): void {
  if ((options.major !== undefined) !== (options.minor !== undefined)) {
    throw new CommandLineError('Please specify both major number and minor number.');
  }
  if (options.table !== undefined && options.notable) throw new CommandLineError('--table and --notable are incompatible.');
  if (options.addnodeonresume && options.addnodeoncreate) {
    throw new CommandLineError('--addnodeonresume and --addnodeoncreate are incompatible.');
  }
}

/** `-o` for commands without -c: how deps and ls name devices (dmsetup's _process_options). */
export type DevNameType = 'devno' | 'blkdevname' | 'devname';

/**
 * Parses `-o` words for deps/ls the way dmsetup does: each comma-separated word selects the first
 * of devno, blkdevname, devname that it is a prefix of (an empty word selects devno). Throws
 * CommandLineError `Option not recognised: <rest>.` for a word that matches none.
 */
export function parseDevNameOptions(options: string): DevNameType {
  let type: DevNameType = 'devno';
  let at = 0;
  while (at < options.length) {
    let end = options.indexOf(',', at);
    if (end === -1) end = options.length;
    const word = options.slice(at, end);
    const match = (['devno', 'blkdevname', 'devname'] as const).find((name) => name.startsWith(word));
    if (!match) throw new CommandLineError(`Option not recognised: ${options.slice(at)}.`);
    type = match;
    if (end === options.length) break;
    // dmsetup's loop steps onto the comma and then past it.
    at = end + 1;
  }
  return type;
}
