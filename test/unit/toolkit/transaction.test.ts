/**
 * The device transaction driven by a scripted transport: which ioctls it sends, on which device
 * and in which order (preload what is used first, suspend holders first, resume what is used
 * first, new snapshots before their origin), and what its rollback sends when a step fails in
 * each phase. The script answers like a small model of the kernel's device list; the VM tests
 * (test/vm/toolkit-transaction.test.ts) show the real kernel accepts these orders.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag, DmIoctlLayout as H, DmTargetDepsLayout as DEPS } from '../../../native-defs/index.js';
import { DeviceMapper, DmError, liveSnapshot, transaction, type DeviceTransaction } from '../../../lib/index.js';
import { answer, ScriptedTransport, writeHeader, type Answer, type SentRequest } from '../../helpers/scripted-transport.js';
import { caught as failure } from '../../helpers/dm-error.js';

interface ModelDevice {
  name: string;
  minor: number;
  deps: number[];
  suspended: boolean;
}

/** A small model: devices by minor (major 254), answering each request; `fail` makes one request fail. */
function model(initial: ModelDevice[], fail?: (request: SentRequest, device: ModelDevice | undefined) => number | undefined) {
  const devices = new Map(initial.map((d) => [d.minor, { ...d }]));
  let nextMinor = 10;
  const log: string[] = [];
  const find = (request: SentRequest) => {
    if (request.name) return [...devices.values()].find((d) => d.name === request.name);
    const low = Number(request.dev & 0xffffffffn);
    return devices.get((low & 0xff) | ((low >>> 12) & 0xfff00));
  };
  const reply = (buffer: Buffer, device: ModelDevice, extra = {}) =>
    writeHeader(buffer, {
      name: device.name,
      dev: BigInt(254 << 8) | BigInt(device.minor),
      flags: DmFlag.ACTIVE_PRESENT | (device.suspended ? DmFlag.SUSPEND : 0),
      ...extra,
    });
  const respond: Answer = (request, buffer) => {
    const device = request.command === 'DEV_CREATE' ? undefined : find(request);
    const suspend = (request.flags & DmFlag.SUSPEND) !== 0;
    const verb = request.command === 'DEV_SUSPEND' ? (suspend ? 'suspend' : 'resume') : request.command;
    if (!['DEV_STATUS', 'TABLE_STATUS', 'TABLE_DEPS'].includes(request.command)) log.push(`${verb} ${device?.name ?? request.name}`);
    const failed = fail?.(request, device);
    if (failed) return failed;
    if (request.command === 'DEV_CREATE') {
      const made = { name: request.name, minor: nextMinor++, deps: [], suspended: false };
      devices.set(made.minor, made);
      reply(buffer, made);
      return 0;
    }
    if (!device) return 6; // ENXIO
    switch (request.command) {
      case 'DEV_SUSPEND':
        device.suspended = suspend;
        break;
      case 'DEV_REMOVE':
        devices.delete(device.minor);
        break;
      case 'TABLE_STATUS':
        answer.targets([{ start: 0, length: 2048, type: 'linear', params: `7:${device.minor} 0` }])(request, buffer);
        writeHeader(buffer, { name: device.name, dev: BigInt(254 << 8) | BigInt(device.minor) });
        return 0;
      case 'TABLE_DEPS': {
        buffer.writeUInt32LE(device.deps.length, H.size + DEPS.count);
        device.deps.forEach((dep, i) => buffer.writeBigUInt64LE(BigInt(dep), H.size + DEPS.dev + 8 * i));
        reply(buffer, device, { dataStart: H.size, dataSize: H.size + DEPS.dev + 8 * device.deps.length });
        return 0;
      }
    }
    reply(buffer, device);
    return 0;
  };
  const transport = new ScriptedTransport(Array.from({ length: 200 }, () => respond));
  const dm = DeviceMapper.open({ nodes: false, ensureTargets: false, transport });
  return { dm, log, devices };
}

/** The origin 254:2 (linear over loop 7:0, dev 0x700) takes a snapshot. */
function snapshotOf(dm: DeviceMapper): DeviceTransaction {
  const rows = (type: string, params: string) => [{ start: 0, length: 2048, type, params }];
  return transaction(dm)
    .create('origin-real', rows('linear', '7:0 0'))
    .create('snap-cow', rows('linear', '7:1 0'))
    .create('snap', (dev) => rows('snapshot', `${dev('origin-real')} ${dev('snap-cow')} P 8`))
    .reload({ name: 'origin' }, (dev) => rows('snapshot-origin', dev('origin-real')));
}

const ORIGIN: ModelDevice = { name: 'origin', minor: 2, deps: [0x700], suspended: false };

describe('a transaction, scripted', () => {
  it("a snapshot of a live origin: libdm's order", () => {
    const { dm, log } = model([ORIGIN]);
    const result = snapshotOf(dm).commit();
    expect(log).toEqual([
      'DEV_CREATE origin-real',
      'DEV_CREATE snap-cow',
      'DEV_CREATE snap',
      'TABLE_LOAD origin-real',
      'resume origin-real',
      'TABLE_LOAD snap-cow',
      'resume snap-cow',
      'TABLE_LOAD snap',
      'TABLE_LOAD origin',
      'suspend origin',
      'resume snap',
      'resume origin',
    ]);
    expect(result.order).toEqual({
      load: ['origin-real', 'snap-cow', 'snap', 'origin'],
      suspend: ['origin'],
      resume: ['origin-real', 'snap-cow', 'snap', 'origin'],
    });
    expect(result.devices.map((d) => d.name)).toEqual(['origin-real', 'snap-cow', 'snap', 'origin']);
  });

  it('the async form sends the same requests', async () => {
    const sync = model([ORIGIN]);
    const later = model([ORIGIN]);
    snapshotOf(sync.dm).commit();
    await snapshotOf(later.dm).commitAsync();
    expect(later.log).toEqual(sync.log);
  });

  it('a bad snapshot table: nothing suspended; the new devices removed, holders first', () => {
    const { dm, log, devices } = model([ORIGIN], (r, d) => (r.command === 'TABLE_LOAD' && d?.name === 'snap' ? 22 : undefined));
    const error = failure(() => snapshotOf(dm).commit());
    expect(error).toMatchObject({ code: 'EINVAL', command: 'TABLE_LOAD' });
    expect(error.message).toMatch(/the transaction was rolled back/);
    expect(log.slice(log.indexOf('TABLE_LOAD snap'))).toEqual([
      'TABLE_LOAD snap',
      'DEV_REMOVE snap',
      'DEV_REMOVE snap-cow',
      'DEV_REMOVE origin-real',
    ]);
    expect([...devices.values()]).toEqual([ORIGIN]);
  });

  it('a failed resume of the origin: it gets its old table back and is resumed; the new devices go', () => {
    let resumes = 0;
    const { dm, log, devices } = model([ORIGIN], (r, d) =>
      r.command === 'DEV_SUSPEND' && !(r.flags & DmFlag.SUSPEND) && d?.name === 'origin' && resumes++ === 0 ? 22 : undefined,
    );
    const error = failure(() => snapshotOf(dm).commit());
    expect(error.message).toMatch(/the transaction was rolled back/);
    expect(log.slice(log.indexOf('suspend origin'))).toEqual([
      'suspend origin',
      'resume snap',
      'resume origin',
      'TABLE_CLEAR origin',
      'resume origin',
      'DEV_REMOVE snap',
      'DEV_REMOVE snap-cow',
      'DEV_REMOVE origin-real',
    ]);
    expect([...devices.values()]).toEqual([ORIGIN]);
  });

  it('a failure after the origin went live with its new table: suspend, the old table loaded, resume', () => {
    const { dm, log } = model([ORIGIN], (r, d) => (r.command === 'DEV_SUSPEND' && !(r.flags & DmFlag.SUSPEND) && d?.name === 'b' ? 22 : undefined));
    const rows = [{ start: 0, length: 2048, type: 'linear', params: '7:0 0' }];
    // `b` is created on top of the origin: resumed last, and it fails.
    const error = failure(() => transaction(dm).reload({ name: 'origin' }, rows).create('b', [{ ...rows[0]!, params: '254:2 0' }], { priority: 5 }).commit());
    expect(error.message).toMatch(/rolled back/);
    expect(log.slice(log.indexOf('resume origin'))).toEqual([
      'resume origin',
      'resume b',
      'suspend origin',
      'TABLE_LOAD origin',
      'resume origin',
      'DEV_REMOVE b',
    ]);
  });

  it('says when the rollback failed too', () => {
    const { dm } = model([ORIGIN], (r, d) =>
      r.command === 'TABLE_LOAD' && d?.name === 'snap' ? 22 : r.command === 'DEV_REMOVE' && d?.name === 'snap-cow' ? 5 : undefined,
    );
    const error = failure(() => snapshotOf(dm).commit());
    expect(error.code).toBe('EINVAL');
    expect(error.message).toMatch(/rolling the transaction back failed too: removing snap-cow: .*Input\/output error/);
  });

  it('refuses an empty transaction, a second commit, one device twice, and a cycle, before any change', () => {
    const { dm, log } = model([ORIGIN, { name: 'other', minor: 3, deps: [], suspended: false }]);
    expect(failure(() => transaction(dm).commit())).toMatchObject({ kind: 'invalid-argument' });
    const twice = transaction(dm).suspend({ name: 'origin' }).suspend({ major: 254, minor: 2 });
    expect(failure(() => twice.commit()).message).toBe('A transaction names one device twice');
    const cycle = transaction(dm)
      .reload({ name: 'origin' }, [{ start: 0, length: 8, type: 'linear', params: '254:3 0' }])
      .reload({ name: 'other' }, [{ start: 0, length: 8, type: 'linear', params: '254:2 0' }]);
    expect(failure(() => cycle.commit()).message).toMatch(/depend on each other in a cycle/);
    expect(failure(() => cycle.commit()).message).toBe('A transaction can be committed once');
    expect(log).toEqual([]);
  });
});

describe('liveSnapshot, scripted', () => {
  it('is the snapshot transaction: -real takes the table, the origin becomes snapshot-origin', () => {
    const { dm, log } = model([ORIGIN]);
    const result = liveSnapshot(dm, { origin: { name: 'origin' }, name: 'snap', cow: [{ start: 0, length: 64, type: 'linear', params: '7:1 0' }] }).commit();
    expect(result.order).toEqual({
      load: ['snap-cow', 'origin-real', 'snap', 'origin'],
      suspend: ['origin'],
      resume: ['snap-cow', 'origin-real', 'snap', 'origin'],
    });
    expect(log.filter((line) => line.startsWith('DEV_CREATE'))).toEqual(['DEV_CREATE snap-cow', 'DEV_CREATE origin-real', 'DEV_CREATE snap']);
  });
});
