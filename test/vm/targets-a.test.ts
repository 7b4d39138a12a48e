/**
 * Typed targets of group A against the real kernel: each is built with its builder, loaded, and
 * its `table` read back and parsed must equal what was built (devices come back as `M:m`); each
 * status parser is fed live status, including the failure states we can provoke: a thin pool out
 * of data space and one whose metadata device failed (Error, then Fail), an invalidated snapshot,
 * an overflowed PO snapshot, and a merge that finishes.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeviceInfo, TableRow } from '../../lib/index.js';
import * as t from '../../lib/targets/index.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { eventually, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('targets-a');

/** A fresh loop device over a sparse (all-zero) file, detached after the test. */
function loop(sizeMiB = 8): LoopDevice {
  const device = makeLoopDevice(sizeMiB);
  loops.push(device);
  return device;
}

const devOf = (device: { major: number; minor: number }) => ({ major: device.major, minor: device.minor });

/** Params with SecretKeys as their hex, so keys compare by their bytes. */
function comparable(params: unknown): unknown {
  if (params instanceof t.SecretKey) return `key:${params.toKernelText()}`;
  if (typeof params !== 'object' || params === null) return params;
  if (Array.isArray(params)) return params.map(comparable);
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, comparable(value)]));
}

/** Creates `name` from typed segments; its table read back and parsed must be what was built. */
function createTyped(name: string, segments: t.Segment[]): DeviceInfo {
  const rows: TableRow[] = t.table(segments);
  const info = dm.createDevice(names.of(name), rows);
  const back = dm.table({ name: info.name }).rows;
  expect(back.map((row) => ({ start: row.start, length: row.length, type: row.type }))).toEqual(rows.map(({ start, length, type }) => ({ start, length, type })));
  back.forEach((row, index) => {
    const parsed = t.parseTableRow(row);
    const built = segments[index]!.target as t.Target;
    expect(parsed.target).toBeInstanceOf(t.Target);
    expect(comparable((parsed.target as t.Target).params)).toEqual(comparable(built.params));
  });
  return info;
}

/** The live status of every row, parsed. */
function statusOf(info: DeviceInfo): unknown[] {
  return dm.status({ name: info.name }).rows.map((row) => t.parseStatusRow(row).status);
}

/** Direct writes with dd; returns false when dd failed (a full pool, an invalid snapshot). */
function write(info: DeviceInfo, kib: number, blockKiB = 4): boolean {
  try {
    execFileSync('dd', ['if=/dev/urandom', `of=/dev/dm-${info.minor}`, `bs=${blockKiB}k`, `count=${kib / blockKiB}`, 'oflag=direct'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('linear, striped, zero, error', () => {
  it('load from builders and read back equal; a path comes back as the device number', () => {
    const [a, b] = [loop(), loop()];
    createTyped('lin', [
      { length: 2048, target: t.linear({ device: devOf(a), offset: 16 }) },
      { length: 1024, target: t.linear({ device: devOf(b), offset: t.mib(1) }) },
    ]);
    const byPath = dm.createDevice(names.of('lin-path'), t.table([{ length: 8, target: t.linear({ device: a.path, offset: 0 }) }]));
    const rdev = statSync(a.path).rdev;
    expect(rdev).toBeGreaterThan(0);
    expect(t.parseTableRow(dm.table({ name: byPath.name }).rows[0]!, t.linear).target.params.device).toEqual(devOf(a));
    expect(t.tableSize(dm.table({ name: byPath.name }).rows)).toBe(8);

    const stripes = createTyped('str', [{ length: 4096, target: t.striped({ chunkSize: 128, stripes: [{ device: devOf(a), offset: 0 }, { device: devOf(b), offset: 0 }] }) }]);
    expect(statusOf(stripes)).toEqual([{ type: 'striped', stripes: [{ device: devOf(a), alive: true }, { device: devOf(b), alive: true }], extra: [] }]);

    const blank = createTyped('zero-error', [
      { length: 100, target: t.zero() },
      { length: 100, target: t.error() },
    ]);
    expect(statusOf(blank)).toEqual([{ type: 'zero', raw: '' }, { type: 'error', raw: '' }]);
  });
});

describe('crypt', () => {
  it('a SecretKey reaches the kernel and comes back in the table; the library hides it', () => {
    const backing = loop();
    using key = t.SecretKey.fromHex('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    const target = t.crypt({ cipher: 'aes-xts-plain64', key, ivOffset: 0, device: devOf(backing), offset: 0, options: { allowDiscards: true, sectorSize: 4096 } });
    const info = createTyped('crypt', [{ length: 2048, target }]);
    const row = dm.table({ name: info.name }).rows[0]!;
    expect(t.hideSecrets('crypt', row.params)).toBe(`aes-xts-plain64 ${'0'.repeat(64)} 0 ${backing.major}:${backing.minor} 0 2 allow_discards sector_size:4096`);
    expect(String(t.parseTableRow(row).target)).not.toContain('0123456789abcdef');
    // Linux 6.1's crypt reports no status.
    expect(statusOf(info)).toEqual([{ type: 'crypt', raw: '' }]);
  });
});

describe('snapshots', () => {
  it('origin and snapshot: active status; a tiny COW filled up is Invalid', () => {
    const [real, cowBacking] = [loop(), loop()];
    const cow = createTyped('cow', [{ length: 64, target: t.linear({ device: devOf(cowBacking), offset: 0 }) }]);
    createTyped('origin', [{ length: 8192, target: t.snapshotOrigin({ origin: devOf(real) }) }]);
    const snap = createTyped('snap', [{ length: 8192, target: t.snapshot({ origin: devOf(real), cow: devOf(cow), persistent: true, chunkSize: 8 }) }]);
    expect(statusOf(snap)).toEqual([{ type: 'snapshot', state: 'active', used: 16, total: 64, metadata: 16, mergeDone: true, extra: [] }]);
    write(snap, 64);
    expect(statusOf(snap)).toEqual([{ type: 'snapshot', state: 'invalid' }]);
  });

  it('a PO snapshot whose COW is full reports Overflow', () => {
    const [real, cowBacking] = [loop(), loop()];
    const cow = createTyped('cow-po', [{ length: 64, target: t.linear({ device: devOf(cowBacking), offset: 0 }) }]);
    const snap = createTyped('snap-po', [
      { length: 8192, target: t.snapshot({ origin: devOf(real), cow: devOf(cow), persistent: true, overflow: true, chunkSize: 8, discardZeroesCow: true }) },
    ]);
    write(snap, 64);
    expect(statusOf(snap)).toEqual([{ type: 'snapshot', state: 'overflow' }]);
  });

  it('snapshot-merge: the merge runs until only metadata is left', async () => {
    const [real, cowBacking] = [loop(), loop()];
    const params = { origin: devOf(real), cow: devOf(cowBacking), persistent: true, chunkSize: 8 };
    const snap = createTyped('snap-m', [{ length: 8192, target: t.snapshot(params) }]);
    expect(write(snap, 2048, 64)).toBe(true);
    const before = statusOf(snap)[0] as t.SnapshotStatus;
    expect(before).toMatchObject({ state: 'active', mergeDone: false });
    dm.remove({ name: snap.name });
    const merge = createTyped('merge', [{ length: 8192, target: t.snapshotMerge(params) }]);
    const first = statusOf(merge)[0] as t.SnapshotStatus;
    expect(first).toMatchObject({ type: 'snapshot-merge', state: 'active' });
    expect(await eventually(() => (statusOf(merge)[0] as t.SnapshotStatus & { mergeDone?: boolean }).mergeDone === true)).toBe(true);
  });
});

describe('thin provisioning', () => {
  function pool(name: string, metadata: { major: number; minor: number }, features?: t.ThinPoolFeatures) {
    const data = loop(1); // 16 blocks of 64 KiB
    return createTyped(name, [{ length: data.sectors, target: t.thinPool({ metadata, data: devOf(data), blockSize: 128, lowWater: 0, ...(features ? { features } : {}) }) }]);
  }

  it('a pool and a thin volume; writing past the data device: out_of_data_space; reloaded read_only: ro', () => {
    const metadata = devOf(loop(4));
    const thinPool = pool('pool', metadata, { skipBlockZeroing: true, errorIfNoSpace: true });
    expect(statusOf(thinPool)[0]).toMatchObject({ type: 'thin-pool', state: 'ok', mode: 'rw', whenFull: 'error', data: { used: 0, total: 16 }, needsCheck: false });
    dm.message({ name: thinPool.name }, 0, 'create_thin 1');
    const volume = createTyped('thin', [{ length: 8192, target: t.thin({ pool: devOf(thinPool), deviceId: 1 }) }]);
    expect(statusOf(volume)).toEqual([{ type: 'thin', state: 'ok', mappedSectors: 0, highestMappedSector: undefined, extra: [] }]);
    expect(write(volume, 256, 64)).toBe(true);
    expect(statusOf(volume)[0]).toMatchObject({ mappedSectors: 512, highestMappedSector: 511 });
    expect(write(volume, 2048, 64)).toBe(false);
    expect(statusOf(thinPool)[0]).toMatchObject({ state: 'ok', mode: 'out_of_data_space', data: { used: 16, total: 16 } });
    const external = loop(4);
    const withOrigin = createTyped('thin-ext', [{ length: 8192, target: t.thin({ pool: devOf(thinPool), deviceId: 1, externalOrigin: devOf(external) }) }]);
    for (const device of [withOrigin, volume, thinPool]) dm.remove({ name: device.name });
    // read_only is only for a pool that was used before: its metadata is now.
    const readOnly = pool('pool-ro', metadata, { readOnly: true });
    expect(statusOf(readOnly)[0]).toMatchObject({ state: 'ok', mode: 'ro', whenFull: 'queue' });
  });

  it('a pool whose metadata device fails reports Error, then Fail; its thin reports Fail', () => {
    const metaBacking = loop(4);
    const meta = createTyped('meta', [{ length: 8192, target: t.linear({ device: devOf(metaBacking), offset: 0 }) }]);
    // No features: parse gives optional fields back only when set.
    const thinPool = pool('pool-f', devOf(meta));
    dm.message({ name: thinPool.name }, 0, 'create_thin 1');
    const volume = createTyped('thin-f', [{ length: 8192, target: t.thin({ pool: devOf(thinPool), deviceId: 1 }) }]);
    dm.suspend({ name: meta.name });
    dm.load({ name: meta.name }, t.table([{ length: 8192, target: t.error() }]));
    dm.resume({ name: meta.name });
    write(volume, 256, 64);
    // The status commits first; the commit fails, so this status cannot read the metadata.
    expect(statusOf(thinPool)).toEqual([{ type: 'thin-pool', state: 'error' }]);
    expect(statusOf(thinPool)).toEqual([{ type: 'thin-pool', state: 'fail' }]);
    expect(statusOf(volume)).toEqual([{ type: 'thin', state: 'fail' }]);
  });
});

describe('caches', () => {
  it('cache: built, read back, status parsed before and after writes', () => {
    const [metadata, fast, slow] = [loop(4), loop(4), loop()];
    const info = createTyped('cache', [
      { length: 8192, target: t.cache({ metadata: devOf(metadata), cache: devOf(fast), origin: devOf(slow), blockSize: 128, mode: 'writeback', metadata2: true, policy: 'smq', policyArgs: { migration_threshold: 4096 } }) },
    ]);
    expect(statusOf(info)[0]).toMatchObject({ type: 'cache', state: 'ok', blockSize: 128, mode: 'writeback', policy: 'smq', metadataMode: 'rw', needsCheck: false, dirty: 0 });
    write(info, 40);
    const after = statusOf(info)[0] as Extract<t.CacheStatus, { state: 'ok' }>;
    expect(after.state).toBe('ok');
    expect(Number(after.writeHits) + Number(after.writeMisses)).toBeGreaterThan(0);
  });

  it('writecache: built with options, read back, status counts writes', () => {
    const [slow, fast] = [loop(), loop()];
    const plain = createTyped('wc', [{ length: 8192, target: t.writecache({ cacheType: 'ssd', origin: devOf(slow), cache: devOf(fast), blockSize: 4096 }) }]);
    const before = statusOf(plain)[0] as Extract<t.WritecacheStatus, { state: 'ok' }>;
    expect(before).toMatchObject({ type: 'writecache', state: 'ok', error: 0, writebackBlocks: 0 });
    expect(before.freeBlocks).toBe(before.totalBlocks);
    write(plain, 40);
    expect(statusOf(plain)[0]).toMatchObject({ freeBlocks: Number(before.totalBlocks) - 10, counters: { writes: 10 } });
    dm.remove({ name: plain.name });
    const [slow2, fast2] = [loop(), loop()];
    createTyped('wc-opts', [
      {
        length: 8192,
        target: t.writecache({
          cacheType: 'ssd',
          origin: devOf(slow2),
          cache: devOf(fast2),
          blockSize: 4096,
          options: { startSector: 16, highWatermark: 60, lowWatermark: 40, writebackJobs: 100, autocommitBlocks: 64, autocommitTime: 1000, maxAge: 10000, cleaner: true, pauseWriteback: 100 },
        }),
      },
    ]);
  });
});
