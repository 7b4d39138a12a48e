/**
 * One request as the exchange loop (./dm-ioctl.ts) takes it, its header fields as sent, and the
 * DmError of a failed ioctl: pure functions of the request, no I/O.
 */
import { DmFlag, type DmCommandName } from '../../native-defs/index.js';
import { encodeKernelDev } from '../device/devt.js';
import type { DevNumber, DeviceId } from '../device/device-id.js';
import { describeDevice, validateDeviceId, validateName } from '../device/names.js';
import type { NameCodec } from '../names/name-codec.js';
import { DmError, type SentAddress } from '../errors.js';
import { errnoName, strerror } from '../sys/errno.js';
import type { RequestHeader, RequestPayload } from './codec.js';
import { ioctlHint, type CommandRecord } from './commands.js';

/** One request: the command, how the device is addressed, flags and payload. */
export interface IoctlSpec {
  /** The ioctl to send (`DEV_REMOVE`, `TABLE_LOAD`, …). */
  command: DmCommandName;
  /** libdevmapper's name for the operation (`remove`, `table`, `resume`…), used in messages. */
  operation: string;
  /** The device the request is about, when it is about one. */
  device?: DeviceId | undefined;
  /** Name field without addressing a device: the new device's name, or a target type name. */
  name?: string | undefined;
  /** Uuid field without addressing a device: the new device's uuid. */
  uuid?: string | undefined;
  /** dev field without addressing a device: the persistent number asked for on create. */
  dev?: DevNumber | undefined;
  /** DM_*_FLAG bits to set (DmFlag); each command refuses bits outside its allow-list. */
  flags?: number | undefined;
  /**
   * The `event_nr` field: the event to wait past (DEV_WAIT) or, for commands that carry one, the
   * udev cookie and flags.
   */
  eventNr?: number | undefined;
  /**
   * What follows the header: table rows, a message, a new name or uuid, a geometry string; none for
   * most commands.
   */
  payload?: RequestPayload | undefined;
  /** Zero the buffer after use (tables with keys). */
  secure?: boolean | undefined;
  /** How long to wait for udev after this request, in ms (default: the handle's). */
  udevTimeoutMs?: number | undefined;
  /**
   * How to name the device in an error message when the request itself does not (libdevmapper
   * names the device of a dev_t-addressed load inside create by its name).
   */
  label?: { name?: string; uuid?: string } | undefined;
}

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

/** What a request carried to address the device, as sent (mangled), for the error (made only when one failed). */
function sentAddress(spec: IoctlSpec, names: NameCodec): SentAddress {
  const device = spec.device;
  const number = device && device.name === undefined && device.uuid === undefined ? device : spec.dev;
  const sent = (value: string, what: 'name' | 'UUID'): string => {
    try {
      return names.toKernel(value, what);
    } catch {
      return value; // a label the mangling refuses: the ioctl's own error matters more
    }
  };
  return {
    name: sent(device?.name ?? (spec.name || (spec.label?.name ?? '')), 'name'),
    uuid: device?.uuid !== undefined ? sent(device.uuid, 'UUID') : spec.uuid || (spec.label?.uuid ?? ''),
    major: number?.major ?? 0,
    minor: number?.minor ?? 0,
  };
}

/** The DmError of a failed ioctl: what was sent, the errno's name and words, and a hint. */
export function failure(spec: IoctlSpec, errno: number, names: NameCodec, kernelLog?: string[]): DmError {
  const sent = sentAddress(spec, names);
  const target = spec.device ? describeDevice(spec.device) : sent.name || sent.uuid;
  const code = errnoName(errno);
  return new DmError(`device-mapper: ${spec.operation} ioctl${target ? ` on ${target}` : ''} failed: ${strerror(errno)}`, {
    kind: 'ioctl',
    code,
    errno,
    command: spec.command,
    operation: spec.operation,
    device: spec.device,
    sent,
    hint: ioctlHint(spec.command, code),
    kernelLog,
  });
}
