/**
 * dmsetup's _set_task_device: a command's device is its name argument, else `-u UUID`, else
 * `-j MAJOR -m MINOR`, checked the way libdevmapper checks them before any ioctl.
 */
import { dirname } from 'node:path';
import { MAX_NAME_BYTES, NameCodec, nameFromPath, type DeviceId, type MangledWhat } from '../lib/index.js';
import { atoi } from './c-numbers.js';
import type { CliContext } from './context.js';
import { manglingRefusal } from './mangle.js';

/** True when the device may come from -u or -j/-m instead of an argument. */
export function hasUuidOrMajor(context: CliContext): boolean {
  return context.options.uuid !== undefined || context.options.major !== undefined;
}

/**
 * The device a command acts on: `name` if given, else -u, else -j/-m; prints dmsetup's error and
 * fails the command when there is none or the name is refused.
 */
export function taskDevice(context: CliContext, name: string | undefined): DeviceId {
  const { uuid, major, minor } = context.options;
  if (name !== undefined) {
    return { name: checkedName(context, name) };
  }
  if (uuid !== undefined) {
    checkUuid(context, uuid);
    return { uuid };
  }
  if (major !== undefined && minor !== undefined) return persistentDev(context, atoi(major), atoi(minor));
  return context.fail('No device specified.');
}

/** A device number given with -j/-m: libdm refuses a major of 0 or less before building the ioctl. */
export function persistentDev(context: CliContext, major: number, minor: number): { major: number; minor: number } {
  if (major <= 0) context.fail('Missing major number for persistent device.', "Couldn't create ioctl argument.");
  return { major, minor };
}

/**
 * dm_task_set_name: a path is looked up, a name must fit in DM_NAME_LEN and pass the run's
 * mangling. A path names the device as the kernel has it, which libdm sends as it is: here it
 * is given to the library unmangled, so that the library's mangling brings it back.
 */
export function checkedName(context: CliContext, name: string): string {
  if (name.includes('/')) {
    const found = nameFromPath(name, mapperDir(context));
    if ('error' in found) return context.fail(found.error);
    try {
      return new NameCodec(context.nameMangling).fromKernel(found.name, 'name');
    } catch {
      return found.name;
    }
  }
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) context.fail(`Name "${name}" too long.`);
  checkMangling(context, name, 'name');
  return name;
}

/** Fails with libdm's lines when the run's mangling mode refuses `value` (before any ioctl, as libdm's setters). */
export function checkMangling(context: CliContext, value: string, what: MangledWhat): void {
  const refusal = manglingRefusal(value, what, context.nameMangling);
  if (refusal) context.fail(...refusal);
}

/** The handle's /dev/mapper directory: the directory of the node paths it gives. */
function mapperDir(context: CliContext): string {
  return dirname(context.nodePath('_'));
}

/** dm_task_set_uuid: no length check of its own; the run's mangling must take it. */
export function checkUuid(context: CliContext, uuid: string): void {
  checkMangling(context, uuid, 'UUID');
}
