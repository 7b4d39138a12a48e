/**
 * The one place the library talks to the kernel. `DmIoctl.run` encodes a request, checks the
 * driver's version once per control handle, sends each command with the oldest interface version
 * that knows it, grows the buffer on DM_BUFFER_FULL_FLAG (keeping the larger size), reuses buffers
 * (page faults are expensive), and turns a failed ioctl into a DmError.
 */
import {
  DmCommandMinVersion,
  DmFlag,
  DmRequest,
  DM_VERSION_MAJOR,
  type DmCommandName,
} from '../../native-defs/index.js';
import {
  decodeHeader,
  encodeRequest,
  replyFlags,
  requestSize,
  type ReplyHeader,
  type RequestHeader,
  type RequestPayload,
} from './codec.js';
import { encodeKernelDev, type DevNumber } from '../device/devt.js';
import { errnoName, strerror } from '../sys/errno.js';
import { DmError, invalidArgument, type SentAddress } from '../errors.js';
import { ioctlHint } from './hints.js';
import { libc } from '../sys/libc.js';
import { describeDevice, validateDeviceId, type DeviceId } from '../device/names.js';

/** libdevmapper starts every ioctl with 16 KiB; so do we. */
export const INITIAL_BUFFER_SIZE = 16 * 1024;
/** Replies never legitimately need more; past this a BUFFER_FULL reply becomes an error. */
export const DEFAULT_MAX_BUFFER_SIZE = 256 * 1024 * 1024;

/** Flags each command accepts. PERSISTENT_DEV and SKIP_BDGET are allowed everywhere. */
const allowedFlags: Readonly<Record<DmCommandName, number>> = {
  VERSION: 0,
  REMOVE_ALL: DmFlag.DEFERRED_REMOVE,
  LIST_DEVICES: DmFlag.UUID,
  DEV_CREATE: DmFlag.READONLY,
  DEV_REMOVE: DmFlag.DEFERRED_REMOVE,
  DEV_RENAME: DmFlag.UUID,
  DEV_SUSPEND: DmFlag.SUSPEND | DmFlag.NOFLUSH | DmFlag.SKIP_LOCKFS,
  // info --inactive: the kernel then reports the inactive table's target count and read-only flag.
  DEV_STATUS: DmFlag.QUERY_INACTIVE_TABLE,
  DEV_WAIT: DmFlag.NOFLUSH | DmFlag.QUERY_INACTIVE_TABLE | DmFlag.STATUS_TABLE,
  TABLE_LOAD: DmFlag.READONLY | DmFlag.SECURE_DATA,
  TABLE_CLEAR: 0,
  TABLE_DEPS: DmFlag.QUERY_INACTIVE_TABLE,
  TABLE_STATUS: DmFlag.STATUS_TABLE | DmFlag.QUERY_INACTIVE_TABLE | DmFlag.NOFLUSH | DmFlag.IMA_MEASUREMENT,
  LIST_VERSIONS: 0,
  TARGET_MSG: 0,
  DEV_SET_GEOMETRY: 0,
  DEV_ARM_POLL: 0,
  GET_TARGET_VERSION: 0,
};
const ALWAYS_ALLOWED = DmFlag.PERSISTENT_DEV | DmFlag.SKIP_BDGET;

/** Commands whose reply can outgrow the buffer; the kernel then sets BUFFER_FULL and we resend. */
const growable = new Set<DmCommandName>([
  'LIST_DEVICES',
  'LIST_VERSIONS',
  'GET_TARGET_VERSION',
  'TABLE_DEPS',
  'TABLE_STATUS',
  'DEV_WAIT',
  'TARGET_MSG',
]);

/** One request: the command, how the device is addressed, flags and payload. */
export interface IoctlSpec {
  command: DmCommandName;
  /** libdevmapper's name for the operation (`remove`, `table`, `resume`…), used in messages. */
  operation: string;
  /** The device the request is about, when it is about one. */
  device?: DeviceId | undefined;
  /** Name field without addressing a device: the new device's name, or a target type name. */
  name?: string | undefined;
  /** Uuid field without addressing a device: the new device's uuid. */
  uuid?: string | undefined;
  /** dev field without addressing a device: the persistent number asked for on create. */
  dev?: DevNumber | undefined;
  flags?: number | undefined;
  eventNr?: number | undefined;
  payload?: RequestPayload | undefined;
  /** Zero the buffer after use (tables with keys). */
  secure?: boolean | undefined;
  /**
   * How to name the device in an error message when the request itself does not (libdevmapper
   * names the device of a dev_t-addressed load inside create by its name).
   */
  label?: { name?: string; uuid?: string } | undefined;
}

interface Prepared {
  header: RequestHeader;
  sent: SentAddress;
}

export interface DmIoctlOptions {
  /** Upper bound for buffer growth, in bytes. */
  maxBufferSize?: number;
}

/** Sends device-mapper ioctls on one open control node. */
export class DmIoctl {
  private bufferSize = INITIAL_BUFFER_SIZE;
  private readonly spareBuffers: Buffer[] = [];
  private driver: [number, number, number] | undefined;
  private readonly maxBufferSize: number;

  /** @param fd an open /dev/mapper/control (owned by the caller). */
  constructor(
    readonly fd: number,
    options: DmIoctlOptions = {},
  ) {
    this.maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;
  }

  /** The driver's interface version, asked once per handle. */
  driverVersion(): [number, number, number] {
    if (!this.driver) {
      const version = this.run({ command: 'VERSION', operation: 'version' }, (_, header) => header.version);
      if (version[0] !== DM_VERSION_MAJOR) {
        throw new DmError(`The device-mapper driver speaks interface ${version.join('.')}; this library needs 4.x`, {
          kind: 'unsupported',
          code: 'ENOTSUP',
          errno: 95,
          command: 'VERSION',
          operation: 'version',
        });
      }
      this.driver = version;
    }
    return this.driver;
  }

  /** True when the driver's interface is at least major.minor (4.x). */
  driverAtLeast(minor: number): boolean {
    return this.driverVersion()[1] >= minor;
  }

  /** Sends a request and decodes the reply with `decode` while this handle still owns the buffer. */
  run<T>(spec: IoctlSpec, decode: (buffer: Buffer, header: ReplyHeader) => T): T {
    const { header, sent } = this.prepare(spec);
    let buffer = this.acquire(requestSize(spec.payload));
    try {
      for (;;) {
        encodeRequest(buffer, header, spec.payload);
        if (libc().ioctl(this.fd, DmRequest[spec.command], buffer) < 0) {
          throw this.failure(spec, sent, libc().errno());
        }
        if (!this.needsMoreRoom(spec, buffer)) return decode(buffer, decodeHeader(buffer));
        buffer = this.grow(buffer, spec);
      }
    } finally {
      this.release(buffer, spec);
    }
  }

  /** Like run, but the ioctl runs on a worker thread: for calls that can block (suspend, remove, wait). */
  async runAsync<T>(spec: IoctlSpec, decode: (buffer: Buffer, header: ReplyHeader) => T): Promise<T> {
    const { header, sent } = this.prepare(spec);
    let buffer = this.acquire(requestSize(spec.payload));
    try {
      for (;;) {
        encodeRequest(buffer, header, spec.payload);
        const inFlight = buffer;
        const errno = await new Promise<number>((resolve, reject) => {
          libc().ioctl.async(this.fd, DmRequest[spec.command], inFlight, (error, result) => {
            if (error) reject(error);
            else resolve(result < 0 ? libc().errno() : 0);
          });
        });
        if (errno !== 0) throw this.failure(spec, sent, errno);
        if (!this.needsMoreRoom(spec, buffer)) return decode(buffer, decodeHeader(buffer));
        buffer = this.grow(buffer, spec);
      }
    } finally {
      this.release(buffer, spec);
    }
  }

  /** Checks flags and the driver's version, and builds the header fields. */
  private prepare(spec: IoctlSpec): Prepared {
    const flags = spec.flags ?? 0;
    const refused = flags & ~(allowedFlags[spec.command] | ALWAYS_ALLOWED);
    if (refused) {
      throw invalidArgument(`Flags 0x${refused.toString(16)} are not valid for the ${spec.command} ioctl`, {
        command: spec.command,
      });
    }
    const minimum = DmCommandMinVersion[spec.command];
    if (spec.command !== 'VERSION') {
      const driver = this.driverVersion();
      if (driver[1] < minimum[1]) {
        throw new DmError(
          `The ${spec.command} ioctl needs device-mapper interface ${minimum.join('.')} or newer; the driver is ${driver.join('.')}`,
          { kind: 'unsupported', code: 'ENOTSUP', errno: 95, command: spec.command, operation: spec.operation },
        );
      }
    }
    let name = spec.name ?? '';
    let uuid = spec.uuid ?? '';
    let number: DevNumber | undefined = spec.dev;
    if (spec.device) {
      validateDeviceId(spec.device);
      if (spec.device.name !== undefined) name = spec.device.name;
      else if (spec.device.uuid !== undefined) uuid = spec.device.uuid;
      else number = spec.device;
    }
    return {
      header: {
        version: minimum,
        // The kernel looks a device up by dev only with PERSISTENT_DEV set; create honours the minor then.
        flags: flags | (number ? DmFlag.PERSISTENT_DEV : 0),
        eventNr: spec.eventNr ?? 0,
        dev: number ? encodeKernelDev(number) : 0n,
        name,
        uuid,
      },
      sent: {
        name: name || (spec.label?.name ?? ''),
        uuid: uuid || (spec.label?.uuid ?? ''),
        major: number?.major ?? 0,
        minor: number?.minor ?? 0,
      },
    };
  }

  private needsMoreRoom(spec: IoctlSpec, buffer: Buffer): boolean {
    return growable.has(spec.command) && (replyFlags(buffer) & DmFlag.BUFFER_FULL) !== 0;
  }

  /** Doubles the buffer; later requests on this handle start at the larger size. */
  private grow(buffer: Buffer, spec: IoctlSpec): Buffer {
    const size = buffer.length * 2;
    if (size > this.maxBufferSize) {
      throw new DmError(
        `The kernel's reply to ${spec.command} needs more than ${this.maxBufferSize} bytes (the buffer cap)`,
        { kind: 'protocol', code: 'ENOBUFS', errno: 105, command: spec.command, operation: spec.operation, device: spec.device },
      );
    }
    this.bufferSize = Math.max(this.bufferSize, size);
    this.release(buffer, spec);
    return this.acquire(size);
  }

  private acquire(minimum: number): Buffer {
    const size = Math.max(this.bufferSize, minimum);
    const index = this.spareBuffers.findIndex((b) => b.length >= size);
    if (index !== -1) return this.spareBuffers.splice(index, 1)[0]!;
    // Page-aligned sizes: the kernel copies data_size bytes both ways.
    return Buffer.alloc(Math.ceil(size / 4096) * 4096);
  }

  private release(buffer: Buffer, spec: IoctlSpec): void {
    if (spec.secure) buffer.fill(0);
    if (buffer.length < this.bufferSize) return; // outgrown: let it go
    if (this.spareBuffers.length < 2) this.spareBuffers.push(buffer);
  }

  private failure(spec: IoctlSpec, sent: SentAddress, errno: number): DmError {
    const target = spec.device ? describeDevice(spec.device) : sent.name || sent.uuid;
    const code = errnoName(errno);
    const hint = ioctlHint(spec.command, code);
    return new DmError(
      `device-mapper: ${spec.operation} ioctl${target ? ` on ${target}` : ''} failed: ${strerror(errno)}`,
      { kind: 'ioctl', code, errno, command: spec.command, operation: spec.operation, device: spec.device, sent, hint },
    );
  }
}
