/**
 * The kernel's own uevents on device-mapper disks, for `events()`: a NETLINK_KOBJECT_UEVENT socket
 * bound to the kernel's group (1), and a parser for its messages, `ACTION@DEVPATH\0KEY=VALUE\0...`
 * (no udevd header: lib/udev/uevent-socket.ts reads udevd's group 2). libdm has no counterpart;
 * udevd's own reader is sd-device's device_monitor_receive_device().
 *
 * What Linux 6.1 sends for a dm disk (measured in the VM, dmsetup 1.02.185):
 * - `add` when its first table is loaded (the gendisk is registered then, not at create);
 * - `change` after every resume that ends a suspension (same table, new table: RESIZE=1 when the
 *   size changed) and after every rename, both with only DM_COOKIE added (when the caller gave one);
 * - `change` with DM_TARGET/DM_ACTION (e.g. multipath PATH_FAILED) when a target raises an event;
 * - `remove` twice when it is removed (dm's own, with DM_COOKIE, then the gendisk's);
 * - nothing for a suspend, a table load after the first, or a message that raises no event.
 */
import { UeventGroup } from '../../native-defs/index.js';
import { UeventSocket } from '../udev/uevent-socket.js';

/** One kernel uevent as sent. */
export interface KernelUevent {
  /** `add`, `remove`, `change`, `move`, `online`, `offline`, `bind`, `unbind`. */
  action: string;
  /** The sysfs path, e.g. `/devices/virtual/block/dm-0`. */
  devpath: string;
  /** Every KEY=VALUE (ACTION, DEVPATH, SUBSYSTEM and SEQNUM included). */
  properties: Map<string, string>;
}

/** What the event stream takes from a uevent on a dm disk. */
export interface DmUevent {
  action: string;
  major: number;
  minor: number;
  /** DM_ACTION of a target's uevent (multipath's PATH_FAILED, ...); undefined for dm core's own. */
  targetAction: string | undefined;
  /** Written to sysfs with arguments (`echo "change UUID" > uevent`, `udevadm trigger --uuid`): no kernel change. */
  synthetic: boolean;
}

/** The longest kernel uevent: UEVENT_BUFFER_SIZE (2048) plus the `ACTION@DEVPATH` header. */
const MESSAGE_MAX = 8192;
const UDEV_PREFIX = 'libudev\0';

/** A kernel uevent's parts; undefined for anything else (a udevd message, no `@` header, no devpath). */
export function parseKernelUevent(message: Buffer): KernelUevent | undefined {
  if (message.length === 0 || message.length > MESSAGE_MAX) return undefined;
  if (message.toString('latin1', 0, UDEV_PREFIX.length) === UDEV_PREFIX) return undefined;
  const parts = message.toString('utf8').split('\0');
  const header = parts[0]!;
  const at = header.indexOf('@');
  if (at <= 0 || header[at + 1] !== '/') return undefined;
  const action = header.slice(0, at);
  const devpath = header.slice(at + 1);
  const properties = new Map<string, string>();
  for (const entry of parts.slice(1)) {
    const equals = entry.indexOf('=');
    if (equals > 0) properties.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  // The header and the properties say the same thing in a real message.
  if ((properties.get('ACTION') ?? action) !== action || (properties.get('DEVPATH') ?? devpath) !== devpath) return undefined;
  return { action, devpath, properties };
}

const DM_DISK = /^dm-\d+$/;
const NUMBER = /^\d+$/;

/** The uevent when it is about a device-mapper disk (block, DEVNAME dm-N, with its dev_t); else undefined. */
export function dmUeventOf(uevent: KernelUevent): DmUevent | undefined {
  const { properties } = uevent;
  if (properties.get('SUBSYSTEM') !== 'block' || properties.get('DEVTYPE') !== 'disk') return undefined;
  if (!DM_DISK.test(properties.get('DEVNAME') ?? '')) return undefined;
  const major = properties.get('MAJOR') ?? '';
  const minor = properties.get('MINOR') ?? '';
  if (!NUMBER.test(major) || !NUMBER.test(minor)) return undefined;
  return {
    action: uevent.action,
    major: Number(major),
    minor: Number(minor),
    targetAction: properties.get('DM_ACTION'),
    synthetic: properties.has('SYNTH_UUID'),
  };
}

/**
 * The kernel-group socket, open while a stream needs it. `open()` returns undefined when the
 * kernel refuses it (no netlink in a sandbox, a seccomp filter): the stream then relies on the
 * control fd's event counter alone. In a network namespace owned by another user namespace (a
 * rootless container) the socket opens but the kernel sends it no device uevents, with the same
 * outcome. Anyone may bind the kernel group; only CAP_NET_ADMIN can send to it.
 */
export class KernelUevents {
  private constructor(private readonly socket: UeventSocket) {}

  static open(): KernelUevents | undefined {
    try {
      return new KernelUevents(new UeventSocket(UeventGroup.KERNEL));
    } catch {
      return undefined;
    }
  }

  /** The socket's fd, for the poll thread. */
  get fd(): number {
    return this.socket.descriptor;
  }

  /** Every queued uevent on a dm disk, oldest first; others are read and dropped. */
  drain(): DmUevent[] {
    const found: DmUevent[] = [];
    try {
      for (let message = this.socket.receiveRaw(); message; message = this.socket.receiveRaw()) {
        const uevent = parseKernelUevent(message);
        const dm = uevent && dmUeventOf(uevent);
        if (dm) found.push(dm);
      }
    } catch {
      // a recv error other than "empty" or "overflowed": what was read counts, the looks go on
    }
    return found;
  }

  close(): void {
    this.socket.close();
  }
}
