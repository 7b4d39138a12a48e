/**
 * The header fields of a request as the exchange loop (./dm-ioctl.ts) sends them: a pure function
 * of the request (./spec.ts), no I/O.
 */
import { DmFlag } from '../../native-defs/index.js';
import { encodeKernelDev } from '../device/devt.js';
import type { DevNumber } from '../device/device-id.js';
import { validateDeviceId, validateName } from '../device/names.js';
import type { NameCodec } from '../names/name-codec.js';
import type { RequestHeader } from './codec.js';
import type { CommandRecord } from './commands.js';
import type { IoctlSpec } from './spec.js';

/** The header fields of a request. Device names and uuids go out mangled (a create's too; a target type's name as it is). */
export function requestHeader(spec: IoctlSpec, flags: number, command: CommandRecord, names: NameCodec): RequestHeader {
  const creates = spec.command === 'DEV_CREATE';
  let name = spec.name !== undefined && creates ? names.toKernel(spec.name, 'name') : (spec.name ?? '');
  let uuid = spec.uuid !== undefined && creates ? names.toKernel(spec.uuid, 'UUID') : (spec.uuid ?? '');
  let number: DevNumber | undefined = spec.dev;
  if (spec.device) {
    // By name alone, the usual address: validateDeviceId's key count without its array.
    if (typeof spec.device.name === 'string' && !('uuid' in spec.device) && !('major' in spec.device)) validateName(spec.device.name);
    else validateDeviceId(spec.device);
    const device = names.deviceId(spec.device);
    if (device.name !== undefined) name = device.name;
    else if (device.uuid !== undefined) uuid = device.uuid;
    else number = device;
  }
  return {
    version: command.minVersion,
    // The kernel looks a device up by dev only with PERSISTENT_DEV set; create honours the minor then.
    flags: number ? flags | DmFlag.PERSISTENT_DEV : flags,
    eventNr: spec.eventNr ?? 0,
    dev: number ? encodeKernelDev(number) : 0n,
    name,
    uuid,
  };
}
