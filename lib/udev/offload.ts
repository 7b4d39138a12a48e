/**
 * The blocking udev waits, run off the event loop and off libuv's thread pool: on the library's
 * own threads (lib/sys/threads.ts), so a wait for udev never stalls `fs.promises` or DNS.
 */
import { processThreads, type BlockingResult } from '../sys/threads.js';

export type { BlockingResult } from '../sys/threads.js';

/** semtimedop(semid, ops, 1, timeout) off the event loop. */
export function semtimedopOffLoop(semid: number, ops: Buffer, timeout: Buffer): Promise<BlockingResult> {
  return processThreads.call('semtimedop', [semid, ops, 1, timeout]);
}

/** poll(fds, count, timeoutMs) off the event loop; the revents land in `fds`. */
export function pollOffLoop(fds: Buffer, count: number, timeoutMs: number): Promise<BlockingResult> {
  return processThreads.call('poll', [fds, count, timeoutMs]);
}
