/**
 * The DmError of a failed ioctl, in libdevmapper's words (`device-mapper: remove ioctl on vg-lv
 * failed: Device or resource busy`), with the address as sent and the kernel's log lines.
 */
import { describeDevice } from '../device/names.js';
import type { NameCodec } from '../names/name-codec.js';
import { DmError, type SentAddress } from '../errors.js';
import { errnoName, strerror } from '../sys/errno.js';
import { ioctlHint } from './commands.js';
import type { DmCommandName } from '../../native-defs/index.js';
import type { DevNumber, DeviceId } from '../device/device-id.js';

/** What of a request (an IoctlSpec) its error names. */
export interface FailedRequest {
  /** The ioctl. */
  command: DmCommandName;
  /** libdevmapper's name for the operation. */
  operation: string;
  /** The device addressed, if any. */
  device?: DeviceId | undefined;
  /** The name field when no device is addressed (a create's new name). */
  name?: string | undefined;
  /** The uuid field when no device is addressed. */
  uuid?: string | undefined;
  /** The dev field when no device is addressed. */
  dev?: DevNumber | undefined;
  /** How to name the device when the request does not. */
  label?: { name?: string; uuid?: string } | undefined;
}

/** What a request carried to address the device, as sent (mangled), for the error (made only when one failed). */
function sentAddress(spec: FailedRequest, names: NameCodec): SentAddress {
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

/** The error of `spec`'s ioctl that the kernel refused with `errno`. */
export function failure(spec: FailedRequest, errno: number, names: NameCodec, kernelLog?: string[]): DmError {
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
