/**
 * The facade's verbs as steps (./ioctl/steps.ts `blocking`), so that a multi-step operation built
 * on a DeviceMapper (the tree's removal, the transaction) is written once and run blocking by
 * `dm.ioctl.perform` or without blocking by `dm.ioctl.performAsync`. Each step calls the verb's
 * async form when the facade has one, its sync form otherwise (a short ioctl).
 */
import type { MapperVerbs } from '../handle/mapper-verbs.js';
import type { DeviceId } from '../device/device-id.js';
import type { DeviceInfo } from '../device/device-info.js';
import { blocking, type Steps } from '../ioctl/steps.js';
import type { CreateOptions, LoadOptions, RemoveOptions, ResumeOptions, SuspendOptions } from '../options.js';
import type { TableRow } from '../table/table.js';

/** A verb with only a sync form, as a step (the async driver runs it in a resolved promise). */
function quick<T>(call: () => T): Steps<T> {
  return blocking(call, async () => call());
}

export const step = {
  info: (dm: MapperVerbs, id: DeviceId): Steps<DeviceInfo> => quick(() => dm.info(id)),
  create: (dm: MapperVerbs, name: string, options: CreateOptions): Steps<DeviceInfo> => quick(() => dm.create(name, options)),
  load: (dm: MapperVerbs, id: DeviceId, rows: readonly TableRow[], options: LoadOptions): Steps<DeviceInfo> =>
    quick(() => dm.load(id, rows, options)),
  clear: (dm: MapperVerbs, id: DeviceId): Steps<DeviceInfo> => quick(() => dm.clear(id)),
  suspend: (dm: MapperVerbs, id: DeviceId, options: SuspendOptions = {}): Steps<DeviceInfo> =>
    blocking(() => dm.suspend(id, options), () => dm.suspendAsync(id, options)),
  resume: (dm: MapperVerbs, id: DeviceId, options: ResumeOptions = {}): Steps<DeviceInfo> =>
    blocking(() => dm.resume(id, options), () => dm.resumeAsync(id, options)),
  remove: (dm: MapperVerbs, id: DeviceId, options: RemoveOptions = {}): Steps<void> =>
    blocking(() => dm.remove(id, options), () => dm.removeAsync(id, options)),
};
