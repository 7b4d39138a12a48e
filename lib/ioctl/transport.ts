/**
 * The seam between the exchange loop and the kernel: a Transport sends one ioctl on the control
 * fd and says how it went (0, or the errno), in a blocking and a non-blocking form.
 *
 * The default is libc's ioctl(2) through koffi. Host tests pass a scripted transport that answers
 * from a list of replies, so every branch of the loop (buffer growth, the cap, EBUSY, EINTR,
 * malformed replies, an old driver) is tested without a kernel; the VM tests then show that the
 * kernel behaves as scripted.
 */
import { closeSync } from 'node:fs';
import { libc } from '../sys/libc.js';
import { BlockingThreads } from '../sys/threads.js';

/**
 * How requests reach the kernel: the seam under DmIoctl. The default, `libcTransport()`, calls
 * ioctl(2); a host test of a tool built on the library passes a scripted one to
 * `DeviceMapper.open({ transport })` (test/helpers/scripted-transport.ts is one), so no kernel is
 * needed.
 */
export interface Transport {
  /** Sends `request` with `buffer` on `fd`, blocking; returns 0 on success, else the errno. */
  send(fd: number, request: number, buffer: Buffer): number;
  /** The same without blocking the event loop (for ioctls that can block: suspend, remove, wait). */
  sendAsync(fd: number, request: number, buffer: Buffer): Promise<number>;
  /** Closes the control fd (once every operation under way on it has finished), and what goes with it. */
  close(fd: number): void | Promise<void>;
}

/**
 * libc's ioctl(2) through koffi. The async form runs on threads of this transport's own (not
 * libuv's pool), which end when the fd is closed: a handle takes its threads with it.
 */
export function libcTransport(): Transport {
  const threads = new BlockingThreads();
  return {
    send(fd, request, buffer) {
      return libc().ioctl(fd, request, buffer) < 0 ? libc().errno() : 0;
    },
    sendAsync(fd, request, buffer) {
      return threads.ioctl(fd, request, buffer);
    },
    close(fd) {
      closeSync(fd);
      return threads.end();
    },
  };
}
