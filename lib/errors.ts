/**
 * Every failure the library reports is a DmError: `code` is the errno name (EBUSY, ENXIO, EINVAL,
 * …), with the ioctl and the device it concerns, and a message a person can act on.
 */
import type { DmCommandName } from '../native-defs/index.js';
import type { DeviceId } from './device/device-id.js';

/** What went wrong, broadly; `code` says precisely. */
export type DmErrorKind =
  /** The kernel refused an ioctl. */
  | 'ioctl'
  /** An argument was refused before anything reached the kernel. */
  | 'invalid-argument'
  /** The driver is too old for the request, or something is not supported here. */
  | 'unsupported'
  /** The device-mapper driver or its control node cannot be reached. */
  | 'no-driver'
  /** A /dev/mapper node could not be made, renamed or removed. */
  | 'node'
  /** A target type is not available in the kernel. */
  | 'missing-target'
  /** A reply was larger than the buffer cap, or malformed. */
  | 'protocol'
  /** A loop device could not be attached, queried or detached (the loop driver refused, or is absent). */
  | 'loop';

/** What the ioctl carried to address the device, as sent (for messages in dmsetup's format). */
export interface SentAddress {
  name: string;
  uuid: string;
  major: number;
  minor: number;
}

export interface DmErrorDetails {
  kind: DmErrorKind;
  /** errno name, e.g. `EBUSY`. */
  code: string;
  errno?: number | undefined;
  /** The ioctl, e.g. `DEV_REMOVE`. */
  command?: DmCommandName | undefined;
  /** libdevmapper's name for the operation, e.g. `remove`, `table`, `resume`. */
  operation?: string | undefined;
  device?: DeviceId | undefined;
  sent?: SentAddress | undefined;
  /** Why the errno happened, in words (the kernel only says the number). */
  hint?: string | undefined;
  cause?: unknown;
}

export class DmError extends Error {
  override readonly name = 'DmError';
  readonly kind: DmErrorKind;
  readonly code: string;
  readonly errno: number | undefined;
  readonly command: DmCommandName | undefined;
  readonly operation: string | undefined;
  readonly device: DeviceId | undefined;
  readonly sent: SentAddress | undefined;
  readonly hint: string | undefined;

  constructor(message: string, details: DmErrorDetails) {
    super(details.hint ? `${message}: ${details.hint}` : message, details.cause ? { cause: details.cause } : undefined);
    this.kind = details.kind;
    this.code = details.code;
    this.errno = details.errno;
    this.command = details.command;
    this.operation = details.operation;
    this.device = details.device;
    this.sent = details.sent;
    this.hint = details.hint;
  }
}

/** A DmError for an argument refused before any ioctl; `rule` says what is wrong. */
export function invalidArgument(rule: string, extra: Partial<DmErrorDetails> = {}): DmError {
  return new DmError(rule, { kind: 'invalid-argument', code: 'EINVAL', errno: 22, ...extra });
}

/** True when `error` is a DmError whose code is one of `codes`. */
export function isDmError(error: unknown, ...codes: string[]): error is DmError {
  return error instanceof DmError && (codes.length === 0 || codes.includes(error.code));
}
