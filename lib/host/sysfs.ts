/** Names sysfs gives block devices (libdevmapper's dm_device_get_name), for deps -o and ls -o. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import type { DevNumber } from '../device/devt.js';
import * as check from '../arguments/checks.js';

/**
 * The name sysfs gives block device `dev` (libdevmapper's dm_device_get_name): the kernel name
 * (`dm-3`, `loop0`, `sda1`), or with `preferKernelName` false the device-mapper name of a DM
 * device. Undefined when sysfs does not know the device (a DM device that never had a table).
 */
export function blockDeviceName(dev: DevNumber, preferKernelName = true): string | undefined {
  check.devNumber(dev, 'Argument 1 of blockDeviceName()');
  const sysfs = `/sys/dev/block/${dev.major}:${dev.minor}`;
  if (!preferKernelName) {
    try {
      return readFileSync(`${sysfs}/dm/name`, 'utf8').replace(/\n$/, '');
    } catch {
      // not a device-mapper device: its kernel name, as libdevmapper falls back to
    }
  }
  try {
    return basename(readlinkSync(sysfs));
  } catch {
    return findKernelName(dev);
  }
}

/** libdevmapper's fallback when /sys/dev/block has no link: the /sys/block disk or partition whose `dev` matches. */
function findKernelName({ major, minor }: DevNumber): string | undefined {
  const wanted = `${major}:${minor}`;
  const devOf = (dir: string): string | undefined => {
    try {
      return readFileSync(`${dir}/dev`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  let disks: string[];
  try {
    disks = readdirSync('/sys/block');
  } catch {
    return undefined;
  }
  for (const disk of disks) {
    if (devOf(`/sys/block/${disk}`) === wanted) return disk;
    let entries: string[] = [];
    try {
      entries = readdirSync(`/sys/block/${disk}`);
    } catch {
      // a disk that vanished meanwhile
    }
    const partition = entries.find((entry) => entry.startsWith(disk) && devOf(`/sys/block/${disk}/${entry}`) === wanted);
    if (partition) return partition;
  }
  return undefined;
}
