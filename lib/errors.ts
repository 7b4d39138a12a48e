/**
 * Every failure the library reports is a DmError: `code` is the errno name (EBUSY, ENXIO, EINVAL,
 * …), with the ioctl and the device it concerns, and a message a person can act on.
 *
 * Errors are built in one place: `dmError(kind, code, summary, details)` derives the errno number
 * from its name, `summary` (what failed) and `hint` (why, in words) stay separate fields, and
 * `message` is composed from them once. `DmError.wrap` adds context to an error without copying
 * its fields by hand.
 */
import { errnoName as tableErrnoName, errnoNumber as tableErrnoNumber } from './sys/errno.js';
import type { DmCommandName } from '../native-defs/index.js';
import type { DeviceId } from './device/device-id.js';

/** What went wrong, broadly; `code` says precisely. */
export type DmErrorKind =
  /** The kernel refused an ioctl. */
  | 'ioctl'
  /** An argument was refused before anything reached the kernel. */
  | 'invalid-argument'
  /** Text (a table, a status line, a selection) could not be parsed. */
  | 'parse'
  /** The driver is too old for the request, or something is not supported here. */
  | 'unsupported'
  /** The device-mapper driver or its control node cannot be reached. */
  | 'no-driver'
  /** A /dev/mapper node could not be made, renamed or removed. */
  | 'node'
  /** A target type is not available in the kernel. */
  | 'missing-target'
  /** udev did not complete its work (a cookie wait timed out, a semaphore could not be made). */
  | 'udev'
  /** A reply was larger than the buffer cap, or malformed. */
  | 'protocol'
  /** An async call was cancelled (its AbortSignal, or close() of its handle): code ECANCELED. */
  | 'cancelled'
  /** A loop device could not be attached, queried or detached (the loop driver refused, or is absent). */
  | 'loop';

/** What the ioctl carried to address the device, as sent (for messages in dmsetup's format). */
export interface SentAddress {
  /** The name field of the request (empty when the device was addressed otherwise). */
  name: string;
  /** The uuid field of the request (empty when not used). */
  uuid: string;
  /** The major of the request's dev field (0 when not used). */
  major: number;
  /** The minor of the request's dev field (0 when not used). */
  minor: number;
}

/**
 * The fields of a DmError, as `dmError()` and the DmError constructor take them and `details()`
 * returns them.
 */
export interface DmErrorDetails {
  /** What went wrong, broadly (see DmErrorKind). */
  kind: DmErrorKind;
  /** errno name, e.g. `EBUSY`. */
  code: string;
  /** The errno number; derived from `code` when not given. */
  errno?: number | undefined;
  /** The ioctl, e.g. `DEV_REMOVE`. */
  command?: DmCommandName | undefined;
  /** libdevmapper's name for the operation, e.g. `remove`, `table`, `resume`. */
  operation?: string | undefined;
  /** The device the call addressed, as the caller gave it. */
  device?: DeviceId | undefined;
  /** The address the ioctl carried, as sent (for dmsetup-style messages). */
  sent?: SentAddress | undefined;
  /** Why the errno happened, in words (the kernel only says the number). */
  hint?: string | undefined;
  /** The `device-mapper:` lines the kernel logged for the failed ioctl (with the `kernelLog` option). */
  kernelLog?: readonly string[] | undefined;
  /** The error underneath, kept as the standard `cause`. */
  cause?: unknown;
}

/** The errno number of an errno name (`EBUSY` → 16); undefined for a name this system lacks. */
export function errnoNumber(code: string): number | undefined {
  // The static table, not node:os's: loading os costs a kernel-free command's start-up.
  return tableErrnoNumber(code);
}

/**
 * The one error type of the library. `kind` says broadly what went wrong ('ioctl',
 * 'invalid-argument', 'node', …), `code` is the errno name (`EBUSY`), and `message` is `summary:
 * hint`, in words a person can act on. Test for it with `isDmError(error, ...codes)` or `instanceof
 * DmError`.
 *
 * @example
 * ```ts
 * try {
 *   dm.remove({ name: 'vg-data' });
 * } catch (error) {
 *   if (isDmError(error, 'EBUSY')) console.log(error.hint); // why, in words, and what to do
 *   else throw error;
 * }
 * ```
 */
export class DmError extends Error {
  /** Always 'DmError' (what `error.name` and stack traces show). */
  override readonly name = 'DmError';
  /** What went wrong, broadly; `code` says precisely. */
  readonly kind: DmErrorKind;
  /**
   * The errno name, e.g. `EBUSY`, `ENXIO`, `EINVAL` (a refused argument is kind 'invalid-argument',
   * code EINVAL).
   */
  readonly code: string;
  /** The errno number of `code` on this system (undefined for a name it lacks). */
  readonly errno: number | undefined;
  /** The ioctl that failed, e.g. `DEV_REMOVE`; undefined when no ioctl was involved. */
  readonly command: DmCommandName | undefined;
  /** libdevmapper's name for the operation, e.g. `remove`, `table`, `resume`. */
  readonly operation: string | undefined;
  /** The device the call addressed, as the caller gave it. */
  readonly device: DeviceId | undefined;
  /** The address the ioctl carried, as sent (what dmsetup's messages name). */
  readonly sent: SentAddress | undefined;
  /** What failed, without the hint: `device-mapper: remove ioctl on vg-lv failed: Device or resource busy`. */
  readonly summary: string;
  /** Why, in words; `message` is `summary: hint`. */
  readonly hint: string | undefined;
  /** The kernel's own `device-mapper:` log lines for the failed ioctl, when the handle asked for them. */
  readonly kernelLog: readonly string[] | undefined;

  /** `summary` is what failed; `message` becomes `summary: hint` when there is a hint. */
  constructor(summary: string, details: DmErrorDetails) {
    super(details.hint ? `${summary}: ${details.hint}` : summary, details.cause ? { cause: details.cause } : undefined);
    this.summary = summary;
    this.kind = details.kind;
    this.code = details.code;
    this.errno = details.errno ?? errnoNumber(details.code);
    this.command = details.command;
    this.operation = details.operation;
    this.device = details.device;
    this.sent = details.sent;
    this.hint = details.hint;
    this.kernelLog = details.kernelLog;
  }

  /** The fields that describe this error, for building a related one. */
  details(): DmErrorDetails {
    const { kind, code, errno, command, operation, device, sent, hint, kernelLog } = this;
    return { kind, code, errno, command, operation, device, sent, hint, kernelLog, cause: this.cause };
  }

  /**
   * `error` with context added: the same kind, code, ioctl and device (a non-DmError becomes kind
   * `fallback`, code EIO), `summary` extended by `addToSummary` (after `; `), and `cause` replaced
   * when given (e.g. the failure of a clean-up step that followed it).
   */
  static wrap(
    error: unknown,
    context: { addToSummary?: string; cause?: unknown; fallback?: DmErrorKind },
  ): DmError {
    const original = error instanceof DmError ? error : undefined;
    const base = original?.summary ?? (error instanceof Error ? error.message : String(error));
    const summary = context.addToSummary ? `${base}; ${context.addToSummary}` : base;
    const details: DmErrorDetails = original?.details() ?? { kind: context.fallback ?? 'ioctl', code: 'EIO' };
    return new DmError(summary, { ...details, cause: context.cause ?? details.cause });
  }
}

/** A DmError whose errno number is derived from `code`. */
export function dmError(
  kind: DmErrorKind,
  code: string,
  summary: string,
  details: Omit<Partial<DmErrorDetails>, 'kind' | 'code'> = {},
): DmError {
  return new DmError(summary, { ...details, kind, code });
}

/** The error of a call on a DeviceMapper handle that was closed. */
export function closedHandleError(): DmError {
  return dmError('invalid-argument', 'EBADF', 'This DeviceMapper handle is closed');
}

/** The error of an async call cancelled by its AbortSignal or by close(). */
export function cancelledError(what: string): DmError {
  return dmError('cancelled', 'ECANCELED', `${what} was cancelled`);
}

/** A DmError for an argument refused before any ioctl; `rule` says what is wrong. */
export function invalidArgument(rule: string, extra: Omit<Partial<DmErrorDetails>, 'kind' | 'code'> = {}): DmError {
  return dmError('invalid-argument', 'EINVAL', rule, extra);
}

/** True when `error` is a DmError whose code is one of `codes`. */
export function isDmError(error: unknown, ...codes: string[]): error is DmError {
  return error instanceof DmError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * The symbolic name of an errno value, e.g. 16 → `EBUSY`; `E<n>` for a number Linux does not name.
 * Anything but a whole number is refused (invalid-argument).
 */
export function errnoName(errno: number): string {
  if (!Number.isInteger(errno)) {
    throw invalidArgument(`An errno must be a whole number, not ${typeof errno === 'number' ? errno : `a ${errno === null ? 'null' : typeof errno}`}`);
  }
  return tableErrnoName(errno);
}
