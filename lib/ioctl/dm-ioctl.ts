/**
 * The one place the library talks to the kernel. `DmIoctl` owns the control fd, its buffers and
 * the count of operations under way, and closes itself. Its exchange loop, written once, encodes
 * a request, checks the driver's version once per handle, sends each command with the oldest
 * interface version that knows it, grows the buffer on DM_BUFFER_FULL_FLAG (keeping the larger
 * size), reuses buffers (page faults are expensive), and turns a failed ioctl into a DmError.
 * Operations are generators of steps (./steps.ts), run by a blocking or a non-blocking driver
 * over a Transport (./transport.ts), so host tests can script the kernel's answers.
 */
import { DmFlag, DM_VERSION_MAJOR, type DmCommandName } from '../../native-defs/index.js';
import { NameCodec } from '../names/name-codec.js';
import { closedHandleError, dmError } from '../errors.js';
import { encodeRequest, requestSize, type ReplyHeader, type RequestHeader } from './codec.js';
import { ALWAYS_ALLOWED_FLAGS, carriesUdevCookie, COMMANDS, mayBlock, replyMayCarrySecrets, type CommandRecord } from './commands.js';
import { ioctlDebugLine } from './debug-line.js';
import { failure } from './failure.js';
import type { IoctlSpec } from './spec.js';
import { ReplyView } from './reply.js';
import { requestHeader } from './request.js';
import { performAsync, performSync, type Step, type Steps } from './steps.js';
import { libcTransport, type Transport } from './transport.js';

/** libdevmapper starts every ioctl with 16 KiB; so do we. */
export const INITIAL_BUFFER_SIZE = 16 * 1024;
/** Replies never legitimately need more; past this a BUFFER_FULL reply becomes an error. */
export const DEFAULT_MAX_BUFFER_SIZE = 256 * 1024 * 1024;

export type { IoctlSpec } from './spec.js';

/** Decodes a reply while the handle still owns the buffer. */
export type Decoder<T> = (buffer: Buffer, header: ReplyHeader) => T;

/**
 * Work wrapped around one ioctl that carries a udev cookie: begun before the request is sent
 * (its event_nr is sent), cancelled when the ioctl fails, ended after the reply (which may wait
 * for udev, as a step of the operation).
 */
export interface IoctlTransaction {
  /** The `event_nr` to send with the request (the cookie and its udev flags). */
  readonly eventNr: number;
  /** The ioctl failed: undo what beginning the transaction did (e.g. release the cookie's reference). */
  cancel(): void;
  /** The ioctl succeeded: the steps that finish the work (wait for udev, make or check the node). */
  end(reply: ReplyHeader): Steps<void>;
}

/** Begins a transaction for a request that carries a udev cookie, or declines (undefined). */
export type TransactionSource = (spec: IoctlSpec, flags: number) => IoctlTransaction | undefined;

/** Reads what the kernel logged around an ioctl (lib/host/kmsg.ts), for DmError.kernelLog. */
export interface KernelLogSource {
  mark(): unknown;
  since(mark: unknown): string[];
}

/** Options of `new DmIoctl(fd, options)`; `DeviceMapper.open()` fills them from its own. */
export interface DmIoctlOptions {
  /** Attach the kernel's `device-mapper:` log lines to each failed ioctl's DmError. */
  kernelLog?: KernelLogSource | undefined;
  /** Upper bound for buffer growth, in bytes. */
  maxBufferSize?: number | undefined;
  /** How ioctls reach the kernel (default: libc's ioctl through koffi). */
  transport?: Transport | undefined;
  /** Wraps requests that carry a udev cookie (set by whoever keeps the device nodes). */
  transactions?: TransactionSource | undefined;
  /** How names and uuids are mangled on the way in and out (default: sent and read verbatim). */
  names?: NameCodec | undefined;
  /** Gets libdevmapper's debug line of each request before it is sent (./debug-line.ts). */
  debug?: ((line: string) => void) | undefined;
  /** Send every request but VERSION (libdm's check is a task of its own) with SKIP_BDGET, as dm_task_no_open_count. */
  noOpenCount?: boolean | undefined;
}

/** Buffers kept for the next requests (one per size a handle has needed, in practice). */
const SPARE_BUFFERS = 4;

/** An ioctl buffer and how far it may hold anything but zeros (what a request or reply wrote). */
interface Slot {
  readonly buffer: Buffer;
  dirty: number;
}

/** One request under way: its header, the buffer it is in, and what the loop learns between sends. */
interface Call {
  readonly spec: IoctlSpec;
  readonly command: CommandRecord;
  readonly flags: number;
  readonly header: RequestHeader;
  slot: Slot;
  /** Wipe the buffer when it is given back (a secure load, a reply that may carry keys). */
  readonly wipe: boolean;
  /** Bytes the request took in the buffer (the reply may have written less). */
  written: number;
  /** The kernel log's mark before the send (for the DmError of a failure). */
  mark: unknown;
}

/** Sends device-mapper ioctls on one open control node, which it owns. */
export class DmIoctl {
  /** The size each growable command last needed (a list of 10 000 devices, say): it starts there. */
  private readonly grownSizes = new Map<DmCommandName, number>();
  private readonly spares: Slot[] = [];
  private driver: [number, number, number] | undefined;
  private readonly maxBufferSize: number;
  private readonly transport: Transport;
  private readonly kernelLog: KernelLogSource | undefined;
  private readonly debug: ((line: string) => void) | undefined;
  private readonly extraFlags: number;
  private closed = false;
  /** Async operations not finished yet: the fd stays open for them after close(). */
  private inFlight = 0;
  /** Set once by the handle that owns this DmIoctl, when it knows who keeps the nodes. */
  transactions: TransactionSource | undefined;
  /** The handle's name mangling: requests' names mangled, replies' unmangled (lib/names). */
  readonly names: NameCodec;

  /** @param fd an open /dev/mapper/control; this object closes it. */
  constructor(
    readonly fd: number,
    options: DmIoctlOptions = {},
  ) {
    this.maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;
    this.transport = options.transport ?? libcTransport();
    this.kernelLog = options.kernelLog;
    this.debug = options.debug;
    this.extraFlags = options.noOpenCount ? DmFlag.SKIP_BDGET : 0;
    this.transactions = options.transactions;
    this.names = options.names ?? new NameCodec('none');
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Closes the control fd. Further operations throw EBADF; async operations already under way
   * finish first (the fd is closed after the last of them, so it is never reused under them).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) void this.transport.close(this.fd);
  }

  /** Runs an operation to its end, blocking the thread. */
  perform<T>(steps: Steps<T>): T {
    this.assertOpen();
    return performSync(steps, this.transport, this.fd);
  }

  /** Runs an operation to its end without blocking the event loop. A started one outlives close(). */
  async performAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
    this.assertOpen();
    this.inFlight++;
    try {
      return await performAsync(steps, this.transport, this.fd, signal);
    } finally {
      // The last operation of a closed handle closes the fd (and ends its threads) before it returns.
      if (--this.inFlight === 0 && this.closed) await this.transport.close(this.fd);
    }
  }

  /**
   * One request and its reply, blocking. The usual request (the driver's version known, no udev
   * cookie to wait for) is sent right here; the rest go through the exchange loop's steps. Both
   * use the same parts: open, encode, answer.
   */
  run<T>(spec: IoctlSpec, decode: Decoder<T>): T {
    const flags = spec.flags ?? 0;
    if (!this.driver || (this.transactions && carriesUdevCookie(spec.command, flags))) return this.perform(this.exchange(spec, decode));
    this.assertOpen();
    this.refuseFlags(spec);
    const call = this.open(spec, this.driver);
    try {
      for (;;) {
        const errno = this.transport.send(this.fd, call.command.request, this.encode(call));
        const reply = this.answer(call, errno);
        if (reply) return decode(call.slot.buffer, this.names.reply(reply, spec.command));
      }
    } finally {
      this.release(call.slot, call.wipe);
    }
  }

  /** One request and its reply, without blocking the event loop. */
  runAsync<T>(spec: IoctlSpec, decode: Decoder<T>, signal?: AbortSignal): Promise<T> {
    return this.performAsync(this.exchange(spec, decode), signal);
  }

  /** The driver's interface version, asked once per handle. */
  driverVersion(): [number, number, number] {
    return this.driver ?? this.perform(this.driverVersionSteps());
  }

  /** True when the driver's interface is at least 4.`minor`. */
  driverAtLeast(minor: number): boolean {
    return this.driverVersion()[1] >= minor;
  }

  /** The driver's version as a step of a larger operation (asked on the first use only). */
  *driverVersionSteps(): Steps<[number, number, number]> {
    if (this.driver) return this.driver;
    const version = yield* this.exchange({ command: 'VERSION', operation: 'version' }, (_, header) => header.version);
    if (version[0] !== DM_VERSION_MAJOR) {
      throw dmError('unsupported', 'ENOTSUP', `The device-mapper driver speaks interface ${version.join('.')}; this library needs 4.x`, {
        command: 'VERSION',
        operation: 'version',
      });
    }
    this.driver = version;
    return version;
  }

  /**
   * The exchange loop: encode, send, resend larger on BUFFER_FULL, decode. With a transaction
   * (a udev cookie), it is begun before the send, cancelled on failure and ended after the reply.
   */
  *exchange<T>(spec: IoctlSpec, decode: Decoder<T>): Steps<T> {
    this.refuseFlags(spec);
    const call = this.open(spec, spec.command === 'VERSION' ? undefined : (this.driver ?? (yield* this.driverVersionSteps())));
    const blocking = mayBlock(spec.command, call.flags);
    // The transaction until it is cancelled or ended; `done` is the kernel's answer once an ioctl succeeded.
    let open: IoctlTransaction | undefined;
    let done: ReplyView | undefined;
    try {
      const transaction = carriesUdevCookie(spec.command, call.flags) ? this.transactions?.(spec, call.flags) : undefined;
      open = transaction;
      if (transaction) call.header.eventNr = transaction.eventNr;
      for (;;) {
        const step: Step = { kind: 'send', request: call.command.request, buffer: this.encode(call), blocking };
        const errno = (yield step) as number;
        if (errno !== 0) {
          open = undefined;
          transaction?.cancel();
        }
        const reply = this.answer(call, errno);
        if (reply) {
          done = reply;
          // Callers see names unmangled; the transaction (node keeping) gets the kernel's.
          const result = decode(call.slot.buffer, this.names.reply(reply, spec.command));
          open = undefined;
          if (transaction) yield* transaction.end(reply);
          return result;
        }
      }
    } catch (error) {
      // Any other failure with the transaction still open (a reply that cannot be decoded, its
      // names refused by the mangling; a cancel or a transport error at the send): the kernel's
      // work is finished as after a success (udev owes its event), or taken back if nothing was done.
      if (open) yield* settleTransaction(open, done);
      throw error;
    } finally {
      this.release(call.slot, call.wipe);
    }
  }

  /** Refuses flag bits the command does not take (before anything is sent, VERSION included). */
  private refuseFlags(spec: IoctlSpec): void {
    const refused = (spec.flags ?? 0) & ~(COMMANDS[spec.command].flags | ALWAYS_ALLOWED_FLAGS);
    if (refused) {
      throw dmError('invalid-argument', 'EINVAL', `Flags 0x${refused.toString(16)} are not valid for the ${spec.command} ioctl`, {
        command: spec.command,
      });
    }
  }

  /**
   * Checks a request against the driver's version (unless it is VERSION itself), builds its
   * header and takes a buffer for it. Before any send.
   */
  private open(spec: IoctlSpec, driver: readonly [number, number, number] | undefined): Call {
    const command = COMMANDS[spec.command];
    const flags = (spec.flags ?? 0) | (spec.command === 'VERSION' ? 0 : this.extraFlags);
    if (driver) this.checkDriverKnows(command, spec, driver);
    const header = requestHeader(spec, flags, command, this.names);
    const slot = this.acquire(spec.command, requestSize(spec.payload));
    // Wiped on every way out (a failed ioctl, a decoder's throw, a grown buffer) when it held keys.
    const wipe = spec.secure === true || replyMayCarrySecrets(spec.command, flags);
    return { spec, command, flags, header, slot, wipe, written: 0, mark: undefined };
  }

  /** Writes the request into its buffer, the one to send (with libdm's debug line, when asked). */
  private encode(call: Call): Buffer {
    const slot = call.slot;
    call.written = encodeRequest(slot.buffer, call.header, call.spec.payload, slot.dirty);
    // Until the reply says how much the kernel wrote, all of it may be dirty.
    slot.dirty = slot.buffer.length;
    this.debug?.(ioctlDebugLine(call.spec, call.header, slot.buffer.length));
    call.mark = this.kernelLog?.mark();
    return slot.buffer;
  }

  /**
   * What the kernel answered: the reply, or undefined when it needs more room (the call then has
   * a larger buffer, to send again). A failed ioctl throws its DmError.
   */
  private answer(call: Call, errno: number): ReplyView | undefined {
    const { spec, slot } = call;
    if (errno !== 0) throw failure(spec, errno, this.names, this.kernelLog?.since(call.mark));
    const reply = new ReplyView(slot.buffer);
    if (!call.command.growable || !(reply.flags & DmFlag.BUFFER_FULL)) {
      // The kernel copies back exactly data_size bytes; our request may have reached further.
      slot.dirty = Math.max(call.written, Math.min(reply.dataSize, slot.buffer.length));
      return reply;
    }
    call.slot = this.grow(slot, spec, call.wipe);
    return undefined;
  }

  /** Refuses a command the driver is too old for (the version is asked once per handle). */
  private checkDriverKnows(command: CommandRecord, spec: IoctlSpec, driver: readonly [number, number, number]): void {
    const minimum = command.minVersion;
    if (driver[1] < minimum[1]) {
      throw dmError(
        'unsupported',
        'ENOTSUP',
        `The ${spec.command} ioctl needs device-mapper interface ${minimum.join('.')} or newer; the driver is ${driver.join('.')}`,
        { command: spec.command, operation: spec.operation },
      );
    }
  }

  /** Doubles the buffer; later requests of this command on this handle start at the larger size. */
  private grow(slot: Slot, spec: IoctlSpec, wipe: boolean): Slot {
    const size = slot.buffer.length * 2;
    if (size > this.maxBufferSize) {
      throw dmError('protocol', 'ENOBUFS', `The kernel's reply to ${spec.command} needs more than ${this.maxBufferSize} bytes (the buffer cap)`, {
        command: spec.command,
        operation: spec.operation,
        device: spec.device,
      });
    }
    this.grownSizes.set(spec.command, Math.max(this.grownSizes.get(spec.command) ?? 0, size));
    this.release(slot, wipe);
    return this.acquire(spec.command, size);
  }

  /**
   * The smallest spare buffer that holds what the command needs (its remembered size, or 16 KiB),
   * else a new one: page-sized, so the kernel's copies of data_size bytes stay page-aligned in
   * length. Plain memory: an async call copies it for the thread that sends it.
   */
  private acquire(command: DmCommandName, minimum: number): Slot {
    const size = Math.max(this.grownSizes.get(command) ?? INITIAL_BUFFER_SIZE, minimum);
    let best = -1;
    for (let i = 0; i < this.spares.length; i++) {
      const length = this.spares[i]!.buffer.length;
      if (length >= size && (best === -1 || length < this.spares[best]!.buffer.length)) best = i;
    }
    if (best !== -1) {
      const slot = this.spares[best]!;
      this.spares[best] = this.spares[this.spares.length - 1]!;
      this.spares.pop();
      return slot;
    }
    return { buffer: Buffer.alloc(Math.ceil(size / 4096) * 4096), dirty: 0 };
  }

  /** Takes a buffer back; one that carried a key (a secure load, a table reply) is wiped first. */
  private release(slot: Slot, wipe: boolean): void {
    if (wipe) {
      slot.buffer.fill(0, 0, slot.dirty);
      slot.dirty = 0;
    }
    if (this.spares.length < SPARE_BUFFERS) this.spares.push(slot);
  }

  private assertOpen(): void {
    if (this.closed) throw closedHandleError();
  }
}

/**
 * Closes a transaction left open by a failure that is not the ioctl's own: ended with the reply of
 * an ioctl that succeeded (its udev wait and node work run), cancelled when none did. The
 * failure that got here is the one reported; this one's own failure is not.
 */
function* settleTransaction(transaction: IoctlTransaction, reply: ReplyHeader | undefined): Steps<void> {
  try {
    if (reply) yield* transaction.end(reply);
    else transaction.cancel();
  } catch {
    // The first failure is what the caller must hear about.
  }
}
