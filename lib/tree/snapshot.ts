/**
 * An LVM-style snapshot of a live device as a transaction (what lvcreate -s does through libdm's
 * deptree): the origin's table moves to a new `<origin>-real` device, the origin is reloaded as
 * `snapshot-origin` over it, and the snapshot is made over `-real` and a new COW device. A second
 * snapshot of an origin that is one already reuses its `-real`.
 */
import type { DeviceId } from '../device/device-id.js';
import { invalidArgument } from '../errors.js';
import type { MapperVerbs } from '../handle/mapper-verbs.js';
import type { TableRow } from '../table/table.js';
import { exactCount, tableSizeBig } from '../targets/units.js';
import { DeviceTransaction } from './transaction.js';
import * as check from '../arguments/checks.js';

/**
 * What `liveSnapshot(dm, options)` needs: the live origin, the snapshot's name and its COW table;
 * the rest has LVM's defaults.
 */
export interface LiveSnapshotOptions {
  /** The live device to take a snapshot of. */
  origin: DeviceId;
  /** The snapshot's name. */
  name: string;
  /** The COW device's table (its first 4 KiB must be zeroes for a new persistent snapshot). */
  cow: readonly TableRow[];
  /** Chunk size in sectors, a power of two (default 8: 4 KiB). */
  chunkSectors?: number;
  /** Keep the exceptions on the COW across reboots ('P', default) or not ('N'). */
  persistent?: boolean;
  /** Name of the device that takes the origin's table (default `<origin>-real`). */
  realName?: string;
  /** Name of the COW device (default `<name>-cow`). */
  cowName?: string;
}

/** The transaction that takes the snapshot; add to it if needed, then commit() or commitAsync(). */
export function liveSnapshot(dm: MapperVerbs, options: LiveSnapshotOptions): DeviceTransaction {
  check.mapper(dm, 'Argument 1 of liveSnapshot()');
  check.object(options, 'Argument 2 of liveSnapshot()');
  const { info, rows } = dm.table(options.origin);
  if (rows.length === 0) throw invalidArgument(`${info.name} has no live table to take a snapshot of`);
  const sectors = exactCount(tableSizeBig(rows));
  const chunk = options.chunkSectors ?? 8;
  const cowName = options.cowName ?? `${options.name}-cow`;
  const tx = new DeviceTransaction(dm).create(cowName, options.cow);
  const isOrigin = rows.length === 1 && rows[0]!.type === 'snapshot-origin';
  const real = isOrigin ? rows[0]!.params.trim() : (options.realName ?? `${info.name}-real`);
  const snapshotRow = (dev: (name: string) => string): TableRow[] => [
    {
      start: 0,
      length: sectors,
      type: 'snapshot',
      params: `${isOrigin ? real : dev(real)} ${dev(cowName)} ${options.persistent === false ? 'N' : 'P'} ${chunk}`,
    },
  ];
  // The origin is held while the new snapshot goes live, so that it starts from a quiet origin.
  if (isOrigin) return tx.create(options.name, snapshotRow).suspend({ major: info.major, minor: info.minor });
  return tx
    .create(real, rows)
    .create(options.name, snapshotRow)
    .reload({ major: info.major, minor: info.minor }, (dev) => [{ start: 0, length: sectors, type: 'snapshot-origin', params: dev(real) }]);
}
