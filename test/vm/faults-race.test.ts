/**
 * Faults against the real kernel (issue 11): two processes racing to create one name, 20
 * processes creating and removing at once (some sharing names), a device directory that is full
 * or read-only, and close() of a handle while its removeAsync retries on a busy device. EBUSY's
 * retry and deferred removal themselves are lib-remove.test.ts's and cli-differential's.
 */
import { statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceMapper, DmError } from '../../lib/index.js';
import { runDmsetup, runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { Child, expectNothingLeft, FIXTURES, PrivateDevDir } from './fault-support.js';
import { dmsetupInfo, Openers } from './lib-support.js';

const names = deviceNames('faultrace');
const ZERO = [{ start: 0, length: 8, type: 'zero', params: '' }];
const dirs: PrivateDevDir[] = [];
const openers = new Openers();

afterEach(() => {
  openers.closeAll();
  removeDevicesWithPrefix(names.prefix);
  for (const dir of dirs.splice(0)) dir.dispose();
});

function devDir(options: { full?: boolean; readOnly?: boolean } = {}): PrivateDevDir {
  const dir = new PrivateDevDir(options);
  dirs.push(dir);
  return dir;
}

interface Attempt {
  ok: boolean;
  round: number;
  live?: boolean;
  ownName?: boolean;
  error?: { type: string; name: string; kind: string; code: string; command: string; message: string };
  removeError?: unknown;
}

/** Starts `count` create-race.mjs processes (name of each from `nameOf`), lets them go together, and returns each one's attempts. */
async function race(
  dir: PrivateDevDir,
  count: number,
  nameOf: (index: number) => string,
  rounds: number,
  /** With it, each process holds what it made until `look` (called once all have tried) returns. */
  look?: () => void,
): Promise<Attempt[][]> {
  const stamp = `${Date.now()}`;
  const go = join(dir.path, `go-${stamp}`);
  const hold = join(dir.path, `hold-${stamp}`);
  const children = Array.from(
    { length: count },
    (_, index) =>
      new Child(process.execPath, [
        join(FIXTURES, 'create-race.mjs'),
        dir.path,
        nameOf(index),
        `${names.prefix}p${index}`,
        String(rounds),
        go,
        ...(look ? [hold] : []),
      ]),
  );
  try {
    for (const child of children) await child.waitFor('ready');
    writeFileSync(go, '');
    if (look) {
      for (const child of children) await child.waitFor((line) => line.startsWith('{'));
      look();
      writeFileSync(hold, '');
    }
    for (const child of children) await child.waitFor('done');
  } finally {
    for (const child of children) if (child.process.exitCode === null) await child.kill();
  }
  return children.map((child) => child.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Attempt));
}

describe('processes racing on device names', () => {
  it('two processes creating one name, 10 rounds: exactly one wins, the other gets a typed EBUSY, nothing half-made', async () => {
    const dir = devDir();
    const name = names.of('one');
    const winners = [0, 0];
    for (let round = 0; round < 10; round++) {
      let seen: ReturnType<typeof dmsetupInfo>;
      let node: Stats | undefined;
      const results = await race(dir, 2, () => name, 1, () => {
        seen = dmsetupInfo(name);
        node = statSync(dir.node(name), { throwIfNoEntry: false });
      });
      const attempts = results.map((attempts) => attempts[0]!);
      const winner = attempts.findIndex((attempt) => attempt.ok);
      const loser = 1 - winner;
      expect(winner, JSON.stringify(attempts)).toBeGreaterThanOrEqual(0);
      winners[winner]!++;
      expect(attempts[winner]).toMatchObject({ live: true, ownName: true });
      expect(attempts[loser]!.error).toMatchObject({ type: 'DmError', name: 'DmError', kind: 'ioctl', code: 'EBUSY', command: 'DEV_CREATE' });
      // While both still ran: the winner's device, whole (live, its uuid, its node), the loser's revert took nothing.
      expect(seen!).toMatchObject({ live: true, inactive: false, uuid: `${names.prefix}p${winner}-0` });
      expect(node?.isBlockDevice()).toBe(true);
      const rdev = node!.rdev;
      expect({ major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) }).toEqual({ major: seen!.major, minor: seen!.minor });
      expect(results.flat().filter((attempt) => attempt.removeError)).toEqual([]);
      expectNothingLeft(dir, name);
    }
    console.log(`two processes on one name, 10 rounds: process 0 won ${winners[0]}, process 1 won ${winners[1]}; the other got EBUSY each time`);
  });

  it('20 processes × 10 rounds creating and removing, 12 of them sharing 6 names: only typed EBUSY, nothing left', async () => {
    const dir = devDir();
    const nameOf = (index: number): string => names.of(`n${index < 8 ? index : 8 + ((index - 8) % 6)}`);
    const results = await race(dir, 20, nameOf, 10);
    const all = results.flat();
    expect(all).toHaveLength(200);
    const failures = all.filter((attempt) => !attempt.ok);
    for (const attempt of failures) {
      expect(attempt.error, JSON.stringify(attempt)).toMatchObject({ type: 'DmError', kind: 'ioctl', code: 'EBUSY', command: 'DEV_CREATE' });
    }
    for (const attempt of all.filter((attempt) => attempt.ok)) expect(attempt).toMatchObject({ live: true, ownName: true });
    // The eight processes with a name of their own never meet EBUSY.
    for (let index = 0; index < 8; index++) expect(results[index]!.every((attempt) => attempt.ok)).toBe(true);
    for (let index = 0; index < 14; index++) expectNothingLeft(dir, names.of(`n${index}`));
    console.log(`20 processes: ${all.length - failures.length} creates made, ${failures.length} EBUSY (shared names)`);
  });
});

describe('a device directory that cannot take a node', () => {
  for (const [what, options, code, text] of [
    ['full (no free inode)', { full: true }, 'ENOSPC', 'No space left on device'],
    ['read-only', { readOnly: true }, 'EROFS', 'Read-only file system'],
  ] as const) {
    it(`${what}: createDevice fails with a DmError kind node ${code} and takes the device back`, () => {
      const dir = devDir(options);
      const name = names.of('libnode');
      using dm = DeviceMapper.open({ devDir: dir.path, nodes: true });
      let error: unknown;
      try {
        dm.createDevice(name, ZERO);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DmError);
      expect(error).toMatchObject({ kind: 'node', code });
      expect((error as DmError).message).toBe(`${dir.node(name)}: mknod for ${name} failed: ${text}`);
      expectNothingLeft(dir, name);
    });

    it(`${what}: with nodeErrors 'warn' the device is made and the node error is a warning`, () => {
      const dir = devDir(options);
      const name = names.of('libwarn');
      const warnings: string[] = [];
      using dm = DeviceMapper.open({ devDir: dir.path, nodes: true, nodeErrors: 'warn', onWarning: (line) => warnings.push(line) });
      expect(dm.createDevice(name, ZERO).liveTable).toBe(true);
      expect(warnings).toEqual([`${dir.node(name)}: mknod for ${name} failed: ${text}`]);
      dm.remove({ name });
      expect(dmsetupInfo(name)).toBeUndefined();
    });

    it(`${what}: tsdmsetup create, mknodes, resume and remove exit 0 with dmsetup's line, as dmsetup does`, () => {
      const dir = devDir(options);
      const env = { DM_DEV_DIR: dir.path, DM_DISABLE_UDEV: '1' };
      for (const [tool, run] of [
        ['dmsetup', runDmsetup],
        ['tsdmsetup', runTsdmsetup],
      ] as const) {
        const name = names.of(`cli-${tool}`);
        const create = run(['create', name, '--table', '0 8 zero'], { env });
        expect(create, tool).toEqual({ status: 0, stdout: '', stderr: `${dir.node(name)}: mknod for ${name} failed: ${text}\n` });
        expect(dmsetupInfo(name), tool).toMatchObject({ live: true });
        // mknodes: dmsetup says the same line and exits 0 (it goes on to the other nodes).
        expect(run(['mknodes', name], { env }), tool).toEqual({ status: 0, stdout: '', stderr: `${dir.node(name)}: mknod for ${name} failed: ${text}\n` });
        expect(run(['suspend', name], { env }).status).toBe(0);
        expect(run(['resume', name], { env }), tool).toEqual({ status: 0, stdout: '', stderr: `${dir.node(name)}: mknod for ${name} failed: ${text}\n` });
        // No node to unlink: nothing to say (a read-only directory refuses the unlink before it looks).
        expect(run(['remove', name], { env }), tool).toEqual({ status: 0, stdout: '', stderr: '' });
        expectNothingLeft(dir, name);
      }
    });
  }
});

describe('close() while removeAsync retries on a busy device', () => {
  it('the removal goes on after close() until the device is free: device and node gone, the fd closed after it', async () => {
    const dir = devDir();
    const name = names.of('closing');
    const dm = DeviceMapper.open({ devDir: dir.path, nodes: true });
    const info = dm.createDevice(name, ZERO);
    const fd = openers.open(info.minor);
    const attempts: number[] = [];
    let closedAt = 0;
    const removal = dm.removeAsync(
      { name },
      {
        retry: {
          attempts: 50,
          delayMs: 20,
          onRetry: (error, attempt) => {
            expect(error.code).toBe('EBUSY');
            attempts.push(attempt);
            if (attempt === 2) {
              dm.close();
              closedAt = attempt;
            }
            if (attempt === 4) openers.close(fd);
          },
        },
      },
    );
    await removal;
    expect(closedAt).toBe(2);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expectNothingLeft(dir, name);
    expect(() => dm.info({ name })).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
