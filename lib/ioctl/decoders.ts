/**
 * The decoders the verbs pass to the exchange loop, named once (the same `header -> DeviceInfo`
 * step served eight verbs as an inline lambda each).
 */
import { DmFlag } from '../../native-defs/index.js';
import type { DeviceInfo } from '../device/device-info.js';
import type { DevNumber } from '../device/device-id.js';
import { decodeDeps, decodeTargets, type ReplyHeader, type TargetReply } from './codec.js';
import { devWord, kernelMajor, kernelMinor } from './reply.js';

/** A device's state, from any reply header that describes a device. */
export function deviceInfoFromHeader(header: ReplyHeader): DeviceInfo {
  const flags = header.flags;
  const dev = devWord(header); // no BigInt, no spread: this runs once per info()
  const name = header.name;
  const uuid = header.uuid;
  const info: DeviceInfo = {
    name,
    uuid,
    major: kernelMajor(dev),
    minor: kernelMinor(dev),
    openCount: header.openCount,
    eventNr: header.eventNr,
    targetCount: header.targetCount,
    suspended: (flags & DmFlag.SUSPEND) !== 0,
    readOnly: (flags & DmFlag.READONLY) !== 0,
    liveTable: (flags & DmFlag.ACTIVE_PRESENT) !== 0,
    inactiveTable: (flags & DmFlag.INACTIVE_PRESENT) !== 0,
    deferredRemove: (flags & DmFlag.DEFERRED_REMOVE) !== 0,
    internalSuspend: (flags & DmFlag.INTERNAL_SUSPEND) !== 0,
  };
  // Bytes that are not UTF-8 decode to U+FFFD: a string without one came from valid UTF-8, whose
  // bytes the string keeps (the common case skips the scan and the copy).
  if (name.includes('\ufffd')) {
    const bytes = header.nameBytes;
    if (bytes) info.nameBytes = bytes;
  }
  if (uuid.includes('\ufffd')) {
    const bytes = header.uuidBytes;
    if (bytes) info.uuidBytes = bytes;
  }
  return info;
}

/** The reply's device state. */
export const decodeInfo = (_: Buffer, header: ReplyHeader): DeviceInfo => deviceInfoFromHeader(header);

/** Nothing: the ioctl's success is the answer. */
export const decodeNothing = (): void => undefined;

/**
 * The kernel's name of the device the reply is about (it names a removed device however it was
 * addressed), for its /dev/mapper node.
 */
export const decodeName = (_: Buffer, header: ReplyHeader): string => header.kernelName ?? header.name;

/** A device's state as the caller sees it, and its name as the kernel has it (for its node). */
export function decodeInfoAndKernelName(_: Buffer, header: ReplyHeader): { info: DeviceInfo; kernelName: string } {
  return { info: deviceInfoFromHeader(header), kernelName: header.kernelName ?? header.name };
}

/** A device's state and its targets (table params or status text). */
export function decodeInfoAndTargets(buffer: Buffer, header: ReplyHeader): { info: DeviceInfo; rows: TargetReply[] } {
  return { info: deviceInfoFromHeader(header), rows: decodeTargets(buffer, header) };
}

/** A device's state and the devices its table uses. */
export function decodeInfoAndDeps(buffer: Buffer, header: ReplyHeader): { info: DeviceInfo; deps: DevNumber[] } {
  // A device with no table gets no dependency list back (data_size stops before data_start).
  return { info: deviceInfoFromHeader(header), deps: header.dataSize > header.dataStart ? decodeDeps(buffer, header) : [] };
}
