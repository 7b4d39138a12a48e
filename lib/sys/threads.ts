/**
 * The library's own threads for calls that can block in the kernel (suspend, resume, remove,
 * load, a pool's status, a udev wait). They are not libuv's pool: four blocked calls there stop
 * `fs.promises`, DNS and every other async call of the process. Each thread runs one call at a
 * time; a call that finds no idle thread gets a new one, so a blocked call never delays another.
 * Idle threads do not keep the process alive, and a few are kept for the next calls.
 *
 * Each ioctl thread has its own shared memory, which the caller's buffer is copied into and back
 * (two memcpys; the sync path, which is most calls, keeps plain buffers, faster to write and read).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LIBC_SONAME, LibcPrototypes, NetlinkPrototypes, SysvSemPrototypes } from '../../native-defs/index.js';

/** The other blocking calls a thread can run (a udev cookie wait, a poll of udev's socket). */
const BLOCKING_CALLS = { semtimedop: SysvSemPrototypes.semtimedop, poll: NetlinkPrototypes.poll } as const;
export type BlockingCall = keyof typeof BLOCKING_CALLS;

/** What a blocking call returned, and its errno when that was negative. */
export interface BlockingResult {
  result: number;
  errno: number;
}

/** The control words an ioctl thread and the main thread share (Int32 slots). */
const SEQ = 0; // bumped for each request: the thread sleeps on it
const STATE = 1; // PENDING while the thread works, DONE when the answer is in
const FD = 2;
const REQUEST = 3;
const LENGTH = 4;
const ERRNO = 5;
const CONTROL_WORDS = 6;
const PENDING = 1;

/**
 * What each thread runs: libc bound through koffi. An ioctl thread (the hot one: every suspend,
 * resume, remove) sleeps in Atomics.wait on its control words and answers with Atomics.notify:
 * no message to serialize, no event loop turn on its side, and the buffer is its own shared
 * memory, given once. A call thread (udev waits) takes one message per call.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const lib = koffi.load(workerData.soname);
if (workerData.control) {
  const ioctl = lib.func(workerData.ioctl);
  const control = new Int32Array(workerData.control);
  const data = Buffer.from(workerData.data);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, ${SEQ}, seen);
    const now = Atomics.load(control, ${SEQ});
    if (now === seen) continue;
    seen = now;
    const result = ioctl(control[${FD}], control[${REQUEST}] >>> 0, data.subarray(0, control[${LENGTH}]));
    control[${ERRNO}] = result < 0 ? koffi.errno() : 0;
    Atomics.store(control, ${STATE}, 0);
    Atomics.notify(control, ${STATE});
  }
}
const bound = {};
const memory = (arg) => (arg && arg.shared ? Buffer.from(arg.shared, arg.offset, arg.length) : arg);
parentPort.on('message', ({ id, call, args }) => {
  bound[call] ??= lib.func(workerData.calls[call]);
  const result = Number(bound[call](...args.map(memory)));
  parentPort.postMessage({ id, result, errno: result < 0 ? koffi.errno() : 0 });
});
`;

/** Idle threads kept for the next calls (of each kind); more are made when more calls are under way at once. */
const KEEP_IDLE = 4;
/** The smallest shared buffer an ioctl thread gets (libdevmapper's, and our, first ioctl size). */
const MIN_IOCTL_MEMORY = 16 * 1024;

interface Pending {
  resolve: (answer: { errno: number; result?: number }) => void;
  reject: (error: unknown) => void;
}

/** A thread for calls, and the call it is running. */
interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A thread for ioctls: its control words and its buffer, both shared with it. */
interface IoctlThread {
  worker: Worker;
  control: Int32Array;
  data: Buffer;
  /** Fails the call under way (the thread died). */
  fail: ((error: unknown) => void) | undefined;
}

/** A Buffer whose memory another thread can use (a copy when it is not shared already). */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** Zeros to wipe shared memory with: copying them is a memcpy, where fill() on shared memory goes byte by byte. */
let zeros = Buffer.alloc(MIN_IOCTL_MEMORY);
function wipe(buffer: Buffer, length: number): void {
  if (zeros.length < length) zeros = Buffer.alloc(length);
  zeros.copy(buffer, 0, 0, length);
}

/** Atomics.waitAsync (Node 16+; TypeScript types it from lib es2024 on, which this build does not use). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** A set of threads for blocking calls; its owner ends them with `end()`. */
export class BlockingThreads {
  private readonly idle: Thread[] = [];
  private readonly idleIoctl: IoctlThread[] = [];
  private readonly all = new Set<Worker>();
  private nextId = 1;
  private workerData: { koffi: string; soname: string; ioctl: string; calls: typeof BLOCKING_CALLS } | undefined;

  /**
   * Runs ioctl(fd, request, buffer) on a thread of ours; resolves with 0 or the errno. The buffer
   * is copied into the thread's shared memory and back, which is wiped after (it may have carried
   * a table with keys).
   */
  async ioctl(fd: number, request: number, buffer: Buffer): Promise<number> {
    const length = buffer.length;
    const thread = this.ioctlThread(length);
    thread.worker.ref(); // a call under way keeps the process alive, as any pending I/O does
    buffer.copy(thread.data, 0, 0, length);
    const control = thread.control;
    control[FD] = fd;
    control[REQUEST] = request | 0;
    control[LENGTH] = length;
    Atomics.store(control, STATE, PENDING);
    Atomics.add(control, SEQ, 1);
    Atomics.notify(control, SEQ);
    try {
      await this.answered(thread);
    } catch (error) {
      this.all.delete(thread.worker);
      throw error;
    }
    thread.data.copy(buffer, 0, 0, length);
    wipe(thread.data, length);
    this.doneIoctl(thread);
    return control[ERRNO]!;
  }

  /** Settles when the thread has answered (or rejects when it died first). */
  private answered(thread: IoctlThread): Promise<void> {
    return new Promise((resolve, reject) => {
      thread.fail = reject;
      const wait = waitAsync(thread.control, STATE, PENDING);
      if (!wait.async) resolve();
      else wait.value.then(() => resolve(), reject);
    });
  }

  /** An idle ioctl thread whose memory holds `length` bytes, or a new one. */
  private ioctlThread(length: number): IoctlThread {
    const index = this.idleIoctl.findIndex((thread) => thread.data.length >= length);
    if (index !== -1) return this.idleIoctl.splice(index, 1)[0]!;
    let size = MIN_IOCTL_MEMORY;
    while (size < length) size *= 2;
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const data = sharedBuffer(size);
    const worker = this.spawn({ control: control.buffer, data: data.buffer });
    const thread: IoctlThread = { worker, control, data, fail: undefined };
    const fail = (error: unknown): void => {
      this.forgetIoctl(thread);
      thread.fail?.(error);
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('a blocking-call thread ended during its call')));
    return thread;
  }

  private doneIoctl(thread: IoctlThread): void {
    thread.fail = undefined;
    thread.worker.unref();
    if (this.all.has(thread.worker) && this.idleIoctl.length < KEEP_IDLE) this.idleIoctl.push(thread);
    else {
      this.forgetIoctl(thread);
      void thread.worker.terminate();
    }
  }

  private forgetIoctl(thread: IoctlThread): void {
    this.all.delete(thread.worker);
    const index = this.idleIoctl.indexOf(thread);
    if (index !== -1) this.idleIoctl.splice(index, 1);
  }

  /**
   * Runs `call` (semtimedop, poll) with `args` on a thread of ours. Buffer arguments are copied
   * into shared memory and back (poll writes its revents there).
   */
  async call(call: BlockingCall, args: ReadonlyArray<number | Buffer | null>): Promise<BlockingResult> {
    const copies = args.map((arg) => {
      if (!Buffer.isBuffer(arg)) return arg;
      const copy = sharedBuffer(arg.length);
      arg.copy(copy);
      return copy;
    });
    const answer = await this.post({
      call,
      args: copies.map((arg) => (Buffer.isBuffer(arg) ? { shared: arg.buffer, offset: arg.byteOffset, length: arg.length } : arg)),
    });
    args.forEach((arg, i) => Buffer.isBuffer(arg) && (copies[i] as Buffer).copy(arg));
    return { result: answer.result ?? 0, errno: answer.errno };
  }

  private post(message: object): Promise<{ errno: number; result?: number }> {
    const thread = this.idle.pop() ?? this.spawnCallThread();
    thread.worker.ref(); // a call under way keeps the process alive, as any pending I/O does
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, ...message });
    });
  }

  private spawn(extra: object): Worker {
    this.workerData ??= {
      koffi: createRequire(import.meta.url).resolve('koffi'),
      soname: LIBC_SONAME,
      ioctl: LibcPrototypes.ioctl,
      calls: BLOCKING_CALLS,
    };
    // execArgv: [] — the source is CommonJS, whatever flags (--input-type=module) the process has.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { ...this.workerData, ...extra } });
    this.all.add(worker);
    return worker;
  }

  private spawnCallThread(): Thread {
    const worker = this.spawn({});
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', ({ id, errno, result }: { id: number; errno: number; result?: number }) => {
      const call = thread.pending.get(id);
      thread.pending.delete(id);
      this.done(thread);
      call?.resolve(result === undefined ? { errno } : { errno, result });
    });
    worker.on('error', (error) => {
      for (const call of thread.pending.values()) call.reject(error);
      thread.pending.clear();
      this.forget(thread);
    });
    return thread;
  }

  /** Ends every thread (their fds and memory go with them); calls still under way are not waited for. */
  async end(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    this.idleIoctl.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private forget(thread: Thread): void {
    this.all.delete(thread.worker);
    const index = this.idle.indexOf(thread);
    if (index !== -1) this.idle.splice(index, 1);
  }

  /** A thread whose call is done: kept idle (not keeping the process alive), or ended. */
  private done(thread: Thread): void {
    thread.worker.unref();
    if (this.all.has(thread.worker) && this.idle.length < KEEP_IDLE) this.idle.push(thread);
    else {
      this.forget(thread);
      void thread.worker.terminate();
    }
  }
}

/** The process's threads for blocking calls that belong to no handle (udev waits); idle ones never keep it alive. */
export const processThreads = new BlockingThreads();
