/**
 * One thread that sleeps in poll(2) on an armed control fd (DM_DEV_ARM_POLL) and says when any
 * device's event counter has moved. Every pending wait of a handle shares it, so a hundred waits
 * cost one thread, not a hundred blocked ones. It polls in slices and checks a stop flag between
 * them, so stopping it never waits on the kernel.
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
const stop = new Int32Array(workerData.stop);
const pollfd = new ArrayBuffer(8); // struct pollfd { int fd; short events; short revents; }
new Int32Array(pollfd, 0, 1)[0] = workerData.fd;
const events = new Int16Array(pollfd, 4, 2);
parentPort.on('message', () => {
  for (;;) {
    if (Atomics.load(stop, 0) === 1) return;
    events[0] = 1; // POLLIN
    events[1] = 0;
    const ready = poll(Buffer.from(pollfd), 1, workerData.slice);
    if (ready > 0) return parentPort.postMessage({ ready: true });
    if (ready < 0 && koffi.errno() !== 4) return parentPort.postMessage({ errno: koffi.errno() });
  }
});
`;

export class PollThread {
  private readonly worker: Worker;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));

  /** `onReady` is called after each `poll()` request once the fd is readable (or with an errno). */
  constructor(fd: number, onReady: (errno: number) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The source is CommonJS, whatever flags (--input-type=module) the process has.
      execArgv: [],
      workerData: {
        koffi: createRequire(import.meta.url).resolve('koffi'),
        soname: LIBC_SONAME,
        poll: POLL_PROTOTYPE,
        fd,
        slice: SLICE_MS,
        stop: this.stopFlag.buffer,
      },
    });
    this.worker.on('message', (message: { ready?: boolean; errno?: number }) => {
      this.worker.unref();
      onReady(message.errno ?? 0);
    });
    // A thread that cannot run fails the waits (EIO) instead of the process.
    this.worker.on('error', () => onReady(5));
    this.worker.unref();
  }

  /** Sleeps in poll(2) until the fd is readable; a wait under way keeps the process alive. */
  poll(): void {
    this.worker.ref();
    this.worker.postMessage('poll');
  }

  /** Ends the thread (within one slice). */
  async stop(): Promise<void> {
    Atomics.store(this.stopFlag, 0, 1);
    await this.worker.terminate();
  }
}
