/**
 * `stats <command> [options] [device...]` (dmstats's command set, libdm 1.02.185's messages and
 * exit codes): create, delete, clear, print, group, ungroup here; list and report in
 * stats-report.ts. Each device argument runs the subcommand once, stopping at the first failure.
 */
import { DeviceStats, DMSTATS_PROGRAM_ID, isDmError, parseHistogramBounds, parseStatsPrint, type StatsRegion } from '../../lib/index.js';
import { atoi, strtoull } from '../c-numbers.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';
import { forEachDevice } from '../each-device.js';
import { reportError } from '../report-error.js';
import { statsUsage } from '../stats-usage.js';
import { fieldHelpLines } from '../report/fields.js';
import { statsReport } from './stats-report.js';
import { opt, optText } from '../stats-options.js';

type Sub = (context: CliContext, name: string | undefined) => void | Promise<void>;

const text = optText;

/** dmsetup's `_int_args[...] = atoi(optarg)` as the uint64_t the id becomes. */
function idArg(context: CliContext, name: string): bigint {
  return BigInt.asUintN(64, BigInt(atoi(text(context, name) ?? '0')));
}

function stats(context: CliContext, name: string | undefined): DeviceStats {
  return new DeviceStats(context.dm(), taskDevice(context, name));
}

/** Runs `sub` for the named device, or (with `everyDevice`) for every device when none is named. */
function onDevice(context: CliContext, name: string | undefined, sub: Sub, everyDevice: 'all' | 'needs-alldevices'): void | Promise<void> {
  if (name !== undefined || hasUuidOrMajor(context)) return sub(context, name);
  if (everyDevice === 'needs-alldevices' && !opt(context, 'alldevices')) context.fail('Please specify device(s) or use --alldevices.');
  return forEachDevice(context, (device) => sub(context, device.name));
}

function present(regions: readonly StatsRegion[], id: bigint): StatsRegion | undefined {
  return regions.find((r) => BigInt(r.regionId) === id);
}

/** dmsetup's _size_from_string: a number of sectors, or bytes with a unit (k, m, g, … as dm_units_to_factor). */
function sizeArg(context: CliContext, name: string, what: string): bigint {
  const value = text(context, name)!;
  const parsed = strtoull(value);
  if (parsed.end === 0) context.fail(`Invalid ${what} argument: "${value}"`);
  const unit = value.slice(parsed.end);
  if (unit === '') return parsed.value * 512n;
  const factors: Record<string, bigint> = { b: 1n, s: 512n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n, p: 1024n ** 5n, e: 1024n ** 6n };
  const si: Record<string, bigint> = { K: 1000n, M: 1000n ** 2n, G: 1000n ** 3n, T: 1000n ** 4n, P: 1000n ** 5n, E: 1000n ** 6n, B: 1n, S: 512n };
  const factor = unit.length === 1 ? factors[unit] ?? si[unit] : undefined;
  return factor === undefined ? parsed.value : parsed.value * factor;
}

const create: Sub = (context, name) => {
  for (const [flag, line] of [['allregions', 'Cannot use --allregions with create.'], ['allprograms', 'Cannot use --allprograms with create.']] as const) {
    if (opt(context, flag)) context.fail(line);
  }
  if (opt(context, 'areas') !== undefined && opt(context, 'areasize') !== undefined) context.fail('Please specify one of --areas and --areasize.');
  const programOpt = text(context, 'programid');
  if (programOpt === '' && !context.options.force) context.fail('Creating a region with no program id requires --force.');
  if (opt(context, 'filemap')) context.fail('tsdmsetup does not support stats create --filemap.');
  return onDevice(context, name, createOne, 'needs-alldevices');
};

function createOne(context: CliContext, name: string | undefined): void {
  const areas = opt(context, 'areas') !== undefined ? atoi(text(context, 'areas')!) : 0;
  const areaBytes = opt(context, 'areasize') !== undefined ? sizeArg(context, 'areasize', 'areasize') : 0n;
  const start = opt(context, 'start') !== undefined ? sizeArg(context, 'start', 'start') / 512n : 0n;
  const length = opt(context, 'length') !== undefined ? sizeArg(context, 'length', 'length') / 512n : 0n;
  if (opt(context, 'alias') !== undefined && opt(context, 'nogroup')) context.fail('Cannot set alias with --nogroup.');
  const bounds = text(context, 'bounds');
  let histogramBounds: bigint[] | undefined;
  if (bounds !== undefined) {
    try {
      histogramBounds = parseHistogramBounds(bounds);
    } catch (error) {
      if (!isDmError(error)) throw error;
      context.fail(error.summary);
    }
  }
  const id = taskDevice(context, name);
  // dmsetup reads the table first: its name, and the whole device's length for the area count.
  const table = context.dm().table(id);
  const deviceName = table.info.name;
  const deviceLength = table.rows.reduce((total, row) => total + BigInt(row.length), 0n);
  const step = areaBytes ? areaBytes / 512n : -BigInt(areas || 1);
  const handle = new DeviceStats(context.dm(), id);
  const segments = Boolean(opt(context, 'segments'));
  // --segments: a region per target (dmsetup's _do_stats_create_regions); else one region.
  const pieces = segments ? table.rows.map((row) => ({ start: BigInt(row.start), length: BigInt(row.length) })) : [{ start, length }];
  const made: number[] = [];
  for (const piece of pieces) {
    let regionId: number;
    try {
      regionId = handle.createRegion({
        start: piece.start,
        length: piece.length,
        ...(step > 0n ? { areaLength: step } : { areas: Number(-step) }),
        precise: Boolean(opt(context, 'precise')),
        ...(histogramBounds ? { histogramBounds } : {}),
        programId: text(context, 'programid') ?? DMSTATS_PROGRAM_ID,
        userData: text(context, 'userdata') ?? '',
      });
    } catch (error) {
      reportError(context, error);
      context.fail(`${deviceName}: Could not create statistics region.`);
    }
    made.push(regionId);
    const regionLength = segments || piece.start || piece.length ? piece.length : deviceLength;
    const count = step > 0n ? (regionLength === 0n ? 1n : regionLength / step + (regionLength % step ? 1n : 0n)) : -step;
    if (context.options.json) context.jsonItem('regions', { name: deviceName, regionId, areaCount: count });
    else context.print(`${deviceName}: Created new region with ${count} area(s) as region ID ${regionId}`);
  }
  if (!segments || opt(context, 'nogroup')) return;
  const list = made.join(',');
  const alias = text(context, 'alias');
  try {
    const group = handle.createGroup(list, alias);
    for (const warning of group.warnings) context.error(warning);
    if (!context.options.json) context.print(`Grouped regions ${list} as group ID ${group.groupId}${alias !== undefined ? ` with alias ${alias}` : ''}`);
  } catch (error) {
    if (!isDmError(error) || error.kind !== 'invalid-argument') throw error;
    context.fail(error.summary, `Failed to create group for regions ${list}.`);
  }
}

const del: Sub = (context, name) => {
  const allregions = Boolean(opt(context, 'allregions'));
  const groupid = opt(context, 'groupid') !== undefined;
  const regionid = opt(context, 'regionid') !== undefined;
  if (regionid && groupid) context.fail('Please use one of --regionid and --groupid.');
  if (!regionid && !allregions && !groupid) context.fail('Please specify a --regionid or --groupid, or use --allregions.');
  return onDevice(context, name, (c, n) => {
    const handle = stats(c, n);
    const program = opt(c, 'allprograms') ? '' : text(c, 'programid') ?? DMSTATS_PROGRAM_ID;
    const regions = handle.list(program);
    if (allregions && regions.length === 0) return;
    if (groupid) {
      const id = idArg(c, 'groupid');
      checked(c, () => handle.deleteGroup(Number(id), { deleteRegions: true }), 'Could not delete statistics group.');
      if (c.options.json) c.jsonItem('deleted', { name: n ?? '', groupId: id });
      else c.print(`Deleted statistics group ${id}.`);
    } else if (allregions) {
      for (const region of regions) {
        checked(c, () => handle.deleteRegion(region.regionId, handle.list(program)), 'Could not delete statistics region.');
        if (c.options.json) c.jsonItem('deleted', { name: n ?? '', regionId: region.regionId });
      }
    } else {
      const id = idArg(c, 'regionid');
      if (regions.length === 0) c.fail(`Could not delete region ID ${id}: no regions found`, 'Could not delete statistics region');
      if (!present(regions, id)) c.fail(`Region ID ${id} does not exist`, 'Could not delete statistics region');
      checked(c, () => handle.deleteRegion(Number(id), regions), 'Could not delete statistics region');
      if (c.options.json) c.jsonItem('deleted', { name: n ?? '', regionId: id });
    }
  }, 'needs-alldevices');
};

/** Runs a library call; a failure prints its error, then `line`, and fails the command. */
function checked(context: CliContext, call: () => void, line: string): void {
  try {
    call();
  } catch (error) {
    if (isDmError(error) && error.kind === 'invalid-argument') context.error(error.summary);
    else reportError(context, error);
    context.fail(line);
  }
}

const clear: Sub = (context, name) => {
  if (opt(context, 'regionid') === undefined && !opt(context, 'allregions')) context.fail('Please specify a --regionid or use --allregions.');
  return onDevice(context, name, (c, n) => {
    const handle = stats(c, n);
    const regions = handle.list(DMSTATS_PROGRAM_ID);
    if (regions.length === 0) return;
    const targets = opt(c, 'allregions') ? regions.map((r) => BigInt(r.regionId)) : [idArg(c, 'regionid')];
    for (const id of targets) {
      if (!present(regions, id)) c.fail(`No such region: ${id}.`);
      checked(c, () => handle.clearRegion(Number(id)), `Clearing statistics region ${id} failed.`);
      if (c.options.json) c.jsonItem('cleared', { name: n ?? '', regionId: id });
    }
  }, 'all');
};

const print: Sub = (context, name) => {
  if (opt(context, 'regionid') === undefined && !opt(context, 'allregions')) context.fail('Please specify a --regionid or use --allregions.');
  return onDevice(context, name, (c, n) => {
    const handle = stats(c, n);
    const regions = handle.list(DMSTATS_PROGRAM_ID);
    const clearing = { clear: Boolean(opt(c, 'clear')) };
    const show = (id: bigint): void => {
      let text: string | undefined;
      checked(c, () => (text = handle.printText(Number(BigInt.asIntN(64, id)), clearing)), 'Could not print statistics region.');
      if (!c.options.json) return void c.stdout.write(text ?? '');
      const precise = Boolean(present(regions, id)?.precise);
      c.jsonItem('regions', { name: n ?? '', regionId: id, areas: parseStatsPrint(text, precise) });
    };
    if (!opt(c, 'allregions')) return show(idArg(c, 'regionid'));
    // dmsetup 1.02.185 prints each region twice with --allregions (--json: once).
    for (const region of regions) {
      show(BigInt(region.regionId));
      if (!c.options.json) show(BigInt(region.regionId));
    }
  }, 'all');
};

const group: Sub = (context, name) => {
  const regions = text(context, 'regions') ?? context.fail('Group requires --regions.');
  return onDevice(context, name, (c, n) => {
    const handle = stats(c, n);
    const alias = text(c, 'alias');
    let created: ReturnType<DeviceStats['createGroup']> | undefined;
    try {
      created = handle.createGroup(regions, alias);
    } catch (error) {
      if (!isDmError(error) || error.kind !== 'invalid-argument') throw error;
      c.error(error.summary);
    }
    if (!created) return c.fail(`Could not create group on ${n}: ${regions}`);
    for (const warning of created.warnings) c.error(warning);
    if (c.options.json) c.jsonItem('groups', { name: n ?? '', groupId: created.groupId, alias: alias ?? '', regions });
    else c.print(`Grouped regions ${regions} as group ID ${created.groupId} on ${n}`);
  }, 'needs-alldevices');
};

const ungroup: Sub = (context, name) => {
  if (opt(context, 'groupid') === undefined) context.fail('Please specify group id.');
  return onDevice(context, name, (c, n) => {
    const handle = stats(c, n);
    const id = idArg(c, 'groupid');
    let failed = false;
    try {
      handle.deleteGroup(Number(id));
    } catch (error) {
      if (!isDmError(error) || error.kind !== 'invalid-argument') throw error;
      c.error(error.summary);
      c.error(`Could not delete group ${id} on ${n}.`);
      failed = true;
    }
    // dmsetup prints this line whether or not the group went.
    if (c.options.json) c.jsonItem('ungrouped', { name: n ?? '', groupId: id });
    else c.print(`Removed group ID ${id} on ${n}`);
    if (failed) throw new CommandFailed();
  }, 'needs-alldevices');
};

const SUBCOMMANDS: Readonly<Record<string, Sub>> = {
  clear, create, delete: del, group, print, ungroup,
  list: (context, name) => statsReport(context, name, 'list'),
  report: (context, name) => statsReport(context, name, 'report'),
  // dmsetup's _version, once per device argument as the stats table says.
  version: async (context) => (await import('./version.js')).versionCommand.run(context),
};

/** The list each subcommand's --json document holds (list and report print the report's rows). */
const JSON_KEYS: Readonly<Record<string, string>> = {
  create: 'regions', print: 'regions', delete: 'deleted', clear: 'cleared', group: 'groups', ungroup: 'ungrouped',
};

export const statsCommand: CommandSpec = {
  name: 'stats',
  minArgs: 1,
  maxArgs: -1,
  async run(context) {
    const [subcommand = '', ...devices] = context.args;
    // dmsetup's _stats_help: the usage, then (stats always reports) the field list.
    const help = (): void => {
      context.stderr.write(statsUsage(context.program));
      for (const line of [...fieldHelpLines(), ' ']) context.error(line);
    };
    if (subcommand === 'help') return help();
    const sub = SUBCOMMANDS[subcommand];
    if (!sub) {
      context.error('Unknown stats command.');
      help();
      throw new CommandFailed();
    }
    if (opt(context, 'allprograms') && opt(context, 'programid') !== undefined) context.fail('Please supply one of --allprograms and --programid');
    if (opt(context, 'allregions') && opt(context, 'regionid') !== undefined) context.fail('Please supply one of --allregions and --regionid');
    // --json: one document per subcommand, printed even when nothing was done (its list empty).
    const documentKey = JSON_KEYS[subcommand];
    if (context.options.json && documentKey) context.json ??= { [documentKey]: [] };
    const invocations = devices.length > 1 ? devices.map((d) => [d]) : [devices];
    for (const [name] of invocations) await sub(context, name);
  },
};
