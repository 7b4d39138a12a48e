/**
 * /dev/mapper/<name> nodes kept by the library, against the real kernel: made on resume (or on
 * create), renamed, removed however the device was addressed, repaired by syncNodes, with
 * symlinks never followed, and read-ahead set on resume.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceMapper, DeviceNodes, type DeviceInfo, getReadAhead, isDmError } from '../../lib/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';

const names = deviceNames('nodes');
const ZERO = [{ start: 0, length: 2048, type: 'zero', params: '' }];

/** `type mode uid:gid major:minor` of a path, without following a symlink. */
function describeNode(path: string): string {
  return execFileSync('stat', ['-c', '%F %a %u:%g %t:%T', path], { encoding: 'utf8' }).trim();
}

function expectedNode(info: DeviceInfo, mode = '660', owner = '0:6'): string {
  return `block special file ${mode} ${owner} ${info.major.toString(16)}:${info.minor.toString(16)}`;
}

const opened: DeviceMapper[] = [];
function open(options: Parameters<typeof DeviceMapper.open>[0] = {}): DeviceMapper {
  const dm = DeviceMapper.open({ nodes: true, ...options });
  opened.push(dm);
  return dm;
}

afterEach(() => {
  for (const dm of opened.splice(0)) dm.close();
  removeDevicesWithPrefix(names.prefix);
});

describe('nodes kept by the library', () => {
  it('are made on resume as brw-rw---- root:disk with the device’s number, not before', () => {
    const dm = open();
    const name = names.of('resume');
    const created = dm.create(name);
    expect(existsSync(`/dev/mapper/${name}`)).toBe(false);
    dm.load({ name }, ZERO);
    const info = dm.resume({ name });
    expect(describeNode(`/dev/mapper/${name}`)).toBe(expectedNode(created));
    expect(info.minor).toBe(created.minor);
  });

  it('are made on create with addNodeOn: create, with the ownership asked for', () => {
    const dm = open({ addNodeOn: 'create', nodeOwnership: { uid: 12, gid: 34, mode: 0o600 } });
    const name = names.of('oncreate');
    const created = dm.create(name);
    expect(describeNode(`/dev/mapper/${name}`)).toBe(expectedNode(created, '600', '12:34'));
  });

  it('follow a rename, and go with remove addressed by name, uuid or device number', () => {
    const dm = open();
    const byName = dm.createDevice(names.of('a'), ZERO);
    dm.rename({ name: names.of('a') }, names.of('a2'));
    expect(existsSync(`/dev/mapper/${names.of('a')}`)).toBe(false);
    expect(describeNode(`/dev/mapper/${names.of('a2')}`)).toBe(expectedNode(byName));

    dm.createDevice(names.of('u'), ZERO, { uuid: 'TSDMT-NODES-U' });
    const byDev = dm.createDevice(names.of('d'), ZERO);
    dm.remove({ name: names.of('a2') });
    dm.remove({ uuid: 'TSDMT-NODES-U' });
    dm.remove({ major: byDev.major, minor: byDev.minor });
    for (const suffix of ['a2', 'u', 'd']) expect(existsSync(`/dev/mapper/${names.of(suffix)}`)).toBe(false);
  });

  it('follow a rename of a device addressed by uuid (looked up by name for the kernel)', () => {
    const dm = open();
    const info = dm.createDevice(names.of('ru'), ZERO, { uuid: 'TSDMT-NODES-RU' });
    dm.rename({ uuid: 'TSDMT-NODES-RU' }, names.of('ru2'));
    expect(dm.info({ uuid: 'TSDMT-NODES-RU' }).name).toBe(names.of('ru2'));
    expect(describeNode(`/dev/mapper/${names.of('ru2')}`)).toBe(expectedNode(info));
  });

  it('leave a right node alone, and replace a block node with the wrong number', () => {
    const dm = open();
    const name = names.of('wrong');
    const path = `/dev/mapper/${name}`;
    execFileSync('mknod', ['-m', '600', path, 'b', '7', '200']);
    const info = dm.createDevice(name, ZERO);
    expect(describeNode(path)).toBe(expectedNode(info));
    execFileSync('chmod', ['644', path]);
    dm.resume({ name });
    expect(describeNode(path)).toBe(expectedNode(info, '644')); // right number: owner and mode untouched
  });

  it('never follow a symlink planted at the node path: the link is replaced, its target untouched', () => {
    const dm = open();
    const name = names.of('link');
    const path = `/dev/mapper/${name}`;
    const victimDir = mkdtempSync(join(tmpdir(), 'tsdmt-victim-'));
    try {
      const victim = join(victimDir, 'victim');
      execFileSync('mknod', ['-m', '600', victim, 'b', '7', '201']);
      symlinkSync(victim, path);
      const info = dm.createDevice(name, ZERO);
      expect(lstatSync(path).isSymbolicLink()).toBe(false);
      expect(describeNode(path)).toBe(expectedNode(info));
      expect(describeNode(victim)).toBe('block special file 600 0:0 7:c9');

      // A dangling link on remove is removed, not followed.
      dm.remove({ name });
      symlinkSync(join(victimDir, 'nothing'), path);
      dm.syncNodes([name]);
      expect(existsSync(path) || lstatExists(path)).toBe(false);
    } finally {
      rmSync(victimDir, { recursive: true, force: true });
      rmSync(path, { force: true });
    }
  });

  it('accept a symlink that leads to the right device (udev’s mapper/X -> ../dm-N)', () => {
    const dm = open();
    const name = names.of('udevlink');
    const path = `/dev/mapper/${name}`;
    const info = dm.create(name);
    symlinkSync(`../dm-${info.minor}`, path);
    dm.load({ name }, ZERO);
    dm.resume({ name });
    expect(readlinkSync(path)).toBe(`../dm-${info.minor}`);
    // syncNodes keeps it too, and does not count it as added.
    expect(dm.syncNodes([name])).toEqual({ added: [], removed: [] });
    expect(readlinkSync(path)).toBe(`../dm-${info.minor}`);
  });

  it('refuse a non-block file in the way with libdevmapper’s error, leaving it alone', () => {
    const dm = open();
    const name = names.of('file');
    const path = `/dev/mapper/${name}`;
    writeFileSync(path, 'precious');
    try {
      dm.create(name);
      dm.load({ name }, ZERO);
      let caught: unknown;
      try {
        dm.resume({ name });
      } catch (error) {
        caught = error;
      }
      expect(isDmError(caught)).toBe(true);
      expect((caught as Error).message).toBe(`A non-block device file at '${path}' is already present`);
      expect(readFileSync(path, 'utf8')).toBe('precious');
      expect(dm.info({ name }).suspended).toBe(false); // the resume itself happened
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('syncNodes makes missing nodes, fixes wrong ones and drops stale entries', () => {
    const dm = open({ nodes: false });
    const a = dm.createDevice(names.of('sync-a'), ZERO);
    const b = dm.createDevice(names.of('sync-b'), ZERO);
    expect(existsSync(`/dev/mapper/${names.of('sync-a')}`)).toBe(false);
    execFileSync('mknod', [`/dev/mapper/${names.of('sync-b')}`, 'b', '7', '202']);
    writeFileSync(`/dev/mapper/${names.of('sync-stale')}`, '');
    const report = dm.syncNodes();
    expect(report.added.sort()).toEqual([names.of('sync-a'), names.of('sync-b')]);
    expect(report.removed).toEqual([names.of('sync-stale')]);
    expect(describeNode(`/dev/mapper/${names.of('sync-a')}`)).toBe(expectedNode(a));
    expect(describeNode(`/dev/mapper/${names.of('sync-b')}`)).toBe(expectedNode(b));
    expect(existsSync(`/dev/mapper/${names.of('sync-stale')}`)).toBe(false);
    expect(existsSync('/dev/mapper/control')).toBe(true);
  });

  it('live under DM_DEV_DIR when one is given, control node included', () => {
    const devDir = mkdtempSync('/dev/shm/tsdmt-devdir-');
    try {
      const dm = open({ devDir });
      expect(statSync(`${devDir}/mapper/control`).isCharacterDevice()).toBe(true);
      const info = dm.createDevice(names.of('devdir'), ZERO);
      expect(describeNode(`${devDir}/mapper/${names.of('devdir')}`)).toBe(expectedNode(info));
      expect(existsSync(`/dev/mapper/${names.of('devdir')}`)).toBe(false);
      dm.remove({ name: names.of('devdir') });
      expect(existsSync(`${devDir}/mapper/${names.of('devdir')}`)).toBe(false);
    } finally {
      for (const dm of opened.splice(0)) dm.close();
      rmSync(devDir, { recursive: true, force: true });
    }
  });

  it('refuse a mapper directory that is a symlink: nothing made, removed or renamed through it', () => {
    const devDir = mkdtempSync('/dev/shm/tsdmt-devdir-');
    const elsewhere = mkdtempSync('/dev/shm/tsdmt-elsewhere-');
    try {
      symlinkSync(elsewhere, `${devDir}/mapper`);
      for (const file of ['precious', names.of('symdir'), 'control']) writeFileSync(join(elsewhere, file), 'keep');
      const info = open({ nodes: false }).createDevice(names.of('symdir'), ZERO);
      const nodes = new DeviceNodes(devDir);
      expect(() => nodes.add(names.of('symdir'), info)).toThrow(/is not a directory; refusing to make device nodes through it/);
      expect(() => nodes.remove(names.of('symdir'))).toThrow(/refusing to manage device nodes through it/);
      expect(() => nodes.rename(names.of('symdir'), names.of('x'), info)).toThrow(/refusing to manage device nodes through it/);
      expect(() => nodes.sync([])).toThrow(/refusing to manage device nodes through it/);
      // Opening the control node through it is refused too, and its "control" file is left alone.
      expect(() => DeviceMapper.open({ devDir })).toThrow(/is not a directory \(or is a symbolic link\); refusing to use it/);
      expect(execFileSync('ls', ['-A', elsewhere], { encoding: 'utf8' })).toBe(`control\nprecious\n${names.of('symdir')}\n`);
    } finally {
      rmSync(devDir, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('a node that cannot be made', () => {
  it('with addNodeOn: create, takes the new device back: the caller gets the error and no device', () => {
    const dm = open({ addNodeOn: 'create' });
    const name = names.of('blocked');
    const path = `/dev/mapper/${name}`;
    writeFileSync(path, 'in the way');
    try {
      expect(() => dm.create(name)).toThrow(`A non-block device file at '${path}' is already present`);
      expect(dm.tryInfo({ name })).toBeUndefined();
      expect(readFileSync(path, 'utf8')).toBe('in the way');
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('read-ahead on resume', () => {
  it('sets a number of sectors, raises to at least +N only when lower, and none sets 0', () => {
    const dm = open();
    const name = names.of('ra');
    const info = dm.createDevice(name, ZERO, { readAhead: 1024 });
    expect(getReadAhead(info)).toBe(1024);
    dm.suspend({ name });
    dm.resume({ name }, { readAhead: { atLeast: 512 } });
    expect(getReadAhead(info)).toBe(1024);
    dm.suspend({ name });
    dm.resume({ name }, { readAhead: { atLeast: 4096 } });
    expect(getReadAhead(info)).toBe(4096);
    dm.suspend({ name });
    dm.resume({ name }, { readAhead: 'none' });
    expect(getReadAhead(info)).toBe(0);
    // dmsetup reads the same value from the kernel.
    const dmsetupInfo = execFileSync('dmsetup', ['info', name], { encoding: 'utf8' });
    expect(dmsetupInfo).toContain('Read Ahead:        0\n');
  });
});

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
