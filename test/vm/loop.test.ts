/**
 * LoopDevice and the test kit against the real loop driver. losetup, blockdev and sysfs are the
 * witnesses: what the kernel says, not what our code says. The legacy path (LOOP_SET_FD +
 * LOOP_SET_STATUS64) is forced with `method: 'set-fd'`; the race for a free device is made real
 * by running losetup on the device LOOP_CTL_GET_FREE has just named.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoopControlIoctl } from '../../native-defs/index.js';
import { glibcSplitDev } from '../../lib/device/devt.js';
import { LoopDevice } from '../../lib/host/loop.js';
import { kernelLoopHost, type LoopHost } from '../../lib/host/loop-host.js';
import { attachedLoopDevices } from '../helpers/loop.js';
import { catchDmError, eventually, useKernelFixture } from './lib-support.js';

const { dm, names, kit } = useKernelFixture('loop');
const MIB = 1024 * 1024;

/** What losetup says about one device (its --list --json output). */
function losetup(path: string): Record<string, string> | undefined {
  const out = execFileSync('losetup', ['--list', '--json', '-O', 'NAME,OFFSET,SIZELIMIT,RO,AUTOCLEAR,PARTSCAN,DIO,BACK-FILE'], { encoding: 'utf8' });
  if (out.trim() === '') return undefined;
  const rows = (JSON.parse(out) as { loopdevices: Record<string, unknown>[] }).loopdevices;
  const row = rows.find((r) => r['name'] === path);
  return row && Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === true ? '1' : v === false ? '0' : String(v)]));
}

const sizeOf = (path: string): number => Number(execFileSync('blockdev', ['--getsize64', path], { encoding: 'utf8' }).trim());
const openFds = (): number => readdirSync('/proc/self/fd').length;
const loopDisks = (): string[] => readdirSync('/sys/block').filter((d) => /^loop\d+$/.test(d));

function readAt(path: string, length: number, position = 0): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, position);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

function writeAt(path: string, data: Buffer, position: number, flags = 'r+'): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, data, 0, data.length, position);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

describe('attach and detach', () => {
  it('200 attach/detach cycles (both methods) leave no loop device, no fd and no new loop disk', () => {
    const file = kit.file(4);
    const fdsBefore = openFds();
    const disksBefore = loopDisks();
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const loop = LoopDevice.attach(file, { method: i % 2 === 0 ? 'auto' : 'set-fd' });
      try {
        expect(loop.method).toBe(i % 2 === 0 ? 'configure' : 'set-fd');
      } finally {
        expect(loop.detach()).toBe('detached');
      }
    }
    const perCycleMs = (performance.now() - started) / 200;
    console.log(`loop attach+detach: ${perCycleMs.toFixed(2)} ms per cycle`);
    expect(attachedLoopDevices()).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
    expect(loopDisks()).toEqual(disksBefore);
  });

  it('path, dev and info() agree with the node, sysfs and losetup', () => {
    const file = kit.file(8);
    const loop = kit.attach(file, { autoClear: false });
    expect(loop.path).toMatch(/^\/dev\/loop\d+$/);
    expect(loop.dev).toEqual(glibcSplitDev(statSync(loop.path).rdev));
    expect(readFileSync(`/sys/block/loop${loop.index}/dev`, 'utf8').trim()).toBe(`${loop.dev.major}:${loop.dev.minor}`);
    const info = loop.info();
    expect(info).toMatchObject({ backingFile: file, offset: 0, sizeLimit: 0, readOnly: false, autoClear: false, partscan: false, directIo: false });
    expect(info.backingInode).toBe(statSync(file, { bigint: true }).ino);
    expect(info.backingDev).toEqual(glibcSplitDev(statSync(file).dev));
    expect(losetup(loop.path)).toMatchObject({ 'back-file': file, offset: '0', ro: '0' });
    expect(loop.sectors()).toBe(8 * 2048);
    // Taken over by path from another handle, as a second process would.
    const other = LoopDevice.open(loop.path);
    expect(other.info().backingFile).toBe(file);
    other.close();
  });

  it('a missing file is ENOENT naming it, a directory is refused, and neither leaves a device or fd', () => {
    const fds = openFds();
    const missing = catchDmError(() => LoopDevice.attach('/tmp/tsdm-no-such-file.img'));
    expect(missing).toMatchObject({ kind: 'loop', code: 'ENOENT' });
    expect(missing.message).toContain('/tmp/tsdm-no-such-file.img');
    expect(catchDmError(() => LoopDevice.attach(kit.dir, { readOnly: true })).kind).toBe('invalid-argument');
    expect(attachedLoopDevices()).toEqual([]);
    expect(openFds()).toBe(fds);
  });
});

describe('every option, observed', () => {
  it.each(['auto', 'set-fd'] as const)('readOnly really refuses writes (%s)', (method) => {
    const file = kit.file(1);
    const loop = kit.attach(file, { readOnly: true, method });
    expect(loop.info().readOnly).toBe(true);
    expect(execFileSync('blockdev', ['--getro', loop.path], { encoding: 'utf8' }).trim()).toBe('1');
    expect(losetup(loop.path)?.['ro']).toBe('1');
    let refused: NodeJS.ErrnoException | undefined;
    try {
      writeAt(loop.path, Buffer.from('must not land'), 0);
    } catch (error) {
      refused = error as NodeJS.ErrnoException;
    }
    expect(['EPERM', 'EROFS', 'EACCES']).toContain(refused?.code);
    expect(readAt(file, 13).every((b) => b === 0)).toBe(true);
  });

  it.each(['auto', 'set-fd'] as const)('offset and sizeLimit move and cut the device (%s)', (method) => {
    const file = kit.file(8);
    writeAt(file, Buffer.from('TSDM-AT-1MIB'), MIB);
    const shifted = kit.attach(file, { offset: MIB, method });
    expect(sizeOf(shifted.path)).toBe(7 * MIB);
    expect(readAt(shifted.path, 12).toString()).toBe('TSDM-AT-1MIB');
    // Written through the device, it lands at the offset in the file.
    writeAt(shifted.path, Buffer.from('BACK'), 4096);
    expect(readAt(file, 4, MIB + 4096).toString()).toBe('BACK');
    const cut = kit.attach(file, { sizeLimit: 2 * MIB, method });
    expect(sizeOf(cut.path)).toBe(2 * MIB);
    const both = kit.attach(file, { offset: MIB, sizeLimit: 3 * MIB, method });
    expect(sizeOf(both.path)).toBe(3 * MIB);
    expect(both.info()).toMatchObject({ offset: MIB, sizeLimit: 3 * MIB });
    expect(losetup(both.path)).toMatchObject({ offset: String(MIB), sizelimit: String(3 * MIB) });
  });

  it.each(['auto', 'set-fd'] as const)('partscan makes the kernel read the partition table (%s)', (method) => {
    const file = kit.file(8);
    const mbr = Buffer.alloc(512);
    mbr[446 + 4] = 0x83; // one Linux partition: sectors 2048..6143
    mbr.writeUInt32LE(2048, 446 + 8);
    mbr.writeUInt32LE(4096, 446 + 12);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    writeAt(file, mbr, 0);
    const plain = kit.attach(file, { method, readOnly: true });
    expect(plain.info().partscan).toBe(false);
    expect(existsSync(`/sys/block/loop${plain.index}/loop${plain.index}p1`)).toBe(false);
    const scanned = kit.attach(file, { method, partscan: true, readOnly: true });
    expect(scanned.info().partscan).toBe(true);
    expect(losetup(scanned.path)?.['partscan']).toBe('1');
    const partition = `/sys/block/loop${scanned.index}/loop${scanned.index}p1`;
    expect(existsSync(partition)).toBe(true);
    expect(readFileSync(`${partition}/size`, 'utf8').trim()).toBe('4096');
  });

  it.each(['auto', 'set-fd'] as const)('directIo is on where the backing device can do it, refused where it cannot (%s)', (method) => {
    const base = kit.loop(4); // a block device: O_DIRECT works on it
    const direct = kit.attach(base.path, { directIo: true, method });
    expect(direct.info().directIo).toBe(true);
    expect(readFileSync(`/sys/block/loop${direct.index}/loop/dio`, 'utf8').trim()).toBe('1');
    expect(losetup(direct.path)?.['dio']).toBe('1');
    const before = attachedLoopDevices();
    const refused = catchDmError(() => LoopDevice.attach(kit.file(1), { directIo: true, method })); // tmpfs: no O_DIRECT
    expect(refused).toMatchObject({ kind: 'loop', code: 'EINVAL' });
    expect(refused.message).toMatch(/with direct I\/O/);
    expect(attachedLoopDevices()).toEqual(before);
  });

  it.each(['auto', 'set-fd'] as const)('autoClear: close() detaches, unless a device-mapper table still holds it (%s)', (method) => {
    const alone = LoopDevice.attach(kit.file(1), { autoClear: true, method });
    expect(alone.info().autoClear).toBe(true);
    expect(losetup(alone.path)?.['autoclear']).toBe('1');
    alone.close();
    expect(losetup(alone.path)).toBeUndefined();

    const held = LoopDevice.attach(kit.file(1), { autoClear: true, method });
    try {
      dm.createDevice(names.of(`held-${method}`), [{ start: 0, length: held.sectors(), type: 'linear', params: `${held.dev.major}:${held.dev.minor} 0` }]);
      held.close();
      expect(losetup(held.path)?.['back-file']).toBeDefined(); // the table holds it open
      dm.remove({ name: names.of(`held-${method}`) });
      expect(losetup(held.path)).toBeUndefined();
    } finally {
      held.detach();
    }
  });
});

describe('the race for a free device, and missing nodes', () => {
  it.each(['auto', 'set-fd'] as const)('another process binding the free device first makes attach take the next one (%s)', (method) => {
    const theirs = kit.file(1);
    let taken: string | undefined;
    const racing: LoopHost = {
      ...kernelLoopHost,
      ioctl(fd, request, arg) {
        const result = kernelLoopHost.ioctl(fd, request, arg);
        if (request === LoopControlIoctl.LOOP_CTL_GET_FREE && taken === undefined) {
          taken = `/dev/loop${result}`;
          execFileSync('losetup', [taken, theirs]); // wins the device between GET_FREE and the bind
        }
        return result;
      },
    };
    try {
      const ours = LoopDevice.attachWith(racing, kit.file(1), { method });
      try {
        expect(ours.busyRetries).toBe(1);
        expect(ours.path).not.toBe(taken);
        expect(losetup(taken!)?.['back-file']).toBe(theirs); // the winner's binding is untouched
      } finally {
        ours.detach();
      }
    } finally {
      if (taken) execFileSync('losetup', ['-d', taken]);
    }
  });

  it('makes loop-control and loopN in a device directory that has neither', () => {
    const devDir = mkdtempSync(join(tmpdir(), 'tsdm-loopdev-'));
    try {
      const loop = LoopDevice.attach(kit.file(1), { devDir });
      try {
        expect(loop.path).toBe(join(devDir, `loop${loop.index}`));
        const node = statSync(loop.path);
        expect(node.isBlockDevice()).toBe(true);
        expect(glibcSplitDev(node.rdev)).toEqual({ major: 7, minor: loop.index });
        const control = statSync(join(devDir, 'loop-control'));
        expect(control.isCharacterDevice()).toBe(true);
        expect(glibcSplitDev(control.rdev)).toEqual({ major: 10, minor: 237 });
        expect(losetup(`/dev/loop${loop.index}`)?.['back-file']).toContain('tsdm-scratch-');
      } finally {
        loop.detach();
      }
    } finally {
      rmSync(devDir, { recursive: true, force: true });
    }
  });
});

describe('the test kit', { timeout: 240_000 }, () => {
  it('cleans up after tests that throw: await using, and a per-file kit with afterEach (a child vitest)', () => {
    const recordDir = mkdtempSync(join(tmpdir(), 'tsdm-kit-child-'));
    const record = join(recordDir, 'made.jsonl');
    try {
      const child = spawnSync(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/vm/fixtures/vitest.kit-child.config.ts'],
        { encoding: 'utf8', env: { ...process.env, TSDM_KIT_PREFIX: names.of('child-'), TSDM_KIT_RECORD: record, CI: 'true' }, timeout: 200_000 },
      );
      const output = child.stdout + child.stderr;
      expect(child.status, output).toBe(1); // both tests failed, as they should
      expect(output.match(/thrown mid-test on purpose/g)?.length, output).toBeGreaterThanOrEqual(2);
      expect(output).toMatch(/2 failed/);
      const made = readFileSync(record, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { loops: string[]; devices: string[]; dir: string });
      expect(made).toHaveLength(2);
      for (const entry of made) {
        expect(entry.loops.length).toBeGreaterThan(0);
        for (const path of entry.loops) expect(losetup(path)).toBeUndefined();
        for (const name of entry.devices) expect(dm.tryInfo({ name })).toBeUndefined();
        expect(existsSync(entry.dir)).toBe(false);
      }
      expect(dm.list().filter((d) => d.name.startsWith(names.of('child-')))).toEqual([]);
      expect(attachedLoopDevices()).toEqual([]);
    } finally {
      rmSync(recordDir, { recursive: true, force: true });
    }
  });

  it('a test process killed before any clean-up leaves no loop device (scratch loops are autoClear)', () => {
    const script = [
      "import { scratchSync } from './dist/lib/testing/index.js';",
      'const kit = scratchSync();',
      'const loop = kit.loop(2);',
      'console.log(JSON.stringify({ path: loop.path, dir: kit.dir }));',
      "process.kill(process.pid, 'SIGKILL');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const { path, dir } = JSON.parse(child.stdout) as { path: string; dir: string };
    try {
      expect(path).toMatch(/^\/dev\/loop\d+$/);
      expect(losetup(path)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true }); // the files are the one thing a killed process leaves
    }
  });

  it('cleanup() reports what it could not remove, and schedules a deferred removal for it', async () => {
    const loop = kit.loop(1);
    dm.createDevice(names.of('busy'), [{ start: 0, length: loop.sectors(), type: 'linear', params: `${loop.path} 0` }]);
    const info = dm.info({ name: names.of('busy') });
    const fd = openSync(`/dev/dm-${info.minor}`, 'r'); // a user the kit does not know about
    try {
      const error = await kit.cleanup().then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ name: 'DmError', code: 'EBUSY' });
      expect((error as Error).message).toContain(`device ${names.of('busy')} could not be removed`);
      expect((error as Error).message).toContain('a deferred removal is scheduled');
      expect(dm.info({ name: names.of('busy') }).deferredRemove).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(await eventually(() => dm.tryInfo({ name: names.of('busy') }) === undefined)).toBe(true);
    expect(await eventually(() => losetup(loop.path) === undefined)).toBe(true);
  });
});
