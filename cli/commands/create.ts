/**
 * `create <name> [<table_file>]`: dmsetup's _create_one_device. The table comes from --table, the
 * file or stdin; the device is created, the table loaded (addressed by the new device number) and
 * the device resumed, and removed again if a step fails (libdm's create sequence). `--notable` or
 * an empty table only creates it. Options: `-u`, `-j/-m`, `-r`, `-U/-G/-M` (node owner and mode),
 * `--addnodeoncreate`, `--readahead`, `-v` (info block afterwards). `create --concise [spec]`
 * creates the devices of a concise spec (see create-concise.ts).
 */
import { MAX_NAME_BYTES, validateName, type ReadAheadSetting, type TableRow } from '../../lib/index.js';
import { atoi } from '../c-numbers.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { checkUuid, persistentDev } from '../device-arg.js';
import { displayInfo } from '../info-display.js';
import { parseReadAhead } from '../library-options.js';
import { readTable } from '../table-source.js';
import { createConcise } from './create-concise.js';

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
  if (request.table === undefined) return readTable(context, request.file);
  // A concise spec's table stands in for --table.
  const saved = context.options.table;
  context.options.table = request.table;
  try {
    return readTable(context, undefined);
  } finally {
    context.options.table = saved;
  }
}

/** -j/-m (or a concise spec's minor): a persistent device number; the kernel takes only the minor. */
function deviceNumber(context: CliContext, request: CreateRequest): { major: number; minor: number } | undefined {
  const { major, minor } = context.options;
  // A concise spec's minor alone takes the driver's major (the kernel reads only the minor).
  if (request.minor !== undefined) return { major: major !== undefined ? atoi(major) : 0, minor: request.minor };
  if (major !== undefined && minor !== undefined) return persistentDev(context, atoi(major), atoi(minor));
  return undefined;
}

/** --readahead as the library takes it (the value was checked when the line was parsed). */
export function readAheadSetting(text: string | undefined): ReadAheadSetting | undefined {
  return text === undefined ? undefined : parseReadAhead(text);
}
