/** Prints library errors the way dmsetup prints libdevmapper's. */
// Single modules, not the lib/index.js barrel: main imports this, and a kernel-free command must
// not load the whole library (issue 12).
import { DmError } from '../lib/errors.js';
import { formatDev } from '../lib/device/devt.js';
import { strerror } from '../lib/sys/errno.js';
import { TableSyntaxError } from '../lib/table/table.js';
import { NameManglingError } from '../lib/names/name-codec.js';
import type { CliContext } from './context.js';

/**
 * libdevmapper's ioctl error line: `device-mapper: <op> ioctl on <name> <uuid><(maj:min)> failed: <text>`
 * (two spaces when there is no uuid; the device number only when one was sent).
 */
export function ioctlErrorLine(error: DmError): string {
  const sent = error.sent ?? { name: '', uuid: '', major: 0, minor: 0 };
  const dev = sent.major > 0 ? `(${formatDev(sent)})` : '';
  return `device-mapper: ${error.operation ?? 'unknown'} ioctl on ${sent.name} ${sent.uuid}${dev} failed: ${strerror(error.errno ?? 0)}`;
}

/**
 * No driver: libdevmapper's lines (the failed step, `Failure to communicate with kernel
 * device-mapper driver.`, and for root `Check that device-mapper is available in the kernel.`),
 * then ours: what was tried and what to do.
 */
function driverErrorLines(error: DmError): string[] {
  const lines = [error.summary, 'Failure to communicate with kernel device-mapper driver.'];
  if (process.geteuid?.() === 0) lines.push('Check that device-mapper is available in the kernel.');
  if (error.hint) lines.push(`${error.hint[0]!.toUpperCase()}${error.hint.slice(1)}.`);
  return lines;
}

/** Prints an error from the library or the command. Unknown errors print their message. */
export function reportError(context: CliContext, error: unknown): void {
  if (error instanceof TableSyntaxError) {
    context.error(error.message);
  } else if (error instanceof NameManglingError) {
    // libdm's own lines for a name or uuid its mangling mode refuses.
    for (const line of error.lines) context.error(line);
  } else if (error instanceof DmError && error.kind === 'ioctl') {
    context.error(ioctlErrorLine(error));
  } else if (error instanceof DmError && error.kind === 'no-driver') {
    for (const line of driverErrorLines(error)) context.error(line);
  } else if (error instanceof Error) {
    context.error(error.message);
  } else {
    context.error(String(error));
  }
}
