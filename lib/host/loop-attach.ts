/**
 * Binding a file to a free loop device (util-linux's loopcxt_setup_device, as `losetup -f FILE`
 * runs it): /dev/loop-control's LOOP_CTL_GET_FREE names a free device; LOOP_CONFIGURE binds and
 * configures it in one step, or, where the kernel refuses that (before 5.8: EINVAL or ENOTTY),
 * LOOP_SET_FD then LOOP_SET_STATUS64 (and LOOP_SET_DIRECT_IO). Another process may take the free
 * device between the two ioctls: the bind then fails EBUSY and a new free device is asked for.
 * Every fd opened here is closed on every path, except the loop device's own, which is returned.
 */
import { constants } from 'node:fs';
import { resolve } from 'node:path';
import { FileType, LoopControlIoctl, LoopFlag, LoopInfo64Layout, LoopIoctl } from '../../native-defs/index.js';
import { DmError, invalidArgument } from '../errors.js';
import { errnoName, errnoOf, strerror } from '../sys/errno.js';
import { loopConfigBuffer, loopFlags, loopInfoBuffer, decodeLoopInfo, type LoopInfoRequest, type LoopStatus } from './loop-info.js';
import type { FdStat, LoopHost } from './loop-host.js';

/** How LoopDevice.attach sets a device up. */
export interface LoopAttachOptions {
  /** Bind read-only: the file is opened O_RDONLY and writes to the device fail (EPERM). */
  readOnly?: boolean;
  /** Where in the file the device starts, in bytes (default 0). */
  offset?: number | bigint;
  /** The device's size in bytes, a multiple of 512 (default 0: up to the end of the file). */
  sizeLimit?: number | bigint;
  /** Direct I/O on the backing file; refused (EINVAL) when its file system cannot do it. */
  directIo?: boolean;
  /** Scan for partitions (`/dev/loopNp1`, …). */
  partscan?: boolean;
  /** Unbind when the last opener closes the device (this handle's close(), or a crash of this process). */
  autoClear?: boolean;
  /**
   * `'auto'` (default): LOOP_CONFIGURE, falling back to LOOP_SET_FD + LOOP_SET_STATUS64 when the
   * kernel refuses it. `'set-fd'`: the legacy two-step path only (what a pre-5.8 kernel gets).
   */
  method?: 'auto' | 'set-fd';
  /** The device directory holding loop-control and loopN (default /dev). */
  devDir?: string;
}

/** How the device was bound. */
export type LoopAttachMethod = 'configure' | 'set-fd';

export interface AttachedLoop {
  fd: number;
  index: number;
  path: string;
  file: string;
  method: LoopAttachMethod;
  /** The backing file's identity, to recognise our binding later. */
  backing: FdStat;
  /** Devices that another process took first (EBUSY) before this one was bound. */
  busyRetries: number;
}

/** Free devices tried before giving up on a race that never ends. */
const MAX_ATTEMPTS = 32;
const EBUSY = 16;
const EINVAL = 22;
const ENOTTY = 25;
const ENXIO = 6;
const ENOENT = 2;

const BOOLEAN_OPTIONS = ['readOnly', 'directIo', 'partscan', 'autoClear'] as const;
const U63_MAX = (1n << 63n) - 1n;

function byteCount(name: string, value: number | bigint | undefined): bigint {
  if (value === undefined) return 0n;
  const ok = typeof value === 'bigint' ? value >= 0n && value <= U63_MAX : Number.isSafeInteger(value) && value >= 0;
  if (!ok) throw invalidArgument(`Loop option ${name} must be a whole number of bytes from 0 (got ${String(value)})`);
  return BigInt(value);
}

/** The options checked and normalised; DmError 'invalid-argument' on a bad one. */
export function checkAttachOptions(file: unknown, options: LoopAttachOptions): { info: Omit<LoopInfoRequest, 'flags' | 'fileName'>; file: string } {
  if (typeof file !== 'string' || file === '' || file.includes('\0')) {
    throw invalidArgument(`The backing file must be a non-empty path without NUL bytes (got ${JSON.stringify(file)})`);
  }
  if (typeof options !== 'object' || options === null) throw invalidArgument('Loop attach options must be an object');
  for (const name of BOOLEAN_OPTIONS) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') {
      throw invalidArgument(`Loop option ${name} must be true or false (got ${JSON.stringify(options[name])})`);
    }
  }
  if (options.method !== undefined && options.method !== 'auto' && options.method !== 'set-fd') {
    throw invalidArgument(`Loop option method must be 'auto' or 'set-fd' (got ${JSON.stringify(options.method)})`);
  }
  const offset = byteCount('offset', options.offset);
  const sizeLimit = byteCount('sizeLimit', options.sizeLimit);
  if (sizeLimit % 512n !== 0n) {
    throw invalidArgument(`Loop option sizeLimit must be a multiple of 512 bytes (got ${sizeLimit}); the kernel would cut it silently`);
  }
  return { info: { offset, sizeLimit }, file: resolve(file) };
}

/** A DmError of kind 'loop' for `errno`, naming what was being done. */
export function loopError(message: string, errno: number, extra: { cause?: unknown; hint?: string } = {}): DmError {
  const hint = extra.hint ?? (errno === 1 || errno === 13 ? 'setting up loop devices needs root (CAP_SYS_ADMIN)' : undefined);
  return new DmError(`${message}: ${strerror(errno)}`, { kind: 'loop', code: errnoName(errno), errno, hint, cause: extra.cause });
}

/** LOOP_GET_STATUS64; undefined when the device is not bound (ENXIO). Not a loop device: invalid-argument. */
export function loopStatus(host: LoopHost, fd: number, describe: () => string): LoopStatus | undefined {
  const buffer = Buffer.alloc(LoopInfo64Layout.size);
  const result = host.ioctl(fd, LoopIoctl.LOOP_GET_STATUS64, buffer);
  if (result === -ENXIO) return undefined;
  if (result === -ENOTTY) throw invalidArgument(`${describe()} is not a loop device`);
  if (result < 0) throw loopError(`${describe()}: LOOP_GET_STATUS64 failed`, -result);
  return decodeLoopInfo(buffer);
}

function openOrThrow(host: LoopHost, path: string, flags: number, what: string): number {
  try {
    return host.open(path, flags);
  } catch (error) {
    throw loopError(`Cannot open ${what} ${path}`, errnoOf(error), { cause: error });
  }
}

type BindResult = LoopAttachMethod | 'busy';

/**
 * Binds `fd` (a loop device) to `backingFd` as the options ask. 'busy' when another process bound
 * it first. On any other failure the device is left unbound and a DmError thrown.
 */
function bind(host: LoopHost, fd: number, backingFd: number, request: LoopInfoRequest, options: LoopAttachOptions, where: string): BindResult {
  if (options.method !== 'set-fd') {
    const result = host.ioctl(fd, LoopIoctl.LOOP_CONFIGURE, loopConfigBuffer(backingFd, request));
    if (result === -EBUSY) return 'busy';
    if (result >= 0) {
      if (options.directIo) requireDirectIo(host, fd, where);
      return 'configure';
    }
    if (result !== -EINVAL && result !== -ENOTTY) throw loopError(`Cannot attach ${where}: LOOP_CONFIGURE failed`, -result);
    // A kernel without LOOP_CONFIGURE (or one that refuses this config): the legacy steps below.
  }
  const result = host.ioctl(fd, LoopIoctl.LOOP_SET_FD, backingFd);
  if (result === -EBUSY) return 'busy';
  if (result < 0) throw loopError(`Cannot attach ${where}: LOOP_SET_FD failed`, -result);
  try {
    // SET_STATUS64 sets only AUTOCLEAR and PARTSCAN; read-only came from the fds' modes.
    const status = { ...request, flags: request.flags & ~(LoopFlag.READ_ONLY | LoopFlag.DIRECT_IO) };
    const set = host.ioctl(fd, LoopIoctl.LOOP_SET_STATUS64, loopInfoBuffer(status));
    if (set < 0) throw loopError(`Cannot attach ${where}: LOOP_SET_STATUS64 failed`, -set);
    if (options.directIo) {
      const dio = host.ioctl(fd, LoopIoctl.LOOP_SET_DIRECT_IO, 1);
      if (dio < 0) throw directIoError(where, -dio);
    }
  } catch (error) {
    host.ioctl(fd, LoopIoctl.LOOP_CLR_FD, 0); // our fd is the only opener: unbinds at once
    throw error;
  }
  return 'set-fd';
}

function directIoError(where: string, errno: number): DmError {
  return loopError(`Cannot attach ${where} with direct I/O`, errno, {
    hint: "the backing file's file system cannot do O_DIRECT (tmpfs and hostfs cannot), or the offset is not aligned to its block size",
  });
}

/** LOOP_CONFIGURE drops DIRECT_IO silently when the file cannot do it: check, and undo if so. */
function requireDirectIo(host: LoopHost, fd: number, where: string): void {
  const status = loopStatus(host, fd, () => where);
  if (status && (status.flags & LoopFlag.DIRECT_IO) !== 0) return;
  host.ioctl(fd, LoopIoctl.LOOP_CLR_FD, 0);
  throw directIoError(where, EINVAL);
}

/** Attaches `file` to a free loop device; see the file comment. Returns the bound device's open fd. */
export function attachLoop(host: LoopHost, fileArgument: string, options: LoopAttachOptions = {}): AttachedLoop {
  const { info, file } = checkAttachOptions(fileArgument, options);
  const devDir = options.devDir ?? '/dev';
  const mode = options.readOnly ? constants.O_RDONLY : constants.O_RDWR;
  const backingFd = openOrThrow(host, file, mode, 'the backing file');
  try {
    const backing = host.fstat(backingFd);
    const type = backing.mode & FileType.S_IFMT;
    if (type !== 0o100000 /* S_IFREG */ && type !== FileType.S_IFBLK) {
      throw invalidArgument(`Cannot attach ${file}: a loop device needs a regular file or a block device`);
    }
    const request: LoopInfoRequest = { ...info, flags: loopFlags(options), fileName: file };
    const control = openOrThrow(host, host.controlNode(devDir), constants.O_RDWR, 'the loop control node');
    try {
      let busyRetries = 0;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const index = host.ioctl(control, LoopControlIoctl.LOOP_CTL_GET_FREE, 0);
        if (index < 0) throw loopError(`Cannot attach ${file}: no free loop device (LOOP_CTL_GET_FREE)`, -index);
        const path = host.deviceNode(index, devDir);
        let fd: number;
        try {
          fd = host.open(path, mode);
        } catch (error) {
          const errno = errnoOf(error);
          if (errno === ENXIO || errno === ENOENT) continue; // removed (LOOP_CTL_REMOVE) meanwhile
          throw loopError(`Cannot attach ${file}: cannot open ${path}`, errno, { cause: error });
        }
        let result: BindResult;
        try {
          result = bind(host, fd, backingFd, request, options, `${file} to ${path}`);
        } catch (error) {
          host.close(fd);
          throw error;
        }
        if (result !== 'busy') return { fd, index, path, file, method: result, backing, busyRetries };
        host.close(fd);
        busyRetries++;
      }
      throw loopError(`Cannot attach ${file}: another process took each of ${MAX_ATTEMPTS} free loop devices first`, EBUSY);
    } finally {
      host.close(control);
    }
  } finally {
    host.close(backingFd); // the kernel holds its own reference once bound
  }
}
