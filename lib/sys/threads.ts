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
import { LIBC_SONAME, LibcPrototypes } from '../../native-defs/index.js';

/** What each thread runs: libc bound through koffi, one call per message. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const lib = koffi.load(workerData.soname);
const ioctl = lib.func(workerData.ioctl);
parentPort.on('message', ({ id, fd, request, shared, offset, length }) => {
  const result = ioctl(fd, request, Buffer.from(shared, offset, length));
  parentPort.postMessage({ id, errno: result < 0 ? koffi.errno() : 0 });
});
`;

/** Idle threads kept for the next calls; more are made when more calls are under way at once. */
const KEEP_IDLE = 4;

interface Pending {
  resolve: (errno: number) => void;
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

  private run(fd: number, request: number, buffer: Buffer): Promise<number> {
    const thread = this.idle.pop() ?? this.spawn();
    thread.worker.ref(); // a call under way keeps the process alive, as any pending I/O does
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, fd, request, shared: buffer.buffer, offset: buffer.byteOffset, length: buffer.length });
    });
  }

  private spawn(): Thread {
    this.workerData ??= {
      koffi: createRequire(import.meta.url).resolve('koffi'),
      soname: LIBC_SONAME,
      ioctl: LibcPrototypes.ioctl,
    };
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.workerData });
    const thread: Thread = { worker, pending: new Map() };
    this.all.add(thread);
    worker.on('message', ({ id, errno }: { id: number; errno: number }) => {
      const call = thread.pending.get(id);
      thread.pending.delete(id);
      this.done(thread);
      call?.resolve(errno);
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
