/**
 * A device argument that contains `/` names a device node, as in dmsetup (libdm's
 * _dm_task_set_name_from_path): `/dev/mapper/vg-lv`, `/dev/dm-3`, or `vg/lv` for `/dev/vg/lv`.
 * This turns such a path into the device-mapper name the kernel knows, or dmsetup's error line,
 * so a library user can address a device by its node too.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as check from '../arguments/checks.js';

/** The device-mapper name for `path`, or dmsetup's `Device … not found` line. */
export function nameFromPath(path: string, mapperDir: string): { name: string } | { error: string } {
  check.text(path, 'Argument 1 of nameFromPath()');
  check.text(mapperDir, 'Argument 2 of nameFromPath()');
  const base = path.slice(path.lastIndexOf('/') + 1);
  let rdev = rdevOf(path);
  if (rdev === undefined) {
    // Only `vg/lv`-like relative paths get a second chance, under /dev.
    if (path.length < 3 || path.startsWith('/') || path.split('/').length !== 2) return { error: `Device ${path} not found` };
    rdev = rdevOf(join(mapperDir, '..', path));
    if (rdev === undefined) return { error: `Device ${path} not found` };
  } else if (rdev !== NOT_A_DEVICE && rdevOf(join(mapperDir, base)) === rdev) {
    return { name: base };
  }
  // A file that is not a device node (rdev 0) names no device, whatever sits in /dev/mapper.
  const found = rdev === NOT_A_DEVICE ? undefined : findMapperEntry(mapperDir, rdev);
  return found !== undefined ? { name: found } : { error: `Device ${base} not found` };
}

const NOT_A_DEVICE = 0n;

function rdevOf(path: string): bigint | undefined {
  try {
    return statSync(path, { bigint: true }).rdev;
  } catch {
    return undefined;
  }
}

/** The /dev/mapper entry whose device number is `rdev` (libdm's _find_dm_name_of_device). */
function findMapperEntry(mapperDir: string, rdev: bigint): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(mapperDir);
  } catch {
    return undefined;
  }
  return entries.find((entry) => rdevOf(join(mapperDir, entry)) === rdev);
}
