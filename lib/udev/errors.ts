/**
 * UdevError: a cookie step failed. `lines` are libdevmapper's own log lines for that failure, in
 * its order and words (dmsetup's udev commands print them as they are); the message joins them.
 */
import { DmError, type DmErrorKind } from '../errors.js';
import { errnoName } from '../sys/errno.js';

/** The error kind of udev failures (main's DmErrorKind names it 'udev'). */
const UDEV_KIND = 'udev' as DmErrorKind;

export class UdevError extends DmError {
  /** libdm's log lines for this failure, first to last. */
  readonly lines: readonly string[];

  constructor(lines: string[], errno: number) {
    super(lines.join('\n'), { kind: UDEV_KIND, code: errno ? errnoName(errno) : 'EIO', errno: errno || 5 });
    this.lines = lines;
  }

  /** The same failure with libdm's next line appended (the caller's context). */
  withLine(line: string): UdevError {
    return new UdevError([...this.lines, line], this.errno ?? 0);
  }
}
