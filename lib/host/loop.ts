/**
 * LoopDevice: a file seen as a block device through the kernel's loop driver, attached and
 * detached without losetup (util-linux's losetup / libloop counterpart). See loop-attach.ts for
 * how a device is found and bound, loop-nodes.ts for the device nodes.
 *
 * ```ts
 * using loop = LoopDevice.attach('/tmp/disk.img', { sizeLimit: 8 << 20 });
 * console.log(loop.path, loop.dev, loop.info().offset); // /dev/loop0 { major: 7, minor: 0 } 0
 * ```
 */
import { constants } from 'node:fs';
import { LoopFlag, LoopIoctl } from '../../native-defs/index.js';
import { decodeKernelDev, glibcSplitDev, sameDev, type DevNumber } from '../device/devt.js';
import { invalidArgument } from '../errors.js';
import { errnoOf } from '../sys/errno.js';
import { attachLoop, loopError, loopStatus, type LoopAttachMethod, type LoopAttachOptions } from './loop-attach.js';
import { kernelLoopHost, type LoopHost } from './loop-host.js';

export type { LoopAttachMethod, LoopAttachOptions } from './loop-attach.js';

/** A loop device's binding, as the kernel reports it (LOOP_GET_STATUS64 and sysfs). */
export interface LoopInfo {
  /** The backing file's full path (sysfs), or the name recorded at attach (up to 63 bytes). */
  backingFile: string;
  /** The backing file's device and inode. */
  backingDev: DevNumber;
  /** The backing file's inode number. */
  backingInode: bigint;
  /** Bytes. */
  offset: number;
  /** Bytes; 0 when the device runs to the end of the file. */
  sizeLimit: number;
  /** LO_FLAGS_READ_ONLY: writes to the loop device fail. */
  readOnly: boolean;
  /** LO_FLAGS_AUTOCLEAR: the kernel detaches the device when its last opener closes it. */
  autoClear: boolean;
  /** LO_FLAGS_PARTSCAN: the kernel scans the device for partitions (`loopNpM`). */
  partscan: boolean;
  /** LO_FLAGS_DIRECT_IO: I/O to the backing file bypasses the page cache. */
  directIo: boolean;
  /** The raw LoopFlag bits. */
  flags: number;
}

/** What detach() did: unbound now, or (another opener still holds it) once the last one closes. */
export type LoopDetachResult = 'detached' | 'deferred';

interface Binding {
  dev: DevNumber;
  ino: bigint;
}

/** A loop device: holds one fd on `/dev/loopN` until detach() or close(). */
export class LoopDevice implements Disposable {
  /** `/dev/loopN`. */
  readonly path: string;
  /** N. */
  readonly index: number;
  /** The block device number (7:N, or N << part_shift with the loop module's max_part). */
  readonly dev: DevNumber;
  /** How the device was bound; undefined for a device taken over with open(). */
  readonly method: LoopAttachMethod | undefined;
  /** Free devices another process took first before this one was bound (the EBUSY race). */
  readonly busyRetries: number;
  private fd: number | undefined;
  private detached = false;

  private constructor(
    private readonly host: LoopHost,
    fd: number,
    index: number,
    path: string,
    private readonly binding: Binding | null,
    method: LoopAttachMethod | undefined,
    busyRetries: number,
  ) {
    this.fd = fd;
    this.index = index;
    this.path = path;
    this.method = method;
    this.busyRetries = busyRetries;
    this.dev = glibcSplitDev(host.fstat(fd).rdev);
  }

  /**
   * Attaches `file` (a regular file or a block device) to a free loop device. Throws a DmError of
   * kind 'loop' (code the errno name; the message names the file and the device) or
   * 'invalid-argument'; nothing is left open or bound then.
   */
  static attach(file: string, options: LoopAttachOptions = {}): LoopDevice {
    return LoopDevice.attachWith(kernelLoopHost, file, options);
  }

  /** @internal attach() over another host (the unit tests' scripted kernel). */
  static attachWith(host: LoopHost, file: string, options: LoopAttachOptions = {}): LoopDevice {
    const attached = attachLoop(host, file, options);
    try {
      const binding: Binding = { dev: glibcSplitDev(attached.backing.dev), ino: attached.backing.ino };
      return new LoopDevice(host, attached.fd, attached.index, attached.path, binding, attached.method, attached.busyRetries);
    } catch (error) {
      host.ioctl(attached.fd, LoopIoctl.LOOP_CLR_FD, 0);
      host.close(attached.fd);
      throw error;
    }
  }

  /**
   * Takes over an existing loop device, e.g. `/dev/loop3` (to query or detach one this process
   * did not attach). A device that is not bound opens too; info() then fails ENXIO.
   */
  static open(path: string, options: { readOnly?: boolean } = {}): LoopDevice {
    return LoopDevice.openWith(kernelLoopHost, path, options);
  }

  /** @internal open() over another host. */
  static openWith(host: LoopHost, path: string, options: { readOnly?: boolean } = {}): LoopDevice {
    if (typeof path !== 'string' || path === '') throw invalidArgument(`A loop device path must be a non-empty string (got ${JSON.stringify(path)})`);
    let fd: number;
    try {
      fd = host.open(path, options.readOnly ? constants.O_RDONLY : constants.O_RDWR);
    } catch (error) {
      throw loopError(`Cannot open the loop device ${path}`, errnoOf(error), { cause: error });
    }
    try {
      const status = loopStatus(host, fd, () => path);
      const index = status?.number ?? Number(/loop(\d+)$/.exec(path)?.[1] ?? NaN);
      if (!Number.isInteger(index)) throw invalidArgument(`${path} is not a loop device`);
      const binding = status ? { dev: decodeKernelDev(status.device), ino: status.inode } : null; // null: nothing to detach
      return new LoopDevice(host, fd, index, path, binding, undefined, 0);
    } catch (error) {
      host.close(fd);
      throw error;
    }
  }

  /** True once detach() or close() has released this handle's fd. */
  get closed(): boolean {
    return this.fd === undefined;
  }

  /** The binding as the kernel reports it now; DmError ENXIO when the device is not bound. */
  info(): LoopInfo {
    const status = this.withFd((fd) => loopStatus(this.host, fd, () => this.path));
    if (!status) throw loopError(`${this.path} is not attached to a file`, 6);
    return {
      backingFile: this.host.sysfs(this.index, 'loop/backing_file') ?? status.fileName,
      backingDev: decodeKernelDev(status.device),
      backingInode: status.inode,
      offset: Number(status.offset),
      sizeLimit: Number(status.sizeLimit),
      readOnly: (status.flags & LoopFlag.READ_ONLY) !== 0,
      autoClear: (status.flags & LoopFlag.AUTOCLEAR) !== 0,
      partscan: (status.flags & LoopFlag.PARTSCAN) !== 0,
      directIo: (status.flags & LoopFlag.DIRECT_IO) !== 0,
      flags: status.flags,
    };
  }

  /** The device's size in 512-byte sectors (sysfs), as a table row's length wants it. */
  sectors(): number {
    const size = this.host.sysfs(this.index, 'size');
    if (size === undefined || !/^\d+$/.test(size)) throw loopError(`Cannot read the size of ${this.path} from sysfs`, 2);
    return Number(size);
  }

  /**
   * Unbinds the device and closes this handle. 'deferred' when someone else still has it open
   * (a device-mapper table, a mount): the kernel then unbinds it when they close it. A device
   * that is no longer bound to our file (detached by someone else) is left alone.
   */
  detach(): LoopDetachResult {
    if (this.detached) return 'detached';
    const result = this.withFd((fd) => {
      const before = loopStatus(this.host, fd, () => this.path);
      if (!before || !this.isOurs(before.device, before.inode)) return 'detached';
      const cleared = this.host.ioctl(fd, LoopIoctl.LOOP_CLR_FD, 0);
      if (cleared < 0 && cleared !== -6 /* ENXIO: unbound meanwhile */) {
        throw loopError(`Cannot detach ${this.path} (${before.fileName}): LOOP_CLR_FD failed`, -cleared);
      }
      return loopStatus(this.host, fd, () => this.path) ? 'deferred' : 'detached';
    });
    this.detached = true;
    this.close();
    return result;
  }

  /**
   * Closes this handle's fd without detaching: the device stays bound, unless it was attached
   * with `autoClear` and nobody else has it open (the kernel then unbinds it now).
   */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.host.close(fd);
  }

  /** Detaches (the `using` form). */
  [Symbol.dispose](): void {
    this.detach();
  }

  private isOurs(device: bigint, inode: bigint): boolean {
    return this.binding !== null && sameDev(decodeKernelDev(device), this.binding.dev) && inode === this.binding.ino;
  }

  /** Runs `fn` on this handle's fd, or on a fresh one after close() (closed again afterwards). */
  private withFd<T>(fn: (fd: number) => T): T {
    if (this.fd !== undefined) return fn(this.fd);
    let fd: number;
    try {
      fd = this.host.open(this.path, constants.O_RDONLY);
    } catch (error) {
      throw loopError(`Cannot open the loop device ${this.path}`, errnoOf(error), { cause: error });
    }
    try {
      return fn(fd);
    } finally {
      this.host.close(fd);
    }
  }
}
