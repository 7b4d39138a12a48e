/**
 * Addressing: every operation that takes a device finds the same one by `{ name }`, `{ uuid }` and
 * `{ major, minor }` (info, table, status, deps, remove), and a missing device is ENXIO by each,
 * with the address in the DmError. dmsetup, addressed the same three ways, is the witness.
 */
import { describe, expect, it } from 'vitest';
import { type DeviceId, type DeviceInfo } from '../../lib/index.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { catchDmError, dmsetupDeps, dmsetupInfo, dmsetupRows, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('lib-addressing');
const UUID = 'TSDMT-ADDRESSING-0001';
let backing: LoopDevice | undefined;

type Form = 'name' | 'uuid' | 'number';
const forms: Form[] = ['name', 'uuid', 'number'];

function addressOf(form: Form, info: DeviceInfo): DeviceId {
  if (form === 'name') return { name: info.name };
  if (form === 'uuid') return { uuid: info.uuid };
  return { major: info.major, minor: info.minor };
}

/** The same address in dmsetup's words. */
function dmsetupAddress(form: Form, info: DeviceInfo): string[] {
  if (form === 'name') return [info.name];
  if (form === 'uuid') return ['-u', info.uuid];
  return ['-j', String(info.major), '-m', String(info.minor)];
}

/** A live linear device over a fresh loop device, with a uuid. */
function linearDevice(): DeviceInfo {
  backing = makeLoopDevice(4);
  loops.push(backing);
  return dm.createDevice(names.of('dev'), [{ start: 0, length: backing.sectors, type: 'linear', params: `${backing.path} 0` }], {
    uuid: UUID,
  });
}

describe.each(forms)('addressed by %s', (form) => {
  it('info finds the device, as dmsetup does', () => {
    const created = linearDevice();
    const info = dm.info(addressOf(form, created));
    // The kernel answers with the device's name and uuid, whichever way it was asked.
    expect(info).toMatchObject({ name: created.name, uuid: UUID, major: created.major, minor: created.minor });
    expect(dmsetupInfo(...dmsetupAddress(form, created))).toMatchObject({ name: created.name, uuid: UUID });
  });

  it('table and status read the device’s rows', () => {
    const created = linearDevice();
    const table = dm.table(addressOf(form, created));
    expect(table.info.name).toBe(created.name);
    expect(table.rows).toEqual([{ start: 0, length: backing!.sectors, type: 'linear', params: `${backing!.major}:${backing!.minor} 0` }]);
    expect(table.rows).toEqual(dmsetupRows('table', created.name));
    const status = dm.status(addressOf(form, created));
    expect(status.rows.map((row) => row.type)).toEqual(['linear']);
  });

  it('deps lists the loop device under it', () => {
    const created = linearDevice();
    const { info, deps } = dm.deps(addressOf(form, created));
    expect(info.name).toBe(created.name);
    expect(deps).toEqual([{ major: backing!.major, minor: backing!.minor }]);
    expect(deps).toEqual(dmsetupDeps(created.name));
  });

  it('remove removes it', () => {
    const created = linearDevice();
    dm.remove(addressOf(form, created));
    expect(dm.tryInfo({ name: created.name })).toBeUndefined();
    expect(dmsetupInfo(created.name)).toBeUndefined();
  });

  it('a missing device is ENXIO for info, table, deps and remove, naming the address', () => {
    // A device that existed: its number and uuid are stale once it is gone.
    const gone = linearDevice();
    dm.remove({ name: gone.name });
    const device = addressOf(form, gone);
    const calls = [
      { command: 'DEV_STATUS', operation: 'info', call: () => dm.info(device) },
      { command: 'TABLE_STATUS', operation: 'table', call: () => dm.table(device) },
      { command: 'TABLE_STATUS', operation: 'status', call: () => dm.status(device) },
      { command: 'TABLE_DEPS', operation: 'deps', call: () => dm.deps(device) },
      { command: 'DEV_REMOVE', operation: 'remove', call: () => dm.remove(device) },
    ];
    for (const { command, operation, call } of calls) {
      expect(catchDmError(call)).toMatchObject({ kind: 'ioctl', code: 'ENXIO', errno: 6, command, operation, device });
    }
    expect(dm.tryInfo(device)).toBeUndefined();
    expect(dmsetupInfo(...dmsetupAddress(form, gone))).toBeUndefined();
  });
});

describe('address checks before the ioctl', () => {
  it('refuses an address that carries two forms at once', () => {
    const error = catchDmError(() => dm.info({ name: names.of('x'), uuid: 'X' } as unknown as DeviceId));
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EINVAL', command: undefined });
  });

  it('refuses a device number out of the kernel’s range', () => {
    expect(catchDmError(() => dm.info({ major: 4096, minor: 0 }))).toMatchObject({ kind: 'invalid-argument' });
    expect(catchDmError(() => dm.info({ major: 254, minor: 1 << 20 }))).toMatchObject({ kind: 'invalid-argument' });
  });
});
