/**
 * Why a TABLE_LOAD failed with ENXIO or ENODEV, when the reason is a device the table names: a
 * path that does not exist (ENODEV from dm_get_device's lookup), a path that is not a block
 * device, or a `major:minor` (or a node for one) that no block device has (ENXIO when it is
 * opened). The kernel says only the errno; this names the device. libdm has no counterpart.
 */
import { existsSync, statSync } from 'node:fs';
import type { DevNumber } from '../device/device-id.js';
import { formatDev, glibcSplitDev } from '../device/devt.js';
import type { TableRow } from '../table/table.js';
import { tableDevices, type DevicesOf } from '../table/table-devices.js';
import * as check from '../arguments/checks.js';

/** What the host says about a path: missing, not a block device, or the block device number it is a node of. */
export type PathState = { kind: 'missing' } | { kind: 'not-block' } | { kind: 'block'; dev: DevNumber };

/** The host lookups the hint needs (host tests pass their own). */
export interface DeviceProbe {
  /**
   * What is at `path`: nothing, something that is not a block device, or a block device node (with
   * its number).
   */
  path(path: string): PathState;
  /** True when a block device `dev` exists (`/sys/dev/block/M:m`). */
  blockDeviceExists(dev: DevNumber): boolean;
}

/** The real host: stat(2) and /sys/dev/block. */
export const hostProbe: DeviceProbe = {
  path(path) {
    try {
      const stats = statSync(path);
      return stats.isBlockDevice() ? { kind: 'block', dev: glibcSplitDev(stats.rdev) } : { kind: 'not-block' };
    } catch {
      return { kind: 'missing' };
    }
  },
  blockDeviceExists(dev) {
    return existsSync(`/sys/dev/block/${formatDev(dev)}`);
  },
};

/** Why one device named in a table cannot be used, or undefined when it looks fine. */
function problemWith(ref: ReturnType<typeof tableDevices>[number], probe: DeviceProbe): string | undefined {
  if (ref.kind === 'number') {
    return probe.blockDeviceExists(ref.dev) ? undefined : `${ref.text} (no block device has that number)`;
  }
  const state = probe.path(ref.path);
  if (state.kind === 'missing') return `${ref.path} (no such file)`;
  if (state.kind === 'not-block') return `${ref.path} (not a block device)`;
  return probe.blockDeviceExists(state.dev) ? undefined : `${ref.path} (a node for ${formatDev(state.dev)}, which no block device has)`;
}

/**
 * For a TABLE_LOAD that failed with ENXIO or ENODEV: a hint naming the devices in `rows` that do
 * not exist, e.g. `the table names a device that does not exist: /dev/sdz (no such file)`; undefined
 * when every device the rows name exists (the errno is then about something else, such as the
 * loaded device itself).
 */
export function missingDeviceHint(
  rows: readonly TableRow[],
  options: { probe?: DeviceProbe; devicesOf?: DevicesOf } = {},
): string | undefined {
  check.rows(rows, 'Argument 1 of missingDeviceHint()');
  const probe = options.probe ?? hostProbe;
  const problems = tableDevices(rows, options.devicesOf)
    .map((ref) => problemWith(ref, probe))
    .filter((problem): problem is string => problem !== undefined);
  if (problems.length === 0) return undefined;
  return problems.length === 1
    ? `the table names a device that does not exist: ${problems[0]}`
    : `the table names devices that do not exist: ${problems.join(', ')}`;
}
