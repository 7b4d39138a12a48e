/**
 * A scripted loop driver for host unit tests of LoopDevice: it tracks every fd (so a test can
 * prove none leaks), binds devices the way the kernel does (EBUSY on a bound one), records every
 * ioctl, and lets a test answer one ioctl differently (a kernel without LOOP_CONFIGURE, another
 * process winning the race for a free device). Claims about the real kernel are tested in the VM.
 */
import { LoopControlIoctl, LoopFlag, LoopInfo64Layout, LoopIoctl, LoopConfigLayout } from '../../native-defs/index.js';
import type { FdStat, LoopHost } from '../../lib/host/loop-host.js';

const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;

export interface FakeBinding {
  fileFd: number;
  file: string;
  offset: bigint;
  sizeLimit: bigint;
  flags: number;
  name: string;
}

interface OpenFile {
  path: string;
  flags: number;
}

/** One ioctl as the fake saw it. */
export interface IoctlCall {
  name: string;
  path: string;
  arg: number | Buffer;
}

const NAMES = new Map<number, string>([...Object.entries(LoopIoctl), ...Object.entries(LoopControlIoctl)].map(([k, v]) => [v, k]));

export class FakeLoopHost implements LoopHost {
  readonly open_ = new Map<number, OpenFile>();
  readonly devices: (FakeBinding | undefined)[] = [undefined, undefined, undefined, undefined];
  readonly calls: IoctlCall[] = [];
  /** Files that exist, with their type bits. */
  readonly files = new Map<string, number>([['/img/a.img', S_IFREG], ['/img/dir', S_IFDIR]]);
  /** Answers an ioctl before the fake does: return a number to answer with it, undefined to go on. */
  intercept: ((call: IoctlCall) => number | undefined) | undefined;
  /** Whether LOOP_CONFIGURE keeps DIRECT_IO (false: the file system cannot do it). */
  directIoWorks = true;
  private nextFd = 100;

  open(path: string, flags: number): number {
    const type = this.files.get(path) ?? (/\/loop(\d+)$/.test(path) ? S_IFBLK : /loop-control$/.test(path) ? S_IFCHR : undefined);
    if (type === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT', errno: -2 });
    const fd = this.nextFd++;
    this.open_.set(fd, { path, flags });
    return fd;
  }

  close(fd: number): void {
    if (!this.open_.delete(fd)) throw new Error(`close(${fd}): not open (a double close)`);
  }

  fstat(fd: number): FdStat {
    const file = this.file(fd);
    const loop = /\/loop(\d+)$/.exec(file.path);
    const mode = this.files.get(file.path) ?? (loop ? S_IFBLK : S_IFCHR);
    return { mode: mode | 0o600, dev: 0x801n, ino: 42n, rdev: loop ? BigInt(0x700 + Number(loop[1])) : 0n };
  }

  controlNode(devDir: string): string {
    return `${devDir}/loop-control`;
  }

  deviceNode(index: number, devDir: string): string {
    return `${devDir}/loop${index}`;
  }

  sysfs(index: number, file: string): string | undefined {
    const binding = this.devices[index];
    if (file === 'loop/backing_file') return binding?.file;
    if (file === 'size') return binding ? '2048' : '0';
    return undefined;
  }

  /** Fds still open. */
  openFds(): string[] {
    return [...this.open_.values()].map((f) => f.path);
  }

  /** The names of the ioctls made, in order. */
  ioctlNames(): string[] {
    return this.calls.map((c) => c.name);
  }

  ioctl(fd: number, request: number, arg: number | Buffer): number {
    const file = this.file(fd);
    const call = { name: NAMES.get(request) ?? `0x${request.toString(16)}`, path: file.path, arg };
    this.calls.push(call);
    const scripted = this.intercept?.(call);
    if (scripted !== undefined) return scripted;
    if (request === LoopControlIoctl.LOOP_CTL_GET_FREE) {
      const free = this.devices.findIndex((d) => d === undefined);
      if (free >= 0) return free;
      this.devices.push(undefined);
      return this.devices.length - 1;
    }
    const index = Number(/\/loop(\d+)$/.exec(file.path)?.[1] ?? NaN);
    if (Number.isNaN(index)) return -25; // ENOTTY: not a loop device
    const bound = this.devices[index];
    switch (request) {
      case LoopIoctl.LOOP_CONFIGURE: {
        if (bound) return -16;
        const buffer = arg as Buffer;
        const fileFd = buffer.readUInt32LE(LoopConfigLayout.fd);
        const info = buffer.subarray(LoopConfigLayout.info);
        let flags = info.readUInt32LE(LoopInfo64Layout.lo_flags);
        if (!this.directIoWorks) flags &= ~LoopFlag.DIRECT_IO;
        this.bind(index, fileFd, info, flags);
        return 0;
      }
      case LoopIoctl.LOOP_SET_FD:
        if (bound) return -16;
        this.devices[index] = { fileFd: arg as number, file: this.file(arg as number).path, offset: 0n, sizeLimit: 0n, flags: 0, name: '' };
        return 0;
      case LoopIoctl.LOOP_SET_STATUS64:
        if (!bound) return -6;
        this.bind(index, bound.fileFd, arg as Buffer, (arg as Buffer).readUInt32LE(LoopInfo64Layout.lo_flags) & (LoopFlag.AUTOCLEAR | LoopFlag.PARTSCAN));
        return 0;
      case LoopIoctl.LOOP_SET_DIRECT_IO:
        if (!bound) return -6;
        if (!this.directIoWorks) return -22;
        bound.flags |= LoopFlag.DIRECT_IO;
        return 0;
      case LoopIoctl.LOOP_GET_STATUS64: {
        if (!bound) return -6;
        const out = arg as Buffer;
        out.writeBigUInt64LE(0x801n, LoopInfo64Layout.lo_device);
        out.writeBigUInt64LE(42n, LoopInfo64Layout.lo_inode);
        out.writeBigUInt64LE(bound.offset, LoopInfo64Layout.lo_offset);
        out.writeBigUInt64LE(bound.sizeLimit, LoopInfo64Layout.lo_sizelimit);
        out.writeUInt32LE(index, LoopInfo64Layout.lo_number);
        out.writeUInt32LE(bound.flags, LoopInfo64Layout.lo_flags);
        Buffer.from(bound.name).copy(out, LoopInfo64Layout.lo_file_name);
        return 0;
      }
      case LoopIoctl.LOOP_CLR_FD:
        if (!bound) return -6;
        this.devices[index] = undefined;
        return 0;
      default:
        return -22;
    }
  }

  private bind(index: number, fileFd: number, info: Buffer, flags: number): void {
    const nameBytes = info.subarray(LoopInfo64Layout.lo_file_name, LoopInfo64Layout.lo_file_name + 64);
    const end = nameBytes.indexOf(0);
    this.devices[index] = {
      fileFd,
      file: this.file(fileFd).path,
      offset: info.readBigUInt64LE(LoopInfo64Layout.lo_offset),
      sizeLimit: info.readBigUInt64LE(LoopInfo64Layout.lo_sizelimit),
      flags,
      name: nameBytes.subarray(0, end < 0 ? 64 : end).toString(),
    };
  }

  private file(fd: number): OpenFile {
    const file = this.open_.get(fd);
    if (!file) throw new Error(`fd ${fd} is not open (used after close)`);
    return file;
  }
}
