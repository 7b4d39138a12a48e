/**
 * What LoopDevice asks of the system, behind one small interface: open/close/fstat, ioctl, the
 * device nodes and sysfs. The default talks to the real kernel; host unit tests pass a scripted
 * one to reach the EBUSY race, a refused LOOP_CONFIGURE and every error path, and to count fds.
 * (util-linux keeps the same seams inside libloop's loopdev context.)
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { libc } from '../sys/libc.js';
import { loopControlNode, loopNode } from './loop-nodes.js';

/** The parts of fstat(2) that LoopDevice uses (glibc dev_t encoding, as node:fs gives them). */
export interface FdStat {
  mode: number;
  dev: bigint;
  ino: bigint;
  rdev: bigint;
}

export interface LoopHost {
  /** open(2); throws a node:fs error (with `errno`) on failure. */
  open(path: string, flags: number): number;
  close(fd: number): void;
  fstat(fd: number): FdStat;
  /** ioctl(2) with an integer or a buffer argument: the result (>= 0), or -errno. */
  ioctl(fd: number, request: number, arg: number | Buffer): number;
  /** `<devDir>/loop-control`, made first when it is missing. */
  controlNode(devDir: string): string;
  /** `<devDir>/loopN`, made first when it is missing (devtmpfs normally makes it). */
  deviceNode(index: number, devDir: string): string;
  /** `/sys/block/loopN/<file>` without its newline; undefined when sysfs does not have it. */
  sysfs(index: number, file: string): string | undefined;
}

/** The real kernel: node:fs, and libc's ioctl through koffi. */
export const kernelLoopHost: LoopHost = {
  open: (path, flags) => openSync(path, flags),
  close: (fd) => closeSync(fd),
  fstat(fd) {
    const stats = fstatSync(fd, { bigint: true });
    return { mode: Number(stats.mode), dev: stats.dev, ino: stats.ino, rdev: stats.rdev };
  },
  ioctl(fd, request, arg) {
    const c = libc();
    const result = typeof arg === 'number' ? c.ioctlValue(fd, request, arg) : c.ioctl(fd, request, arg);
    return result < 0 ? -c.errno() : result;
  },
  controlNode: loopControlNode,
  deviceNode: loopNode,
  sysfs(index, file) {
    try {
      return readFileSync(`/sys/block/loop${index}/${file}`, 'utf8').replace(/\n$/, '');
    } catch {
      return undefined;
    }
  },
};
