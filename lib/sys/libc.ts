/**
 * The few libc functions the library needs, bound through koffi on first use (so importing the
 * library costs nothing until it talks to the kernel). koffi itself, and its native addon, are
 * required on that first use too: a command that never talks to the kernel never loads them.
 */
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';
import { LIBC_SONAME, LibcPrototypes } from '../../native-defs/index.js';

type IoctlFunction = ((fd: number, request: number, arg: Buffer | null) => number) & {
  async: (fd: number, request: number, arg: Buffer | null, callback: (error: unknown, result: number) => void) => void;
};

export interface Libc {
  ioctl: IoctlFunction;
  ioctlValue: (fd: number, request: number, value: number | bigint) => number;
  mknod: (path: string, mode: number, dev: bigint) => number;
  strerror: (errnum: number) => string;
  /** errno of the last call on this thread (or of the async call whose callback is running). */
  errno: () => number;
}

let koffiModule: typeof Koffi | undefined;

/** koffi, required on first use (createRequire: a bundle keeps it external and finds it beside itself). */
function koffi(): typeof Koffi {
  koffiModule ??= createRequire(import.meta.url)('koffi') as typeof Koffi;
  return koffiModule;
}

let bound: Libc | undefined;

/** The bound libc functions; loads libc on the first call. */
export function libc(): Libc {
  if (bound) return bound;
  const ffi = koffi();
  const lib = ffi.load(LIBC_SONAME);
  bound = {
    ioctl: lib.func(LibcPrototypes.ioctl) as unknown as IoctlFunction,
    ioctlValue: lib.func(LibcPrototypes.ioctlValue),
    mknod: lib.func(LibcPrototypes.mknod),
    strerror: lib.func(LibcPrototypes.strerror),
    errno: () => ffi.errno(),
  };
  return bound;
}

// --- System V semaphores (udev cookies) and the uevent netlink socket (udev monitor) ---
// Bound separately from libc() so that a udev command binds only what it calls.

import { NetlinkPrototypes, SysvSemPrototypes } from '../../native-defs/index.js';

type AsyncCallback = (error: unknown, result: number) => void;

export interface SysvSemLibc {
  semget: (key: number, nsems: number, semflg: number) => number;
  semop: (semid: number, sops: Buffer, nsops: number) => number;
  /** semtimedop; `.async` runs it on a koffi worker (off the event loop). */
  semtimedop: ((semid: number, sops: Buffer, nsops: number, timeout: Buffer | null) => number) & {
    async: (semid: number, sops: Buffer, nsops: number, timeout: Buffer | null, callback: AsyncCallback) => void;
  };
  semctlValue: (semid: number, semnum: number, cmd: number, arg: number) => number;
  semctlBuffer: (semid: number, semnum: number, cmd: number, arg: Buffer | null) => number;
  errno: () => number;
}

export interface NetlinkLibc {
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  recv: (fd: number, buf: Buffer, len: number, flags: number) => number;
  /** poll; `.async` runs it on a koffi worker (off the event loop). */
  poll: ((fds: Buffer, nfds: number, timeout: number) => number) & {
    async: (fds: Buffer, nfds: number, timeout: number, callback: AsyncCallback) => void;
  };
  close: (fd: number) => number;
  errno: () => number;
}

let libcHandle: Koffi.LibraryHandle | undefined;
let boundSem: SysvSemLibc | undefined;
let boundNetlink: NetlinkLibc | undefined;

function libcLibrary(): Koffi.LibraryHandle {
  libcHandle ??= koffi().load(LIBC_SONAME);
  return libcHandle;
}

/** The semaphore calls; binds them on the first call. */
export function sysvSem(): SysvSemLibc {
  if (boundSem) return boundSem;
  const lib = libcLibrary();
  boundSem = {
    semget: lib.func(SysvSemPrototypes.semget),
    semop: lib.func(SysvSemPrototypes.semop),
    semtimedop: lib.func(SysvSemPrototypes.semtimedop) as unknown as SysvSemLibc['semtimedop'],
    semctlValue: lib.func(SysvSemPrototypes.semctlValue),
    semctlBuffer: lib.func(SysvSemPrototypes.semctlBuffer),
    errno: () => koffi().errno(),
  };
  return boundSem;
}

/** The socket calls of the udev monitor; binds them on the first call. */
export function netlinkLibc(): NetlinkLibc {
  if (boundNetlink) return boundNetlink;
  const lib = libcLibrary();
  boundNetlink = {
    socket: lib.func(NetlinkPrototypes.socket),
    bind: lib.func(NetlinkPrototypes.bind),
    setsockopt: lib.func(NetlinkPrototypes.setsockopt),
    recv: lib.func(NetlinkPrototypes.recv),
    poll: lib.func(NetlinkPrototypes.poll) as unknown as NetlinkLibc['poll'],
    close: lib.func(NetlinkPrototypes.close),
    errno: () => koffi().errno(),
  };
  return boundNetlink;
}

// --- Signal dispositions (the blocking udev wait's SIGINT/SIGTERM trap) ---

import { SignalPrototypes } from '../../native-defs/index.js';

export interface SignalLibc {
  sigaction: (signum: number, act: Buffer | null, oldact: Buffer | null) => number;
  /** The address of a C function by name (RTLD_DEFAULT), as a number; 0 when unknown. */
  functionAddress: (name: string) => bigint;
  kill: (pid: number, sig: number) => number;
}

let boundSignal: SignalLibc | undefined;

/** The signal calls; binds them on the first call. */
export function signalLibc(): SignalLibc {
  if (boundSignal) return boundSignal;
  const lib = libcLibrary();
  const dlsym = lib.func(SignalPrototypes.dlsym);
  boundSignal = {
    sigaction: lib.func(SignalPrototypes.sigaction),
    functionAddress: (name) => {
      const pointer: unknown = dlsym(null, name);
      return pointer ? BigInt(koffi().address(pointer)) : 0n;
    },
    kill: lib.func(SignalPrototypes.kill),
  };
  return boundSignal;
}

// lseek(2) and read(2), for /dev/kmsg: node:fs has no lseek (there SEEK_END means "after the
// newest record"), and its readSync turns each EAGAIN into a thrown Error, which in the VM costs
// 8x the read itself. Bound apart from the set above, on their first use.

/** lseek(2)'s `whence` values. */
export const Seek = { SET: 0, CUR: 1, END: 2 } as const;

interface RawIo {
  lseek: (fd: number, offset: number, whence: number) => number | bigint;
  read: (fd: number, buffer: Buffer, count: number) => number | bigint;
}

let rawIo: RawIo | undefined;

function raw(): RawIo {
  if (rawIo) return rawIo;
  const lib = koffi().load(LIBC_SONAME);
  rawIo = {
    lseek: lib.func('int64_t lseek(int fd, int64_t offset, int whence)'),
    read: lib.func('intptr_t read(int fd, void *buf, uintptr_t count)'),
  };
  return rawIo;
}

/** lseek(2): the new offset, or -1 with `libc().errno()` set. */
export function lseek(fd: number, offset: number, whence: number): number {
  return Number(raw().lseek(fd, offset, whence));
}

/** read(2) into `buffer`: the byte count, or -1 with `libc().errno()` set (EAGAIN is no exception here). */
export function readRaw(fd: number, buffer: Buffer): number {
  return Number(raw().read(fd, buffer, buffer.length));
}
