/**
 * The DmError of a failed ioctl, in libdevmapper's words (`device-mapper: remove ioctl on vg-lv
 * failed: Device or resource busy`), with the address as sent and the kernel's log lines.
 */
import { describeDevice } from '../device/names.js';
import type { NameCodec } from '../names/name-codec.js';
import { DmError, type SentAddress } from '../errors.js';
import { errnoName, strerror } from '../sys/errno.js';
import { ioctlHint } from './commands.js';
import type { IoctlSpec } from './spec.js';

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

/** The error of `spec`'s ioctl that the kernel refused with `errno`. */
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
