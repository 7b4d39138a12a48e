/**
 * `table` and `status` (and `ls --target`/`--exec`), dmsetup's _status: one line per target,
 * `<start> <length> <type> <params>`; `NAME: ` before each line when several devices are shown;
 * an empty line for a device without a table. `--target T` keeps T's targets only, `--inactive`
 * shows the inactive table, `--noflush` asks without flushing, `-v` adds the info block.
 * `table` hides crypt and integrity keys unless --showkeys, and `--concise` prints every device on
 * one line (`name,uuid,minor,rw|ro,<target>,…;…`). A missing device: `status` says
 * `Device does not exist.`, `table` prints the ioctl error.
 *
 * --json prints `{"devices": [{"name": string, "rows": [{"start", "length", "type", "params"}]}]}`
 * (params as `table`/`status` would print them; for `status` the status text, kept under
 * `params` though the library's StatusRow has it in `status`); `ls --target --json` prints
 * `{"devices": [{"name", "major", "minor"}]}`.
 */
import { isDmError, type DeviceId, type TableQueryResult, type TargetReply } from '../../lib/index.js';
import type { CliContext, CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { namedOrEveryDevice } from '../each-device.js';
import { execForDevice } from '../exec-command.js';
import { formatConciseDevice, formatLsTargetLine, formatTargetLine, hideKeys } from '../format.js';
import { displayInfo } from '../info-display.js';

type StatusKind = 'table' | 'status' | 'measure' | 'ls';

/** A command that prints each named device's (or every device's) rows of `kind`; repeatable with --count/--interval. */
function targetsCommand(name: 'table' | 'status' | 'measure'): CommandSpec {
  return { name, minArgs: 0, maxArgs: -1, repeatable: 2, run: (context) => showTargets(context, name) };
}

export const tableCommand = targetsCommand('table');
export const statusCommand = targetsCommand('status');
/** `measure`: status with DM_IMA_MEASUREMENT_FLAG (the targets' IMA text; empty for targets without one). */
export const measureCommand = targetsCommand('measure');

/** table, status, or `ls --target/--exec` (status lines reduced to one `NAME\t(M, m)` line). */
export async function showTargets(context: CliContext, kind: StatusKind): Promise<void> {
  if (context.options.json) context.json ??= { devices: [] };
  await namedOrEveryDevice(context, (name) => showDevice(context, kind, name));
}

function showDevice(context: CliContext, kind: StatusKind, name: string | undefined): void {
  const { options } = context;
  const id = taskDevice(context, name);
  const { info, rows } = query(context, kind, id);
  const shownName = name ?? info.name;
  const wanted = rows.filter((row) => options.target === undefined || row.type === options.target);
  const showKeys = kind !== 'table' || Boolean(options.showkeys);
  const params = (row: TargetReply): string => (showKeys ? row.params : hideKeys(row.type, row.params));
  // A device without a table still shows once (an empty line), unless only some targets are wanted.
  const matched = options.target === undefined || wanted.length > 0;
  if (!matched) return;
  if (options.json) {
    context.jsonItem(
      'devices',
      kind === 'ls'
        ? { name: shownName, major: info.major, minor: info.minor }
        : { name: shownName, rows: wanted.map((row) => ({ ...row, params: params(row) })) },
    );
  } else if (options.exec === undefined || options.verbose > 0) {
    if (kind === 'ls') context.print(formatLsTargetLine(shownName, info));
    else if (options.concise && kind === 'table') printConcise(context, shownName, info, wanted, showKeys);
    else printLines(context, shownName, info, wanted.map((row) => formatTargetLine({ ...row, params: params(row) })));
  }
  if (options.exec !== undefined && !execForDevice(context, shownName)) context.fail();
}

/** The device's rows; a status row's text in `params`, where dmsetup prints it (and --json has always had it). */
function query(context: CliContext, kind: StatusKind, id: DeviceId): TableQueryResult {
  const queryOptions = { inactive: Boolean(context.options.inactive), noFlush: context.noFlush, imaMeasurement: kind === 'measure' };
  try {
    // Keys become strings only when they are to be printed (--showkeys); else the library keeps them in Buffers it wipes.
    if (kind === 'table') return disposingKeys(context.dm().table(id, { ...queryOptions, showKeys: Boolean(context.options.showkeys) }));
    const { info, rows } = context.dm().status(id, queryOptions);
    return { info, rows: rows.map(({ start, length, type, status }) => ({ start, length, type, params: status })) };
  } catch (error) {
    // libdm counts ENXIO on a status query as "no such device", not as an ioctl error.
    if (kind !== 'table' && isDmError(error, 'ENXIO')) return context.fail('Device does not exist.');
    throw error;
  }
}

/** The result with its rows' keys (read into SecretKeys when not shown) wiped and dropped at once: only the zeros in `params` are printed. */
function disposingKeys(result: TableQueryResult): TableQueryResult {
  const rows = result.rows.map(({ secret, ...row }) => {
    secret?.dispose();
    return row;
  });
  return { info: result.info, rows };
}

function printLines(context: CliContext, name: string, info: TableQueryResult['info'], lines: string[]): void {
  const verbose = context.options.verbose > 0;
  if (verbose) displayInfo(context, info);
  const prefix = context.multipleDevices && !verbose ? `${name}: ` : '';
  for (const line of lines.length > 0 ? lines : ['']) context.print(prefix + line);
  if (context.multipleDevices && verbose) context.print('');
}

function printConcise(context: CliContext, name: string, info: TableQueryResult['info'], rows: TargetReply[], showKeys: boolean): void {
  if (context.conciseOutputProduced) context.stdout.write(';');
  context.conciseOutputProduced = true;
  context.stdout.write(formatConciseDevice(name, info, rows, showKeys));
  if (context.multipleDevices && context.options.verbose > 1) context.print('');
}
