/**
 * The library's own threads for calls that can block in the kernel (suspend, resume, remove,
 * load, a pool's status, a udev wait). They are not libuv's pool: four blocked calls there stop
 * `fs.promises`, DNS and every other async call of the process. Each thread runs one call at a
 * time; a call that finds no idle thread gets a new one, so a blocked call never delays another.
 * Idle threads do not keep the process alive, and a few are kept for the next calls.
 *
 * Memory is shared, not copied: the ioctl buffer lives in a SharedArrayBuffer that the thread
 * hands to the kernel as it is.
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

/** What each thread runs: libc bound through koffi, one call per message. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const lib = koffi.load(workerData.soname);
const ioctl = lib.func(workerData.ioctl);
const bound = {};
const memory = (arg) => (arg && arg.shared ? Buffer.from(arg.shared, arg.offset, arg.length) : arg);
parentPort.on('message', ({ id, fd, request, shared, offset, length, call, args }) => {
  if (call) {
    bound[call] ??= lib.func(workerData.calls[call]);
    const result = Number(bound[call](...args.map(memory)));
    return parentPort.postMessage({ id, result, errno: result < 0 ? koffi.errno() : 0 });
  }
  const result = ioctl(fd, request, Buffer.from(shared, offset, length));
  parentPort.postMessage({ id, errno: result < 0 ? koffi.errno() : 0 });
});
`;

/** Idle threads kept for the next calls; more are made when more calls are under way at once. */
const KEEP_IDLE = 4;

interface Pending {
  resolve: (answer: { errno: number; result?: number }) => void;
  reject: (error: unknown) => void;
}

/** A thread and the call it is running. */
interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A Buffer whose memory another thread can use (a copy when it is not shared already). */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

function isShared(buffer: Buffer): boolean {
  return buffer.buffer instanceof SharedArrayBuffer;
}

/** A set of threads for blocking calls; its owner ends them with `end()`. */
export class BlockingThreads {
  private readonly idle: Thread[] = [];
  private readonly all = new Set<Thread>();
  private nextId = 1;
  private workerData: object | undefined;

  /** Runs ioctl(fd, request, buffer) on a thread of ours; resolves with 0 or the errno. */
  async ioctl(fd: number, request: number, buffer: Buffer): Promise<number> {
    if (isShared(buffer)) return this.run(fd, request, buffer);
    const copy = sharedBuffer(buffer.length);
    buffer.copy(copy);
    try {
      const errno = await this.run(fd, request, copy);
      copy.copy(buffer);
      return errno;
    } finally {
      copy.fill(0); // it may have carried a table with keys
    }
  }

  private async run(fd: number, request: number, buffer: Buffer): Promise<number> {
    const message = { fd, request, shared: buffer.buffer, offset: buffer.byteOffset, length: buffer.length };
    return (await this.post(message)).errno;
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
    const thread = this.idle.pop() ?? this.spawn();
    thread.worker.ref(); // a call under way keeps the process alive, as any pending I/O does
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, ...message });
    });
  }

  private spawn(): Thread {
    this.workerData ??= {
      koffi: createRequire(import.meta.url).resolve('koffi'),
      soname: LIBC_SONAME,
      ioctl: LibcPrototypes.ioctl,
      calls: BLOCKING_CALLS,
    };
    // execArgv: [] — the source is CommonJS, whatever flags (--input-type=module) the process has.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: this.workerData });
    const thread: Thread = { worker, pending: new Map() };
    this.all.add(thread);
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
    const threads = [...this.all];
    for (const thread of threads) this.forget(thread);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private forget(thread: Thread): void {
    this.all.delete(thread);
    const index = this.idle.indexOf(thread);
    if (index !== -1) this.idle.splice(index, 1);
  }

  /** A thread whose call is done: kept idle (not keeping the process alive), or ended. */
  private done(thread: Thread): void {
    thread.worker.unref();
    if (this.idle.length < KEEP_IDLE) this.idle.push(thread);
    else {
      this.forget(thread);
      void thread.worker.terminate();
    }
  }
}

/** The process's threads for blocking calls that belong to no handle (udev waits); idle ones never keep it alive. */
export const processThreads = new BlockingThreads();
