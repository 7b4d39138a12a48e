/**
 * The few libc functions the library needs, bound through koffi on first use (so importing the
 * library costs nothing until it talks to the kernel).
 */
import koffi from 'koffi';
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

let bound: Libc | undefined;

/** The bound libc functions; loads libc on the first call. */
export function libc(): Libc {
  if (bound) return bound;
  const lib = koffi.load(LIBC_SONAME);
  bound = {
    ioctl: lib.func(LibcPrototypes.ioctl) as unknown as IoctlFunction,
    ioctlValue: lib.func(LibcPrototypes.ioctlValue),
    mknod: lib.func(LibcPrototypes.mknod),
    strerror: lib.func(LibcPrototypes.strerror),
    errno: () => koffi.errno(),
  };
  return bound;
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
  const lib = koffi.load(LIBC_SONAME);
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
