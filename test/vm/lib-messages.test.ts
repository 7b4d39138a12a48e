/**
 * Target messages against the real kernel: a thin pool over two loop devices takes `create_thin`,
 * and a thin device on it reports its status; DM core's `@stats_*` messages answer with text,
 * which must be what `dmsetup message` prints for the same request, including a reply larger than
 * the first 16 KiB buffer.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DeviceInfo, type TableRow } from '../../lib/index.js';
import { makeLoopDevice } from '../helpers/loop.js';
import { catchDmError, dmsetup, dmsetupDeps, dmsetupInfo, dmsetupRows, dmsetupStatus, trimmedStatus, zeroTable, useKernelFixture } from './lib-support.js';

// Clean-up removes thins before their pool: it retries while removals make progress.
const { dm, names, loops } = useKernelFixture('lib-messages');

/** dmsetup message prints the reply and a newline when the reply has none. */
function asPrinted(reply: string | undefined): string {
  if (reply === undefined || reply === '') return '';
  return reply.endsWith('\n') ? reply : `${reply}\n`;
}

describe('thin pool', () => {
  const DATA_BLOCK = 128; // sectors: 64 KiB

  /** A thin pool over a zeroed (sparse) metadata loop device and a data loop device. */
  function thinPool(): { pool: DeviceInfo; dataBlocks: number } {
    const metadata = makeLoopDevice(4);
    loops.push(metadata);
    const data = makeLoopDevice(16);
    loops.push(data);
    const rows: TableRow[] = [
      { start: 0, length: data.sectors, type: 'thin-pool', params: `${metadata.path} ${data.path} ${DATA_BLOCK} 0` },
    ];
    return { pool: dm.createDevice(names.of('pool'), rows), dataBlocks: data.sectors / DATA_BLOCK };
  }

  /** Pool status: `<transaction> <used>/<total metadata> <used>/<total data> …`. */
  function usedDataBlocks(pool: DeviceInfo): string {
    const [row] = dm.status({ name: pool.name }).rows;
    return row!.status.split(' ')[2]!;
  }

  it('create_thin makes a thin volume that a thin device can map; its status counts written sectors', () => {
    const { pool, dataBlocks } = thinPool();
    expect(usedDataBlocks(pool)).toBe(`0/${dataBlocks}`);
    expect(trimmedStatus(dm.status({ name: pool.name }).rows)).toEqual(dmsetupStatus(pool.name));

    expect(dm.message({ name: pool.name }, 0, 'create_thin 0')).toBeUndefined();

    const thinName = names.of('thin');
    const thin = dm.createDevice(thinName, [{ start: 0, length: 8192, type: 'thin', params: `${pool.major}:${pool.minor} 0` }]);
    expect(dm.deps({ name: thinName }).deps).toEqual([{ major: pool.major, minor: pool.minor }]);
    expect(dmsetupDeps(thinName)).toEqual([{ major: pool.major, minor: pool.minor }]);
    // Nothing mapped yet: `<mapped sectors> <highest mapped sector or ->`.
    expect(dm.status({ name: thinName }).rows).toEqual([{ kind: 'status', start: 0, length: 8192, type: 'thin', status: '0 -' }]);
    expect(dmsetupRows('status', thinName)).toEqual([{ start: 0, length: 8192, type: 'thin', params: '0 -' }]);

    // One data block written through the thin device.
    const fd = openSync(`/dev/dm-${thin.minor}`, 'r+');
    try {
      writeSync(fd, Buffer.alloc(DATA_BLOCK * 512, 0x5a), 0, DATA_BLOCK * 512, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    expect(dm.status({ name: thinName }).rows[0]!.status).toBe(`${DATA_BLOCK} ${DATA_BLOCK - 1}`);
    expect(dmsetupRows('status', thinName)[0]!.params).toBe(`${DATA_BLOCK} ${DATA_BLOCK - 1}`);
    expect(usedDataBlocks(pool)).toBe(`1/${dataBlocks}`);
    // noFlush: the pool reports without committing its metadata first; the counts are the same.
    expect(dm.status({ name: pool.name }, { noFlush: true }).rows[0]!.status.split(' ')[2]).toBe(`1/${dataBlocks}`);

    // The pool is held by its thin: removal order is thin, then pool.
    expect(catchDmError(() => dm.remove({ name: pool.name }))).toMatchObject({ code: 'EBUSY', command: 'DEV_REMOVE' });
    dm.remove({ name: thinName });
    dm.remove({ name: pool.name });
    expect(dmsetupInfo(pool.name)).toBeUndefined();
  });

  it('the pool refuses a thin id already in use (EEXIST) and an unknown message (EINVAL)', () => {
    const { pool } = thinPool();
    dm.message({ name: pool.name }, 0, 'create_thin 7');
    expect(catchDmError(() => dm.message({ name: pool.name }, 0, 'create_thin 7'))).toMatchObject({
      kind: 'ioctl',
      code: 'EEXIST',
      command: 'TARGET_MSG',
      operation: 'message',
    });
    expect(catchDmError(() => dm.message({ name: pool.name }, 0, 'create_thick 1'))).toMatchObject({ code: 'EINVAL' });
  });

  it('a thin id made by dmsetup message is one our thin device can use, and the reverse', () => {
    const { pool } = thinPool();
    dmsetup('message', pool.name, '0', 'create_thin 1');
    dm.message({ name: pool.name }, 0, 'create_thin 2');
    // dmsetup's message on the id we made fails: it exists.
    expect(() => dmsetup('message', pool.name, '0', 'create_thin 2')).toThrow(/File exists/);
    const thin = dm.createDevice(names.of('thin-1'), [{ start: 0, length: 2048, type: 'thin', params: `${pool.major}:${pool.minor} 1` }]);
    expect(thin.liveTable).toBe(true);
    // delete needs the thin device gone first.
    expect(catchDmError(() => dm.message({ name: pool.name }, 0, 'delete 1'))).toMatchObject({ command: 'TARGET_MSG' });
    dm.remove({ name: thin.name });
    dm.message({ name: pool.name }, 0, 'delete 1');
    dm.message({ name: pool.name }, 0, 'delete 2');
    expect(usedDataBlocks(pool)).toMatch(/^0\//);
  });
});

describe('@stats messages', () => {
  it('@stats_create answers the region id; @stats_list answers what dmsetup message prints', () => {
    const name = names.of('stats');
    dm.createDevice(name, zeroTable(1000));
    expect(dm.message({ name }, 0, '@stats_list')).toBe('');
    expect(dm.message({ name }, 0, '@stats_create - /100')).toBe('0');
    expect(dm.message({ name }, 0, '@stats_create 0+500 /2 tsdmt aux')).toBe('1');

    const list = dm.message({ name }, 0, '@stats_list');
    // `<region>: <start>+<length> <step> <program> <aux>`: 100 areas of 10 sectors, 2 of 250.
    expect(list).toBe('0: 0+1000 10 - -\n1: 0+500 250 tsdmt aux\n');
    expect(dmsetup('message', name, '0', '@stats_list')).toBe(asPrinted(list));
  });

  it('a region created with dmsetup shows in our @stats_list, and ours in dmsetup’s', () => {
    const name = names.of('stats-cross');
    dm.createDevice(name, zeroTable(2048));
    expect(dmsetup('message', name, '0', '@stats_create 0+1024 /4')).toBe('0\n');
    expect(dm.message({ name }, 0, '@stats_create 1024+1024 /1')).toBe('1');
    const list = dm.message({ name }, 0, '@stats_list');
    expect(list).toBe('0: 0+1024 256 - -\n1: 1024+1024 1024 - -\n');
    expect(dmsetup('message', name, '0', '@stats_list')).toBe(asPrinted(list));
    expect(dm.message({ name }, 0, '@stats_delete 0')).toBeUndefined();
    expect(dmsetup('message', name, '0', '@stats_list')).toBe('1: 1024+1024 1024 - -\n');
  });

  it('@stats_print of 2 000 areas: a reply past 16 KiB comes back whole, as dmsetup prints it', () => {
    const name = names.of('stats-big');
    dm.createDevice(name, zeroTable(2000));
    expect(dm.message({ name }, 0, '@stats_create - /2000')).toBe('0');
    const printed = dm.message({ name }, 0, '@stats_print 0');
    expect(printed).toBeDefined();
    expect(Buffer.byteLength(printed!)).toBeGreaterThan(16 * 1024);
    const lines = printed!.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toMatch(/^0\+1 0 0 0 0 0 0 0 0 0 0 0 0 0$/);
    expect(lines[1999]).toMatch(/^1999\+1 /);
    expect(dmsetup('message', name, '0', '@stats_print 0')).toBe(asPrinted(printed));
  });
});
