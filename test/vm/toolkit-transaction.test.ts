/**
 * The device transaction against the real kernel: an LVM-style snapshot of a live linear origin
 * while a writer keeps writing to it (the snapshot holds exactly the writes completed before the
 * origin was suspended; later writes reach the origin only), a rollback when the snapshot's table
 * is bad (the origin live and unchanged: same table, same data, no inactive table, no new device
 * left), liveSnapshot twice on one origin (the second reuses `-real`), and a stacked volume
 * extended (both tables swapped, holders suspended first).
 */
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { byName, liveSnapshot, transaction, type DeviceInfo, type TableRow } from '../../lib/index.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { catchDmErrorAsync, catchDmError, dmsetupDevices, dmsetupInfo, dmsetupRows, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('toolkit-transaction');

const BLOCK = 4096;
const BLOCKS = 256; // the first MiB of the origin is written and checked
const linear = (loop: LoopDevice, sectors: number, offset = 0): TableRow => ({ start: 0, length: sectors, type: 'linear', params: `${loop.path} ${offset}` });

function block(tag: string): Buffer {
  const buffer = Buffer.alloc(BLOCK);
  buffer.write(tag);
  return buffer;
}

/** The tag at the start of each of the first BLOCKS blocks of a device node. */
function readTags(info: DeviceInfo | string): string[] {
  const fd = openSync(typeof info === 'string' ? info : `/dev/dm-${info.minor}`, constants.O_RDONLY);
  try {
    const buffer = Buffer.alloc(BLOCK * BLOCKS);
    readSync(fd, buffer, 0, buffer.length, 0);
    return Array.from({ length: BLOCKS }, (_, i) => buffer.toString('latin1', i * BLOCK, i * BLOCK + 16).replace(/\0+$/, ''));
  } finally {
    closeSync(fd);
  }
}

/** A live linear origin over loop A with a tag in each block, and loop B for a COW. */
function liveOrigin(): { origin: DeviceInfo; a: LoopDevice; b: LoopDevice } {
  const a = makeLoopDevice(8);
  const b = makeLoopDevice(4);
  loops.push(a, b);
  const origin = dm.createDevice(names.of('origin'), [linear(a, a.sectors)]);
  const fd = openSync(`/dev/dm-${origin.minor}`, 'r+');
  try {
    for (let i = 0; i < BLOCKS; i++) writeSync(fd, block(`A:${i}`), 0, BLOCK, i * BLOCK);
  } finally {
    closeSync(fd);
  }
  return { origin, a, b };
}

/** The snapshot transaction: -real takes the origin's table, the origin becomes snapshot-origin. */
function snapshotTransaction(origin: DeviceInfo, cow: LoopDevice, chunk = 8) {
  const originRows = dm.table(byName(origin.name)).rows;
  const sectors = originRows[0]!.length;
  return transaction(dm)
    .create(names.of('origin-real'), originRows)
    .create(names.of('snap-cow'), [linear(cow, cow.sectors)])
    .create(names.of('snap'), (dev) => [
      { start: 0, length: sectors, type: 'snapshot', params: `${dev(names.of('origin-real'))} ${dev(names.of('snap-cow'))} P ${chunk}` },
    ])
    .reload(byName(origin.name), (dev) => [{ start: 0, length: sectors, type: 'snapshot-origin', params: dev(names.of('origin-real')) }]);
}

describe('a transaction', () => {
  it('takes a snapshot of a live origin under I/O: the snapshot holds exactly the writes done before it', async () => {
    const { origin, b } = liveOrigin();
    const writer = await openAsync(`/dev/dm-${origin.minor}`, constants.O_WRONLY | constants.O_SYNC);
    let writes = 0;
    let stopAt = Infinity;
    const writing = (async () => {
      for (let i = 0; i < stopAt; i++, writes++) await writer.write(block(`B:${i}`), 0, BLOCK, (i % BLOCKS) * BLOCK);
    })();
    try {
      while (writes < 20) await new Promise((resolve) => setTimeout(resolve, 5));
      const result = await snapshotTransaction(origin, b).commitAsync();
      expect(result.order).toMatchObject({ suspend: [origin.name] });
      expect(result.order.resume.slice(-2)).toEqual([names.of('snap'), origin.name]);
      stopAt = writes + 40;
    } finally {
      if (stopAt === Infinity) stopAt = 0;
      await writing;
      await writer.close();
    }
    const snap = dm.info(byName(names.of('snap')));
    const tags = readTags(snap);
    const indexes = tags.filter((tag) => tag.startsWith('B:')).map((tag) => Number(tag.slice(2)));
    const cut = indexes.length ? Math.max(...indexes) + 1 : 0;
    // The snapshot is the origin as it was after the first `cut` writes, and some writes came after.
    const expected = Array.from({ length: BLOCKS }, (_, i) => {
      const last = cut - 1 - ((cut - 1 - i) % BLOCKS + BLOCKS) % BLOCKS;
      return last >= 0 && last < cut ? `B:${last}` : `A:${i}`;
    });
    expect(tags).toEqual(expected);
    expect(cut).toBeGreaterThanOrEqual(20);
    expect(writes).toBeGreaterThan(cut);
    const originTags = readTags(dm.info(byName(origin.name)));
    for (let i = writes - BLOCKS; i < writes; i++) if (i >= 0) expect(originTags[i % BLOCKS]).toBe(`B:${i}`);
    expect(dmsetupRows('table', origin.name)[0]).toMatchObject({ type: 'snapshot-origin' });
    expect(dm.status(byName(names.of('snap'))).rows[0]!.status).toMatch(/^\d+\/\d+ \d+$/);
  });

  it('rolls back when the snapshot table is bad: the origin is live and unchanged, no new device is left', async () => {
    const { origin, a, b } = liveOrigin();
    const tableBefore = dmsetupRows('table', origin.name);
    const dataBefore = readTags(origin);
    expect(readTags(a.path)).toEqual(dataBefore);
    const error = await catchDmErrorAsync(snapshotTransaction(origin, b, 7).commitAsync());
    expect(error).toMatchObject({ code: 'EINVAL', command: 'TABLE_LOAD' });
    expect(error.message).toContain('the transaction was rolled back');
    expect(dmsetupDevices(names.prefix).map((d) => d.name)).toEqual([origin.name]);
    expect(dmsetupInfo(origin.name)).toMatchObject({ live: true, inactive: false, suspended: false });
    expect(dmsetupRows('table', origin.name)).toEqual(tableBefore);
    expect(readTags(origin)).toEqual(dataBefore);
    expect(readTags(a.path)).toEqual(dataBefore);
    const fd = openSync(`/dev/dm-${origin.minor}`, 'r+');
    writeSync(fd, block('after'), 0, BLOCK, 0);
    closeSync(fd);
    expect(readTags(origin)[0]).toBe('after');
  });

  it('liveSnapshot twice: each snapshot keeps the origin as it was when taken; the second reuses -real', () => {
    const { origin, b } = liveOrigin();
    const cow = (offset: number): TableRow[] => [{ ...linear(b, 2048, offset), start: 0 }];
    liveSnapshot(dm, { origin: byName(origin.name), name: names.of('s1'), cow: cow(0) }).commit();
    const write = (tag: string) => {
      const fd = openSync(`/dev/dm-${origin.minor}`, 'r+');
      writeSync(fd, block(tag), 0, BLOCK, 0);
      closeSync(fd);
    };
    write('first');
    const second = liveSnapshot(dm, { origin: byName(origin.name), name: names.of('s2'), cow: cow(2048) }).commit();
    expect(second.order).toEqual({ load: [names.of('s2-cow'), names.of('s2')], suspend: [origin.name], resume: [names.of('s2-cow'), names.of('s2'), origin.name] });
    write('second');
    expect(readTags(dm.info(byName(names.of('s1'))))[0]).toBe('A:0');
    expect(readTags(dm.info(byName(names.of('s2'))))[0]).toBe('first');
    expect(readTags(origin)[0]).toBe('second');
    expect(readTags(origin)[1]).toBe('A:1');
    expect(dmsetupDevices(names.prefix).map((d) => d.name).sort()).toEqual(
      [origin.name, names.of('origin-real'), names.of('s1'), names.of('s1-cow'), names.of('s2'), names.of('s2-cow')].sort(),
    );
  });

  it('extends a stacked volume: both tables swapped, the holder suspended first and resumed last', () => {
    const a = makeLoopDevice(4);
    const c = makeLoopDevice(4);
    loops.push(a, c);
    const lv = dm.createDevice(names.of('lv'), [linear(a, 4096)]);
    const top = dm.createDevice(names.of('top'), [{ start: 0, length: 4096, type: 'linear', params: `${lv.major}:${lv.minor} 0` }]);
    const result = transaction(dm)
      .reload(byName(top.name), [{ start: 0, length: 8192, type: 'linear', params: `${lv.major}:${lv.minor} 0` }])
      .reload(byName(lv.name), [linear(a, 4096), { start: 4096, length: 4096, type: 'linear', params: `${c.path} 0` }])
      .commit();
    expect(result.order).toEqual({ load: [lv.name, top.name], suspend: [top.name, lv.name], resume: [lv.name, top.name] });
    expect(dmsetupRows('table', lv.name).map((row) => row.length)).toEqual([4096, 4096]);
    expect(dmsetupRows('table', top.name)[0]!.length).toBe(8192);
    expect(dmsetupInfo(top.name)).toMatchObject({ live: true, inactive: false, suspended: false });
    expect(catchDmError(() => transaction(dm).suspend(byName(names.of('nothing'))).commit())).toMatchObject({ code: 'ENXIO' });
  });
});
