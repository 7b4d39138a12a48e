/**
 * When and how long to wait before retrying an operation that failed with EBUSY (dmsetup's
 * `--retry`: 25 attempts, 200 ms apart); shared by remove and, later, by udev waits.
 */
import { invalidArgument, isDmError, type DmError } from './errors.js';

/** How `remove({ retry })` retries on EBUSY; every field is optional and defaults to dmsetup --retry. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 25, as dmsetup --retry). */
  attempts?: number;
  /** Delay before the second attempt, in ms (default 200). */
  delayMs?: number;
  /** Each further delay is multiplied by this (default 1: dmsetup's fixed 200 ms). */
  backoff?: number;
  /** Called after each EBUSY failure that will be retried. */
  onRetry?: (error: DmError, attempt: number) => void;
}

/** dmsetup --retry's policy. */
export const DEFAULT_RETRY: Readonly<Required<Omit<RetryOptions, 'onRetry'>>> = { attempts: 25, delayMs: 200, backoff: 1 };

/** One retry loop's state: call `delayAfter` with each failure. */
export class BusyRetry {
  private readonly attempts: number;
  private readonly backoff: number;
  private readonly onRetry: RetryOptions['onRetry'];
  private delay: number;

  /** `true`: the default policy; an object: the default with these changes; else one attempt. */
  constructor(retry: boolean | RetryOptions | undefined) {
    const policy = retry === true ? DEFAULT_RETRY : retry ? { ...DEFAULT_RETRY, ...retry } : { ...DEFAULT_RETRY, attempts: 1 };
    if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw invalidArgument('retry.attempts must be at least 1');
    this.attempts = policy.attempts;
    this.backoff = policy.backoff;
    this.delay = policy.delayMs;
    this.onRetry = typeof retry === 'object' ? retry.onRetry : undefined;
  }

  /** The delay before the next attempt; rethrows `error` when it is not EBUSY or attempts are used up. */
  delayAfter(error: unknown, attempt: number): number {
    if (!isDmError(error, 'EBUSY') || attempt >= this.attempts) throw error;
    this.onRetry?.(error, attempt);
    const delay = this.delay;
    this.delay *= this.backoff;
    return delay;
  }
}
