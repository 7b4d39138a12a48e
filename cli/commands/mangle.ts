/**
 * `mangle [<device>...]`: dmsetup's _mangle. Renames each device (every device without
 * arguments) to the form of its name that `--manglename` asks for (auto when not given; dmsetup
 * reads no environment here), so names made in another mode can be addressed again. The devices
 * are looked up in none mode: names as the kernel has them. A uuid cannot be renamed: a device
 * whose uuid is in the wrong form is reported and left alone. Messages on stdout, as libdm's
 * log_print; errors on stderr.
 *
 * --json prints `{"devices": [{"name", "uuid", "renamedTo"}]}` instead of the messages: each
 * device looked at, with its uuid ("" when none) and the name it was renamed to (null when its
 * name and uuid were already in the right form). A device that fails (a uuid in the wrong form)
 * is left out, its error on stderr, and the command fails as without --json.
 */
import { mangleString, parseNameMangling, type DeviceInfo } from '../../lib/index.js';
import type { CliContext, CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { namedOrEveryDevice } from '../each-device.js';
import { unmangledField } from '../mangle.js';

export const mangleCommand: CommandSpec = {
  name: 'mangle',
  minArgs: 0,
  maxArgs: -1,
  repeatable: 1,
  run(context) {
    if (context.options.json) context.json ??= { devices: [] };
    return namedOrEveryDevice(context, (name) => mangleOne(context, name));
  },
};

function mangleOne(context: CliContext, given: string | undefined): void {
  const dm = context.dm();
  // Looked up in none mode: the name is the kernel's, and so is the uuid of the reply.
  const info = dm.tryInfo(taskDevice(context, given));
  if (!info) context.fail();
  const name = given ?? info.name;
  const { uuid } = info;
  const target = (context.options.manglename !== undefined ? parseNameMangling(context.options.manglename) : undefined) ?? 'auto';
  if (target === 'auto') {
    if (name.includes('\\x5cx')) {
      context.fail(`The name "${name}" seems to be mangled more than once. Manual intervention required to rename the device.`);
    }
    if (uuid.includes('\\x5cx')) {
      context.fail(`The UUID "${uuid}" seems to be mangled more than once. Manual intervention required to correct the device UUID.`);
    }
  }
  const newName = wanted(context, info.name, 'name', target === 'none');
  const newUuid = wanted(context, uuid, 'UUID', target === 'none');
  if (uuid !== newUuid) {
    context.fail(`${name}: ${uuid}: UUID in incorrect form. `, 'Unable to change device UUID. The device must be deactivated first.');
  }
  const json = context.options.json === true;
  if (name === newName) {
    if (json) context.jsonItem('devices', { name, uuid, renamedTo: null });
    else context.print(`${name}: ${uuid || '[no UUID]'}: name ${uuid ? 'and UUID ' : ''}already in correct form`);
    return;
  }
  if (!json) context.print(`${name}: renaming to ${newName}`);
  renameTo(context, info, newName);
  if (json) context.jsonItem('devices', { name, uuid, renamedTo: newName });
}

/**
 * The form `value` should have: unmangled for `--manglename none`, else mangled as libdm does in
 * the none mode `mangle` runs in (as auto, even for hex).
 */
function wanted(context: CliContext, value: string, what: 'name' | 'UUID', unmangle: boolean): string {
  if (unmangle) return unmangledField(value, what, 'none');
  const outcome = mangleString(value, what, 'none');
  if ('error' in outcome) context.fail(outcome.error, `Failed to mangle device ${what === 'name' ? 'name' : 'uuid'} "${value}".`);
  return outcome.value;
}

/** dmsetup's _do_rename with libdm's checks of the new name (none mode: sent as it is). */
function renameTo(context: CliContext, info: DeviceInfo, newName: string): void {
  if (newName.includes('/')) context.fail(`Name "${newName}" invalid. It contains "/".`);
  if (Buffer.byteLength(newName) >= 128) context.fail(`Name "${newName}" too long`);
  if (newName === '') context.fail('Non empty new name is required.');
  context.dm().rename({ name: info.name }, newName);
}
