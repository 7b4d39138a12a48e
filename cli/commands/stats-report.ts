/**
 * `stats list` and `stats report`: dmsetup's stats reports (its _report_init field lists for
 * stats, the walk flags of _stats and _stats_report), filled per device from `@stats_list` and,
 * for counters and rates, `@stats_print_clear` (so each report shows what happened since the last).
 * Rates are over `--interval` seconds (default 1), as dmstats's first report assumes.
 */
import { DeviceStats, DMSTATS_PROGRAM_ID, type StatsArea } from '../../lib/index.js';
import { atoi } from '../c-numbers.js';
import type { CliContext } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';
import { forEachDevice } from '../each-device.js';
import { fieldList, Report, ReportInitError, reportLayout } from '../report/report.js';
import { statsFieldSupported, statsFieldValue, statsRows, type WalkFlags } from '../stats-rows.js';
import { opt } from '../stats-options.js';

const DEV_INFO = 'stats_name,group_id,region_id,obj_type';
const REGION_INFO = `${DEV_INFO},region_start,region_len,area_count,area_len`;
const AREA_INFO_FULL = `${DEV_INFO},region_start,region_len,area_count,area_id,area_start,area_len`;
const METRICS =
  'reads_merged_per_sec,writes_merged_per_sec,reads_per_sec,writes_per_sec,read_size_per_sec,write_size_per_sec,avg_request_size,queue_size,util,await,read_await,write_await';
const COUNTERS =
  'read_count,reads_merged_count,read_sector_count,read_time,read_ticks,write_count,writes_merged_count,write_sector_count,write_time,write_ticks,in_progress_count,io_ticks,queue_ticks';

/** dmsetup's default fields of a stats subcommand's report. */
function defaultFields(context: CliContext, subcommand: 'list' | 'report'): string {
  const verbose = context.options.verbose > 0;
  const histogram = Boolean(opt(context, 'histogram'));
  if (subcommand === 'list') {
    if (histogram) return verbose ? `${AREA_INFO_FULL},hist_bins,hist_bounds` : `${REGION_INFO},hist_bins,hist_bounds`;
    return verbose ? `${AREA_INFO_FULL},program_id` : `${REGION_INFO},program_id`;
  }
  if (histogram) return `${REGION_INFO},util,await,${opt(context, 'relative') ? 'hist_percent_bounds' : 'hist_count_bounds'}`;
  return `${DEV_INFO},area_id,area_start,area_len,${opt(context, 'raw') ? COUNTERS : METRICS}`;
}

/** The walk _stats and _stats_report choose from --area/--region/--group, the subcommand and -v. */
function walkFlags(context: CliContext, subcommand: 'list' | 'report'): WalkFlags {
  const area = Boolean(opt(context, 'area'));
  const region = Boolean(opt(context, 'region'));
  const groupSwitch = Boolean(opt(context, 'group'));
  const objtype = area || region || groupSwitch;
  const flags = objtype ? { areas: area, regions: region, groups: groupSwitch, skipSingleArea: false } : { areas: false, regions: true, groups: true, skipSingleArea: false };
  const all = (subcommand === 'list' && context.options.verbose > 0) || (subcommand === 'report' && !objtype);
  return all ? { areas: true, regions: true, groups: true, skipSingleArea: true } : flags;
}

/**
 * dmsetup's _report_init for `stats <subcommand>`, run before the subcommand: the report of the
 * subcommand's fields (list's, or the report's for every other subcommand), its errors printed and
 * false returned (the run then fails without `Command failed.`). Only list and report keep it.
 */
export function prepareStatsReport(context: CliContext): boolean {
  const subcommand = context.args[0] === 'list' ? 'list' : 'report';
  const fields = fieldList(context.options.options, defaultFields(context, subcommand));
  const warn = (line: string): void => context.error(line);
  let report: Report;
  try {
    report = new Report(fields, context.options.sort, reportLayout(context.options), warn, undefined, context.options.select, true);
  } catch (error) {
    if (!(error instanceof ReportInitError)) throw error;
    if (!error.printed) context.error(error.message);
    return false;
  }
  const unsupported = report.columns.find((c) => (c.def.section === 'stats' || c.def.section === 'region') && !statsFieldSupported(c.def.id));
  const other = report.columns.find((c) => c.def.section !== 'stats' && c.def.section !== 'region' && c.def.section !== 'special');
  const refusal = unsupported
    ? `tsdmsetup does not support the ${unsupported.def.id} stats field.`
    : other
      ? `tsdmsetup does not support the ${other.def.id} field in a stats report.`
      : context.options.other['units'] !== undefined && context.options.other['units'] !== 'h'
        ? 'tsdmsetup stats supports only --units h.'
        : undefined;
  if (refusal) {
    context.error(refusal);
    return false;
  }
  if (context.args[0] === 'list' || context.args[0] === 'report') {
    context.report = report;
    context.columns = true;
  }
  return true;
}

/** Adds one device's rows (or every device's, when none is named) to the run's report. */
export async function statsReport(context: CliContext, name: string | undefined, subcommand: 'list' | 'report'): Promise<void> {
  const report = context.report;
  if (!report || report.helpRequested) return;
  const one = (deviceName: string | undefined): void => {
    const id = taskDevice(context, deviceName);
    const info = context.dm().info(id);
    const program = opt(context, 'allprograms') ? '' : String(opt(context, 'programid') ?? DMSTATS_PROGRAM_ID);
    const handle = new DeviceStats(context.dm(), id);
    const regions = handle.list(program);
    // dm_stats_populate reads with @stats_print_clear: a report zeroes the counters it shows.
    const format = { suffix: !opt(context, 'notimesuffix'), unaligned: Boolean(context.options.noheadings) };
    const intervalNs = (context.options.interval !== undefined ? Math.max(1, atoi(context.options.interval)) : 1) * 1e9;
    const wantsCounters = report.columns.some((c) => c.def.section === 'stats');
    const areas = new Map<number, StatsArea[]>();
    if (wantsCounters) for (const region of regions) areas.set(region.regionId, handle.print(region.regionId, { clear: true }));
    for (const row of statsRows(info.name, regions, areas, walkFlags(context, subcommand))) {
      report.addRow(report.columns.map((c) => statsFieldValue(c.def, row, intervalNs, format) ?? { text: '', sort: '' }));
    }
  };
  if (name !== undefined || hasUuidOrMajor(context)) return one(name);
  await forEachDevice(context, (device) => one(device.name));
}
