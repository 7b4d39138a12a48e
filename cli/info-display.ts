/**
 * dmsetup's _display_info: a device's info block, or with -c a row of the report; and the
 * --json form of a device's state.
 */
import { reportError } from './report-error.js';
import type { CliContext } from './context.js';
import { formatDev, type DeviceInfo } from '../lib/index.js';
import { formatInfoBlock } from './format.js';
import { readAheadOf } from './read-ahead.js';
import { deviceFieldValue } from './report/device-fields.js';
import type { FieldValue } from './report/report.js';

/**
 * Shows `info` for one device: the block (stdout), or with -c a report row. Returns false when a
 * report field could not be had (its error lines are printed; dmsetup then drops the row).
 */
export function displayInfo(context: CliContext, info: DeviceInfo): boolean {
  if (context.report) return addReportRow(context, info);
  const readAhead = readAheadOf(info, context.nodePath(info.name), (line) => context.error(line));
  const block = formatInfoBlock(info, readAhead);
  if (context.options.verbose < 2 || readAhead === undefined) {
    context.stdout.write(block);
    return true;
  }
  // dmsetup -vv: libdm's debug line of the read, just before the line that shows it.
  const at = block.indexOf('Read Ahead:');
  context.stdout.write(block.slice(0, at));
  context.debug(`${info.name} (${info.major}:${info.minor}): read ahead is ${readAhead}`);
  context.stdout.write(block.slice(at));
  return true;
}

/** dmsetup's _display_info_cols: the row's values, added to the report (which applies -S). */
function addReportRow(context: CliContext, info: DeviceInfo): boolean {
  const report = context.report!;
  if (report.helpRequested) return true;
  const values = reportRowValues(context, info);
  if (!values) return false;
  report.addRow(values);
  return true;
}

/**
 * The report row of a device (one value per column, hidden ones included): the tree node and
 * deps when fields want them, then every field's value. Undefined after printing why a field
 * could not be had (dmsetup then drops the row and the device fails).
 */
export function reportRowValues(context: CliContext, info: DeviceInfo): FieldValue[] | undefined {
  const report = context.report!;
  let deps;
  if (report.needs('deps')) {
    try {
      deps = context.dm().deps({ major: info.major, minor: info.minor }, { inactive: Boolean(context.options.inactive) }).deps;
    } catch (error) {
      reportError(context, error);
      context.error(`Cannot get deps for ${formatDev(info)}.`);
      return undefined;
    }
  }
  let treeNode;
  if (report.tree) {
    treeNode = report.tree.find(info);
    if (!treeNode) {
      context.error(`Cannot find node ${formatDev(info)}.`);
      return undefined;
    }
  }
  const readAhead = (): number | undefined => readAheadOf(info, context.nodePath(info.name), (line) => context.error(line));
  const data = { info, deps, tree: report.tree, treeNode, readAhead, nameMangling: context.nameMangling };
  const values: FieldValue[] = [];
  for (const column of report.columns) {
    const value = deviceFieldValue(column.def, data, (line) => context.error(line));
    if (!value) {
      context.error(`_do_report_object: report function failed for field ${column.def.id}`);
      return undefined;
    }
    values.push(value);
  }
  return values;
}

/** A device's state as tsdmsetup's --json shows it (DeviceInfo plus its read-ahead, null when unknown). */
export function infoJson(info: DeviceInfo, readAhead: number | undefined): Record<string, unknown> {
  // Field by field, so the document keeps its schema (cli/json-schemas.ts) whatever DeviceInfo gains.
  const { name, uuid, major, minor, openCount, eventNr, targetCount, suspended, readOnly, liveTable, inactiveTable, deferredRemove, internalSuspend } = info;
  return { name, uuid, major, minor, openCount, eventNr, targetCount, suspended, readOnly, liveTable, inactiveTable, deferredRemove, internalSuspend, readAhead: readAhead ?? null };
}
