/**
 * One thread that sleeps in poll(2) on a handle's fds (the control fd armed with DM_DEV_ARM_POLL,
 * and the kernel uevent socket while a stream is open) and says which became readable. Every
 * pending wait of a handle shares it, so a hundred waits cost one thread, not a hundred blocked
 * ones. It polls in slices and checks its flags between them, so stopping it, or taking back a
 * poll to change the fds, never waits on the kernel for longer than one slice.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LIBC_SONAME } from '../../native-defs/index.js';

const POLL_PROTOTYPE = 'int poll(void *fds, unsigned long nfds, int timeout)';
/** How long one poll(2) may sleep before the thread looks at its stop flag. */
const SLICE_MS = 200;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const poll = koffi.load(workerData.soname).func(workerData.poll);
const flags = new Int32Array(workerData.flags); // [0]: stop, [1]: give the poll under way back
parentPort.on('message', (fds) => {
  const pollfds = Buffer.alloc(8 * fds.length); // struct pollfd { int fd; short events; short revents; }
  fds.forEach((fd, i) => pollfds.writeInt32LE(fd, 8 * i));
  for (;;) {
    if (Atomics.load(flags, 0) === 1) return;
    if (Atomics.exchange(flags, 1, 0) === 1) return parentPort.postMessage({ ready: [] });
    for (let i = 0; i < fds.length; i++) {
      pollfds.writeInt16LE(1, 8 * i + 4); // POLLIN
      pollfds.writeInt16LE(0, 8 * i + 6);
    }
    const ready = poll(pollfds, fds.length, workerData.slice);
    if (ready > 0) return parentPort.postMessage({ ready: fds.filter((_, i) => pollfds.readInt16LE(8 * i + 6) !== 0) });
    if (ready < 0 && koffi.errno() !== 4) return parentPort.postMessage({ errno: koffi.errno() });
  }
});
`;

export class PollThread {
  private readonly worker: Worker;
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));

  /**
   * `onReady` is called once after each `poll()`: with errno 0 and the fds that are readable (or
   * in error), with none after `interrupt()`, or with poll(2)'s errno.
   */
  constructor(onReady: (errno: number, ready: number[]) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The source is CommonJS, whatever flags (--input-type=module) the process has.
      execArgv: [],
      workerData: {
        koffi: createRequire(import.meta.url).resolve('koffi'),
        soname: LIBC_SONAME,
        poll: POLL_PROTOTYPE,
        slice: SLICE_MS,
        flags: this.flags.buffer,
      },
    });
    this.worker.on('message', (message: { ready?: number[]; errno?: number }) => {
      this.worker.unref();
      onReady(message.errno ?? 0, message.ready ?? []);
    });
    // A thread that cannot run fails the waits (EIO) instead of the process.
    this.worker.on('error', () => onReady(5, []));
    this.worker.unref();
  }

  /** Sleeps in poll(2) until one of `fds` is readable; a poll under way keeps the process alive. */
  poll(fds: readonly number[]): void {
    this.worker.ref();
    this.worker.postMessage([...fds]);
  }

  /** Makes the poll under way report back with no fd ready, within one slice (to poll other fds, or to close one). */
  interrupt(): void {
    Atomics.store(this.flags, 1, 1);
  }

  /** Ends the thread (within one slice). */
  async stop(): Promise<void> {
    Atomics.store(this.flags, 0, 1);
    await this.worker.terminate();
  }
}
