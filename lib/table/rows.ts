/**
 * Table rows and status rows as different types, so status text can never be parsed as params:
 * a `StatusRow` carries `kind: 'status'` and its text in `status`, a `TableRow` its text in
 * `params`. `parseTableRow`/`parseStatusRow` look the row's type up in the target registry
 * (libdm's dm_get_next_target gives both as one untyped `params` string). `decodeInfoAndStatus`
 * makes StatusRows of a status or event-wait reply, so `status()` never hands out params.
 */
import type { DeviceInfo } from '../device/device-info.js';
import { invalidArgument } from '../errors.js';
import { decodeTargets, type ReplyHeader } from '../ioctl/codec.js';
import { deviceInfoFromHeader } from '../ioctl/decoders.js';
import type { TableRow } from './table.js';
import { rawTarget, Target, type TargetLike, type TargetType } from '../targets/target.js';
import { targetType } from '../targets/registry.js';
import type { Sectors } from '../targets/units.js';
import { rows as rowsShape } from '../arguments/checks.js';
import { parseSecretRow } from './secret-rows.js';

/**
 * One row of a device's status (`dmsetup status`), as `status()` and `waitEvent()` give it. Not a
 * TableRow: it has no params, and load/parseTableRow refuse it. Typed by its target:
 *
 * ```ts
 * const [row] = dm.status({ name: 'pool' }).rows;
 * const pool = parseStatusRow(row!, thinPool).status; // ThinPoolStatus (DmError for another type)
 * if (pool.state === 'ok') console.log(`${pool.data.used}/${pool.data.total} data blocks`);
 * ```
 */
export interface StatusRow {
  /** Tells a StatusRow from a TableRow, so status text is never taken for params. */
  readonly kind: 'status';
  /** In 512-byte sectors (a bigint past 2^53). */
  readonly start: Sectors;
  /** In 512-byte sectors (a bigint past 2^53). */
  readonly length: Sectors;
  /** The target type. */
  readonly type: string;
  /** The target's status text, as `dmsetup status` shows it. */
  readonly status: string;
}

/** A StatusRow from what the kernel replied to a status query (`{ start, length, type, params }`). */
export function statusRow(reply: { start: Sectors; length: Sectors; type: string; params: string }): StatusRow {
  rowsShape([{ ...reply }], 'The reply given to statusRow');
  return { kind: 'status', start: reply.start, length: reply.length, type: reply.type, status: reply.params };
}

/** The decoder of a status query's or an event wait's reply: the device's state and its StatusRows. */
export function decodeInfoAndStatus(buffer: Buffer, header: ReplyHeader): { info: DeviceInfo; rows: StatusRow[] } {
  return { info: deviceInfoFromHeader(header), rows: decodeTargets(buffer, header).map(statusRow) };
}

/** A status of a type the library does not model (or that reports nothing typed): its text. */
export interface RawStatus {
  /** The target type. */
  readonly type: string;
  /** The status text, as the kernel gave it. */
  readonly raw: string;
}

/** A parsed status row: the row's place and type, and its status typed when the type is modelled. */
export interface ParsedStatusRow<Status = unknown> {
  /** The row's first sector (512-byte sectors; a bigint past 2^53). */
  readonly start: Sectors;
  /** The row's length, in 512-byte sectors (a bigint past 2^53). */
  readonly length: Sectors;
  /** The target type. */
  readonly type: string;
  /** The typed status (e.g. ThinPoolStatus), or a RawStatus for a type without a status parser. */
  readonly status: Status;
}

/** A parsed table row: a typed Target when the type is modelled, else a raw target. */
export interface ParsedTableRow<Params = unknown> {
  /** The row's first sector (512-byte sectors; a bigint past 2^53). */
  readonly start: Sectors;
  /** The row's length, in 512-byte sectors (a bigint past 2^53). */
  readonly length: Sectors;
  /** The typed target (its `params` are the builder's fields), or a raw target whose `params` is the text. */
  readonly target: Target<Params> | (TargetLike & { readonly params: string });
}

function checkRow(row: unknown, field: 'params' | 'status'): void {
  if (typeof row !== 'object' || row === null) throw invalidArgument('A row must be an object');
  const value = (row as Record<string, unknown>)[field];
  if (typeof value !== 'string') throw invalidArgument(`A ${field === 'status' ? 'status row' : 'table row'} needs its text in "${field}"`);
}

/**
 * A table row parsed by its target type: `parseTableRow(row, thinPool)` gives Target<ThinPoolParams>
 * (refused when the row is of another type); `parseTableRow(row)` looks the type up and keeps an
 * unknown type raw.
 */
export function parseTableRow<P>(row: TableRow, kind: TargetType<P, unknown>): ParsedTableRow<P> & { target: Target<P> };
export function parseTableRow(row: TableRow): ParsedTableRow;
export function parseTableRow(row: TableRow, kind?: TargetType<unknown, unknown>): ParsedTableRow {
  // Before the params check: a StatusRow has none, and the error should say what it is.
  if ((row as unknown as StatusRow | undefined)?.kind === 'status') {
    throw invalidArgument('parseTableRow got a status row (from status()): status text cannot be parsed as table params; use parseStatusRow');
  }
  checkRow(row, 'params');
  const found = kind ?? targetType(row.type);
  if (kind && row.type !== kind.type) throw invalidArgument(`The row is a ${row.type} target, not ${kind.type}`);
  // A row with keys (`secret`) is parsed without a string of them; its SecretKeys go to the target as they are.
  const parsed = found && (row.secret ? parseSecretRow(found, row.secret) : found.parse(row.params));
  const target = found ? new Target<unknown>(found, parsed as object) : rawTarget(row.type, row.params);
  return { start: row.start, length: row.length, target };
}

/**
 * A status row parsed by its target type: `parseStatusRow(row, thinPool)` gives ThinPoolStatus
 * (refused when the row is of another type); `parseStatusRow(row)` looks the type up and gives a
 * RawStatus for a type without a status parser.
 */
export function parseStatusRow<S>(row: StatusRow, kind: TargetType<unknown, S>): ParsedStatusRow<S>;
export function parseStatusRow(row: StatusRow): ParsedStatusRow;
export function parseStatusRow(row: StatusRow, kind?: TargetType<unknown, unknown>): ParsedStatusRow {
  checkRow(row, 'status');
  if (row.kind !== 'status') throw invalidArgument('parseStatusRow needs a StatusRow (kind "status")');
  if (kind && row.type !== kind.type) throw invalidArgument(`The row is a ${row.type} target, not ${kind.type}`);
  const found = kind ?? targetType(row.type);
  const status: unknown = found?.parseStatus ? found.parseStatus(row.status) : ({ type: row.type, raw: row.status } satisfies RawStatus);
  return { start: row.start, length: row.length, type: row.type, status };
}
