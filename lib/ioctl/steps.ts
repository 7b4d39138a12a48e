/**
 * Operations written once, run two ways. A multi-step operation (remove with retry, create + load
 * + resume with its revert, resume + read-ahead, a udev wait) is a generator that yields the
 * effects it needs, and a driver performs them: `performSync` blocking the thread, `performAsync`
 * without blocking the event loop. The operation's logic, its error handling included, exists
 * once; only the drivers know about the two worlds.
 */
import { cancelledError } from '../errors.js';
import { sleep, sleepSync } from '../sleep.js';
import type { Transport } from './transport.js';

/** One thing an operation needs done by its driver. */
export type Step =
  /**
   * An ioctl on the control fd; the generator is resumed with 0 or the errno. One that cannot
   * block (`blocking` false) is sent in place by the async driver too.
   */
  | { readonly kind: 'send'; readonly request: number; readonly buffer: Buffer; readonly blocking: boolean }
  /** A pause (between retries). */
  | { readonly kind: 'sleep'; readonly ms: number }
  /** Any other call that can block (a udev cookie wait): its blocking and its promise form. */
  | { readonly kind: 'block'; readonly sync: () => unknown; readonly async: () => Promise<unknown> };

/** An operation that yields Steps and returns T. */
export type Steps<T> = Generator<Step, T, unknown>;

/** Sends an ioctl; resumes with 0 or the errno. */
export function* send(request: number, buffer: Buffer, blocking: boolean): Steps<number> {
  return (yield { kind: 'send', request, buffer, blocking }) as number;
}

/** Pauses `ms` milliseconds. */
export function* pause(ms: number): Steps<void> {
  if (ms > 0) yield { kind: 'sleep', ms };
}

/** Runs a blocking call, in the thread (sync driver) or as a promise (async driver). */
export function* blocking<T>(sync: () => T, async: () => Promise<T>): Steps<T> {
  return (yield { kind: 'block', sync, async }) as T;
}

/** Runs `steps` to the end, blocking the thread for each step. */
export function performSync<T>(steps: Steps<T>, transport: Transport, fd: number): T {
  let next = steps.next();
  while (!next.done) {
    let input: unknown;
    try {
      input = perform(next.value, transport, fd);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(input);
  }
  return next.value;
}

/**
 * Runs `steps` to the end without blocking the event loop. When `signal` aborts, the step under
 * way finishes (an ioctl cannot be taken back) and the next one is not performed: the operation
 * sees a DmError ECANCELED there (once), so its own clean-up (a create's revert) still runs.
 */
export async function performAsync<T>(steps: Steps<T>, transport: Transport, fd: number, signal?: AbortSignal): Promise<T> {
  let next = steps.next();
  let cancelSeen = false;
  while (!next.done) {
    let input: unknown;
    try {
      // Once: the steps that follow are the operation's own clean-up, and must run.
      if (signal?.aborted && !cancelSeen) {
        cancelSeen = true;
        throw cancelledError('The operation');
      }
      input = await performLater(next.value, transport, fd);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(input);
  }
  return next.value;
}

function perform(step: Step, transport: Transport, fd: number): unknown {
  switch (step.kind) {
    case 'send':
      return transport.send(fd, step.request, step.buffer);
    case 'sleep':
      return sleepSync(step.ms);
    case 'block':
      return step.sync();
  }
}

function performLater(step: Step, transport: Transport, fd: number): Promise<unknown> | unknown {
  switch (step.kind) {
    case 'send':
      return step.blocking ? transport.sendAsync(fd, step.request, step.buffer) : transport.send(fd, step.request, step.buffer);
    case 'sleep':
      return sleep(step.ms);
    case 'block':
      return step.async();
  }
}
