/**
 * `create <name> [<table_file>]`: dmsetup's _create_one_device. The table comes from --table, the
 * file or stdin; the device is created, the table loaded (addressed by the new device number) and
 * the device resumed, and removed again if a step fails (libdm's create sequence). `--notable` or
 * an empty table only creates it. Options: `-u`, `-j/-m`, `-r`, `-U/-G/-M` (node owner and mode),
 * `--addnodeoncreate`, `--readahead`, `-v` (info block afterwards). `create --concise [spec]`
 * creates the devices of a concise spec (parsed by create-concise.ts) one after the other; the
 * first error stops (dmsetup's _create_concise).
 */
import { MAX_NAME_BYTES, validateName, type TableRow } from '../../lib/index.js';
import { atoi } from '../c-numbers.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { checkMangling, checkUuid, persistentDev } from '../device-arg.js';
import { displayInfo } from '../info-display.js';
import { readAheadSetting } from '../library-options.js';
import { parseTableText, readTable } from '../table-source.js';
import { parseConcise } from './create-concise.js';

export const createCommand: CommandSpec = {
  name: 'create',
  minArgs: 0,
  maxArgs: 2,
  run(context) {
    if (context.options.concise) {
      if (context.args.length > 1) return context.fail(`${context.program} create --concise takes at most one argument`);
      return createConcise(context, context.args[0]);
    }
    const [name, file] = context.args;
    if (name === undefined) return context.fail('Please provide a name for the new device.');
    createOne(context, name, { file });
  },
};

/** What one device is made from, besides the switches (create --concise sets these per device). */
export interface CreateRequest {
  file?: string | undefined;
  uuid?: string | undefined;
  minor?: number | undefined;
  readOnly?: boolean | undefined;
  /** Table text that stands for --table. */
  table?: string | undefined;
}

/** dmsetup's _create_one_device: checks in its order, then the library's create sequence. */
export function createOne(context: CliContext, name: string, request: CreateRequest): void {
  const { options } = context;
  if (name.includes('/')) context.fail(`Name "${name}" invalid. It contains "/".`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) context.fail(`Name "${name}" too long.`);
  // Kernel 6.1 takes these names but the library refuses to address them afterwards (newer kernels
  // refuse them too): refuse before anything is made rather than leave a device half made.
  if (name === 'control' || name === '.' || name === '..') validateName(name);
  checkMangling(context, name, 'name');
  const uuid = request.uuid ?? options.uuid;
  if (uuid !== undefined) checkUuid(context, uuid);
  const rows = options.notable ? [] : tableRows(context, request);
  const createOptions = {
    uuid,
    dev: deviceNumber(context, request),
    readOnly: request.readOnly ?? Boolean(options.readonly),
    readAhead: readAheadSetting(options.readahead),
    // dmsetup leaves names and tables to the kernel; its refusals are the ones to show.
    validate: false,
  };
  const info = rows.length === 0 ? context.dm().create(name, createOptions) : context.dm().createDevice(name, rows, createOptions);
  if (options.verbose > 0 && !displayInfo(context, info)) throw new CommandFailed();
}

function tableRows(context: CliContext, request: CreateRequest): TableRow[] {
  // A concise spec's table stands in for --table (which --concise refuses), named as --table is.
  if (request.table !== undefined) return parseTableText(context, { text: request.table, source: '' });
  return readTable(context, request.file);
}

/** -j/-m (or a concise spec's minor): a persistent device number; the kernel takes only the minor. */
function deviceNumber(context: CliContext, request: CreateRequest): { major: number; minor: number } | undefined {
  const { major, minor } = context.options;
  // A concise spec's minor alone takes the driver's major (the kernel reads only the minor).
  if (request.minor !== undefined) return { major: major !== undefined ? atoi(major) : 0, minor: request.minor };
  if (major !== undefined && minor !== undefined) return persistentDev(context, atoi(major), atoi(minor));
  return undefined;
}

/** Creates the devices of `spec` (or of stdin), stopping at the first failure. */
function createConcise(context: CliContext, spec: string | undefined): void {
  const { options } = context;
  if (options.table !== undefined || options.minor !== undefined || options.uuid !== undefined || options.notable || options.inactive) {
    context.fail('--concise is incompatible with --[no]table, --minor, --uuid and --inactive.');
  }
  for (const step of parseConcise(spec ?? context.stdin())) {
    if ('errors' in step) return context.fail(...step.errors);
    const { name, uuid, minor, flags, table } = step.entry;
    if (flags !== '' && flags !== 'ro' && flags !== 'rw') {
      context.fail(`Invalid flags parameter '${flags}' must be 'ro' or 'rw' or empty.`);
    }
    createOne(context, name, {
      uuid: uuid !== '' ? uuid : undefined,
      minor: minor !== '' ? atoi(minor) : undefined,
      readOnly: flags === 'ro' || undefined,
      table,
    });
  }
}
