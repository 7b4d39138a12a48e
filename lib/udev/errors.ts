/**
 * UdevError: a cookie step failed. `lines` are libdevmapper's own log lines for that failure, in
 * its order and words (dmsetup's udev commands print them as they are); the message joins them.
 */
import { DmError, type DmErrorKind } from '../errors.js';
import { errnoName } from '../sys/errno.js';

/** The error kind of udev failures (main's DmErrorKind names it 'udev'). */
const UDEV_KIND = 'udev' as DmErrorKind;

/**
 * A udev cookie step failed (a semaphore could not be made, incremented or waited for): a DmError
 * of kind 'udev' whose `lines` are libdevmapper's own log lines for the failure, so dmsetup's udev
 * commands can print them as dmsetup does.
 */
export class UdevError extends DmError {
  /** libdm's log lines for this failure, first to last. */
  readonly lines: readonly string[];

  /** The message joins `lines`; `errno` 0 means no errno was given (the code is then EIO). */
  constructor(lines: string[], errno: number) {
    super(lines.join('\n'), { kind: UDEV_KIND, code: errno ? errnoName(errno) : 'EIO', errno: errno || 5 });
    this.lines = lines;
  }

  /** The same failure with libdm's next line appended (the caller's context). */
  withLine(line: string): UdevError {
    return new UdevError([...this.lines, line], this.errno ?? 0);
  }
}
