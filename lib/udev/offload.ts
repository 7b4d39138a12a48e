/**
 * The blocking udev waits, run off the event loop. For now on koffi's `.async` (a koffi worker
 * on libuv's thread pool); this is the one place to point at the library's own thread later.
 */
import { sysvSem, netlinkLibc } from '../sys/libc.js';

/** What a blocking call returned, and its errno when that was negative. */
export interface BlockingResult {
  result: number;
  errno: number;
}

function settle(resolve: (value: BlockingResult) => void, reject: (error: unknown) => void, errno: () => number) {
  return (error: unknown, result: number): void => {
    if (error) reject(error);
    else resolve({ result, errno: result < 0 ? errno() : 0 });
  };
}

/** semtimedop(semid, ops, 1, timeout) off the event loop. */
export function semtimedopOffLoop(semid: number, ops: Buffer, timeout: Buffer): Promise<BlockingResult> {
  const libc = sysvSem();
  return new Promise((resolve, reject) => libc.semtimedop.async(semid, ops, 1, timeout, settle(resolve, reject, libc.errno)));
}

/** poll(fds, count, timeoutMs) off the event loop. */
export function pollOffLoop(fds: Buffer, count: number, timeoutMs: number): Promise<BlockingResult> {
  const libc = netlinkLibc();
  return new Promise((resolve, reject) => libc.poll.async(fds, count, timeoutMs, settle(resolve, reject, libc.errno)));
}
