/**
 * The kernel's log as it grows, from /dev/kmsg, so that an error can carry the lines the kernel
 * logged for a failed ioctl ("device-mapper: table: 254:0: thin-pool: Invalid argument count",
 * "... loop0 too small for target ..."), where the ioctl itself says only EINVAL. libdm has no
 * counterpart (users read dmesg).
 *
 * One reader per process: /dev/kmsg opened once, O_RDONLY|O_NONBLOCK, and lseek(SEEK_END) so
 * that only records logged from then on are read. Each read(2) returns one record
 * (`prio,seq,ts,flags;message`, then ` KEY=value` lines); EAGAIN means no more yet, EPIPE that
 * records were overwritten before we read them. Records read are kept in a small ring, so a mark
 * costs one read(2) and several marks (async ioctls under way at once) can be open together.
 */
import { constants as osConstants } from 'node:os';
import { closeSync, constants, openSync } from 'node:fs';
import { libc, lseek, readRaw, Seek } from '../sys/libc.js';
import * as check from '../arguments/checks.js';

/** A position in the kernel log, taken before an ioctl. */
export interface KernelLogMark {
  /** How many records this process's reader had seen when the mark was taken. */
  readonly seen: number;
}

/** One kernel log record. */
export interface KernelLogRecord {
  /** syslog priority (facility << 3 | level). */
  priority: number;
  /** The kernel's sequence number. */
  seq: number;
  /** Microseconds since boot. */
  timestampUs: number;
  /** The message, with the kernel's `\xNN` escapes undone. */
  message: string;
}

/** Records kept for marks still open: enough for any one ioctl, small enough not to matter. */
const RING_SIZE = 512;
const RECORD_BUFFER = 8192;
const LOST = '(kernel log records were lost: the log wrapped before they were read)';

/**
 * Parses one /dev/kmsg record; undefined for text that is not one. Pure.
 */
export function parseKmsgRecord(text: string): KernelLogRecord | undefined {
  if (typeof text !== 'string') check.text(text, 'Argument 1 of parseKmsgRecord()');
  const semicolon = text.indexOf(';');
  if (semicolon === -1) return undefined;
  const [priority, seq, timestamp] = text.slice(0, semicolon).split(',');
  if (priority === undefined || seq === undefined || timestamp === undefined) return undefined;
  const numbers = [priority, seq, timestamp].map(Number);
  if (!numbers.every(Number.isSafeInteger)) return undefined;
  const end = text.indexOf('\n', semicolon);
  const raw = text.slice(semicolon + 1, end === -1 ? undefined : end);
  const message = raw.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { priority: numbers[0]!, seq: numbers[1]!, timestampUs: numbers[2]!, message };
}

/** The default filter: device-mapper's own lines (DMERR/DMWARN/DMINFO all start so). */
export const isDeviceMapperLine = (message: string): boolean => typeof message === 'string' && message.startsWith('device-mapper:');

/** Reads /dev/kmsg from the moment it is opened on. */
export class KernelLogReader {
  private fd: number | undefined;
  private readonly buffer = Buffer.alloc(RECORD_BUFFER);
  private ring: string[] = [];
  /** Records read so far (lost ones count as one, the LOST line). */
  private seen = 0;

  /** Opens `path` at its end; throws the open error (ENOENT, EACCES…) as node:fs gives it. */
  constructor(path = '/dev/kmsg') {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (lseek(fd, 0, Seek.END) < 0) {
      const errno = libc().errno();
      closeSync(fd);
      throw Object.assign(new Error(`lseek(${path}, SEEK_END) failed: errno ${errno}`), { errno: -errno });
    }
    this.fd = fd;
  }

  /** A mark: the records logged after it are what `since` returns. */
  mark(): KernelLogMark {
    this.drain();
    return { seen: this.seen };
  }

  /** The messages logged since `mark` that pass `filter` (default: device-mapper's lines). */
  since(mark: KernelLogMark, filter: (message: string) => boolean = isDeviceMapperLine): string[] {
    this.drain();
    const count = this.seen - mark.seen;
    const lines = count > this.ring.length ? [LOST, ...this.ring] : this.ring.slice(this.ring.length - count);
    return lines.filter((line) => line === LOST || filter(line));
  }

  /** Closes the fd; further marks see nothing new. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Reads every record the kernel has logged since the last drain into the ring. */
  private drain(): void {
    if (this.fd === undefined) return;
    for (;;) {
      const length = readRaw(this.fd, this.buffer);
      if (length < 0) {
        const code = libc().errno();
        if (code === osConstants.errno.EAGAIN) return;
        if (code === osConstants.errno.EPIPE) {
          this.push(LOST);
          continue;
        }
        throw Object.assign(new Error(`read(/dev/kmsg) failed: errno ${code}`), { errno: -code });
      }
      if (length === 0) return;
      const record = parseKmsgRecord(this.buffer.toString('utf8', 0, length));
      if (record) this.push(record.message);
    }
  }

  private push(line: string): void {
    this.ring.push(line);
    if (this.ring.length > RING_SIZE) this.ring.splice(0, this.ring.length - RING_SIZE);
    this.seen++;
  }
}

let shared: KernelLogReader | undefined;
let unavailable = false;

/**
 * A mark in the kernel log, from this process's reader (opened on the first call); undefined
 * when /dev/kmsg cannot be read here (not root, no /dev/kmsg), which is remembered, so that
 * later calls cost nothing.
 */
export function kernelLogMark(): KernelLogMark | undefined {
  if (unavailable) return undefined;
  try {
    shared ??= new KernelLogReader();
    return shared.mark();
  } catch {
    unavailable = true;
    shared?.close();
    shared = undefined;
    return undefined;
  }
}

/**
 * The kernel's messages since `mark` (from kernelLogMark) that pass `filter` (default:
 * device-mapper's lines). Lines other processes made the kernel log meanwhile are included.
 */
export function kernelLogSince(mark: KernelLogMark | undefined, filter?: (message: string) => boolean): string[] {
  if (!mark || !shared) return [];
  try {
    return shared.since(mark, filter);
  } catch {
    return [];
  }
}
