/** A DeviceInfo as the kernel reports a live, active, writeable device, for host-side tests. */
import type { DeviceInfo } from '../../lib/index.js';

/** A live device `name` at 254:`minor` (UML's device-mapper major), with `extra` fields overriding. */
export function liveDevice(name: string, minor: number, extra: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    name,
    uuid: '',
    major: 254,
    minor,
    openCount: 0,
    eventNr: 0,
    targetCount: 1,
    suspended: false,
    readOnly: false,
    liveTable: true,
    inactiveTable: false,
    deferredRemove: false,
    internalSuspend: false,
    ...extra,
  };
}
