/** Prints library errors the way dmsetup prints libdevmapper's. */
import { DmError, strerror } from '../lib/index.js';
import { TableSyntaxError } from '../lib/index.js';
import type { CliContext } from './context.js';

/**
 * libdevmapper's ioctl error line: `device-mapper: <op> ioctl on <name> <uuid><(maj:min)> failed: <text>`
 * (two spaces when there is no uuid; the device number only when one was sent).
 */
export function ioctlErrorLine(error: DmError): string {
  const sent = error.sent ?? { name: '', uuid: '', major: 0, minor: 0 };
  const dev = sent.major > 0 ? `(${sent.major}:${sent.minor})` : '';
  return `device-mapper: ${error.operation ?? 'unknown'} ioctl on ${sent.name} ${sent.uuid}${dev} failed: ${strerror(error.errno ?? 0)}`;
}

/** Prints an error from the library or the command. Unknown errors print their message. */
export function reportError(context: CliContext, error: unknown): void {
  if (error instanceof TableSyntaxError) {
    context.error(error.message);
  } else if (error instanceof DmError && error.kind === 'ioctl') {
    context.error(ioctlErrorLine(error));
  } else if (error instanceof Error) {
    context.error(error.message);
  } else {
    context.error(String(error));
  }
}
