/**
 * Raw device-mapper ioctls for the udev tests: one request with an `event_nr` of the test's
 * choosing, straight through libc (independent of the library's ioctl core, which these tests do
 * not exercise), returning the reply's flags and device number.
 */
import { closeSync, openSync } from 'node:fs';
import { DmFlag, DmIoctlLayout as H, DmRequest, type DmCommandName } from '../../native-defs/index.js';
import { libc } from '../../lib/sys/libc.js';

export interface RawReply {
  flags: number;
  major: number;
  minor: number;
}

export interface RawRequest {
  name: string;
  eventNr?: number;
  flags?: number;
  /** DEV_RENAME: the new name (the payload). */
  newName?: string;
}

/** Sends one ioctl addressed by name; throws with the errno on failure. */
export function rawIoctl(command: DmCommandName, request: RawRequest): RawReply {
  const size = 16384;
  const buffer = Buffer.alloc(size);
  buffer.writeUInt32LE(4, H.version);
  buffer.writeUInt32LE(size, H.data_size);
  buffer.writeUInt32LE(H.size, H.data_start);
  buffer.writeUInt32LE(request.flags ?? 0, H.flags);
  buffer.writeUInt32LE(request.eventNr ?? 0, H.event_nr);
  buffer.write(request.name, H.name);
  if (request.newName !== undefined) buffer.write(`${request.newName}\0`, H.size);
  const fd = openSync('/dev/mapper/control', 'r+');
  try {
    if (libc().ioctl(fd, DmRequest[command], buffer) < 0) throw new Error(`${command} ${request.name}: errno ${libc().errno()}`);
  } finally {
    closeSync(fd);
  }
  const dev = buffer.readBigUInt64LE(H.dev);
  // The kernel's huge encoding: minor low 8 bits | major << 8 | minor's high bits << 20.
  const major = Number((dev >> 8n) & 0xfffn);
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & 0xfff00n));
  return { flags: buffer.readUInt32LE(H.flags), major, minor };
}

/** Suspends a device (no cookie: suspend makes no uevent). */
export function rawSuspend(name: string): RawReply {
  return rawIoctl('DEV_SUSPEND', { name, flags: DmFlag.SUSPEND });
}
