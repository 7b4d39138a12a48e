/**
 * Typed targets of group B against the real kernel: each is built with its builder, loaded (over
 * linear slices of a loop device, or the loop devices themselves), its `table` read back and
 * parsed must equal what was built (devices come back as `M:m`); each status parser is fed live
 * status, including the failures we can provoke: a raid1 and a mirror whose second leg was swapped
 * for `error`, a raid leg being recovered, a failed multipath path, an integrity tag mismatch and a
 * verity block that no longer matches its hash tree.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from '../../lib/index.js';
import * as t from '../../lib/targets/index.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { dmsetup, eventually, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('targets-b');

function loop(sizeMiB = 64): LoopDevice {
  const device = makeLoopDevice(sizeMiB);
  loops.push(device);
  return device;
}

const devOf = (device: { major: number; minor: number }) => ({ major: device.major, minor: device.minor });

/** `count` linear slices of `sectors` each over one fresh loop device, as DM devices (legs, logs). */
function slices(count: number, sectors = 16384): DeviceInfo[] {
  const under = loop(Math.ceil((count * sectors) / 2048));
  return Array.from({ length: count }, (_, index) =>
    dm.createDevice(names.of(`s${under.minor}-${index}`), t.table([{ length: sectors, target: t.linear({ device: devOf(under), offset: index * sectors }) }])),
  );
}

/** Params with SecretKeys as their hex, so keys compare by their bytes. */
function comparable(params: unknown): unknown {
  if (params instanceof t.SecretKey) return `key:${params.toKernelText()}`;
  if (typeof params !== 'object' || params === null) return params;
  if (Array.isArray(params)) return params.map(comparable);
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, comparable(value)]));
}

/** The device's one row read back and parsed by its type. */
function readBack(info: DeviceInfo): t.Target {
  const [row] = dm.table({ name: info.name }).rows;
  const parsed = t.parseTableRow(row!);
  expect(parsed.target).toBeInstanceOf(t.Target);
  return parsed.target as t.Target;
}

/** Creates `name` with one row of `target`; its table read back and parsed must equal what was built. */
function createTyped(name: string, length: number, target: t.Target, options: { readOnly?: boolean } = {}): DeviceInfo {
  const info = dm.createDevice(names.of(name), t.table([{ length, target }]), options);
  expect(comparable(readBack(info).params)).toEqual(comparable(target.params));
  return info;
}

function statusOf<S>(info: DeviceInfo, kind: t.TargetType<unknown, S>): S {
  const [row] = dm.status({ name: info.name }).rows;
  return t.parseStatusRow(row!, kind).status;
}

/** dd between a device and /dev/zero|urandom|null; false when dd failed (EIO, EILSEQ). */
function dd(args: string[]): boolean {
  try {
    execFileSync('dd', [...args, 'status=none'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
const write = (info: DeviceInfo, blocks = 4) => dd(['if=/dev/urandom', `of=/dev/dm-${info.minor}`, 'bs=4k', `count=${blocks}`, 'oflag=direct']);
const readAll = (info: DeviceInfo) => dd([`if=/dev/dm-${info.minor}`, 'of=/dev/null', 'bs=4k', 'iflag=direct']);

/** Swaps a slice's table for `error` of the same length: its users see every I/O fail. */
function fail(slice: DeviceInfo): void {
  dm.suspend({ name: slice.name });
  dm.load({ name: slice.name }, t.table([{ length: 16384, target: t.error() }]));
  dm.resume({ name: slice.name });
}

const inSync = (status: { state: string; syncAction?: string; sync?: t.Usage }) => status.state === 'ok' && status.syncAction === 'idle' && status.sync?.used === status.sync?.total;

describe('raid and mirror', () => {
  it('raid1 with metadata: in sync, then a leg over error is D', async () => {
    const [meta0, data0, meta1, data1] = slices(4);
    const info = createTyped('raid1', 16384, t.raid({ raidType: 'raid1', chunkSize: 0, options: { regionSize: 1024 }, devices: [{ metadata: devOf(meta0!), data: devOf(data0!) }, { metadata: devOf(meta1!), data: devOf(data1!) }] }));
    expect(await eventually(() => inSync(statusOf(info, t.raid) as never))).toBe(true);
    expect(statusOf(info, t.raid)).toMatchObject({ type: 'raid', raidType: 'raid1', healthChars: 'AA', health: ['alive', 'alive'], mismatches: 0, dataOffset: 0, journal: 'none' });
    fail(data1!);
    write(info);
    expect(await eventually(() => (statusOf(info, t.raid) as { healthChars?: string }).healthChars === 'AD')).toBe(true);
    expect(statusOf(info, t.raid)).toMatchObject({ health: ['alive', 'dead'] });
  });

  it('raid1 rebuilding a leg at 1..10 KiB/s: a is recovering; raid5 with a journal; a missing leg', async () => {
    const [a, b] = slices(2, 32768);
    const rebuild = createTyped('raid1-rb', 32768, t.raid({ raidType: 'raid1', chunkSize: 0, options: { rebuild: [1], minRecoveryRate: 1, maxRecoveryRate: 10 }, devices: [{ data: devOf(a!) }, { data: devOf(b!) }] }));
    // md's recovery thread starts a moment after the resume: until then the action reads idle.
    expect(await eventually(() => (statusOf(rebuild, t.raid) as { syncAction?: string }).syncAction === 'recover')).toBe(true);
    expect(statusOf(rebuild, t.raid)).toMatchObject({ healthChars: 'Aa', health: ['alive', 'syncing'], syncAction: 'recover' });
    dm.message({ name: rebuild.name }, 0, 'frozen');
    expect(statusOf(rebuild, t.raid)).toMatchObject({ syncAction: 'frozen' });
    dm.remove({ name: rebuild.name });
    const [d0, d1, d2, journal] = slices(4);
    const raid5 = createTyped('raid5', 16384, t.raid({ raidType: 'raid5_ls', chunkSize: 64, options: { journalDev: devOf(journal!) }, devices: [d0, d1, d2].map((d) => ({ data: devOf(d!) })) }));
    expect(statusOf(raid5, t.raid)).toMatchObject({ raidType: 'raid5_ls', healthChars: 'AAA', journal: 'writethrough' });
    dm.remove({ name: raid5.name });
    const degraded = createTyped('raid1-deg', 16384, t.raid({ raidType: 'raid1', chunkSize: 0, devices: [{ data: devOf(d0!) }, {}] }));
    expect(statusOf(degraded, t.raid)).toMatchObject({ healthChars: 'A-', health: ['alive', 'missing'] });
  });

  it('mirror with a core log: in sync, then a leg over error is D; with a disk log and handle_errors', async () => {
    const [a, b, c, log] = slices(4);
    const info = createTyped('mirror', 16384, t.mirror({ log: { type: 'core', regionSize: 1024 }, legs: [{ device: devOf(a!), offset: 0 }, { device: devOf(b!), offset: 0 }] }));
    expect(await eventually(() => (statusOf(info, t.mirror) as { inSync?: boolean }).inSync === true)).toBe(true);
    expect(statusOf(info, t.mirror)).toMatchObject({ state: 'ok', legs: [{ device: devOf(a!), health: 'A' }, { device: devOf(b!), health: 'A' }], regions: { used: 16, total: 16 }, log: { type: 'core' } });
    fail(b!);
    write(info);
    expect(await eventually(() => (statusOf(info, t.mirror) as { legs?: { health: string }[] }).legs?.[1]?.health === 'D')).toBe(true);
    dm.remove({ name: info.name });
    const disk = createTyped('mirror-disk', 8192, t.mirror({ log: { type: 'disk', device: devOf(log!), regionSize: 1024, sync: 'nosync' }, legs: [{ device: devOf(a!), offset: 0 }, { device: devOf(c!), offset: 0 }], features: { handleErrors: true } }));
    expect(statusOf(disk, t.mirror)).toMatchObject({ legs: [{ health: 'A' }, { health: 'A' }], log: { type: 'disk', device: devOf(log!), health: 'A' } });
  });
});

describe('multipath', () => {
  it('service-time over two loop devices; a failed path', () => {
    const [a, b] = [loop(16), loop(16)];
    const paths = [a, b].map((device) => ({ device: devOf(device), args: ['1', '1'] }));
    const info = createTyped('mpath', 32768, t.multipath({ groups: [{ selector: 'service-time', paths }] }));
    expect(statusOf(info, t.multipath)).toMatchObject({ state: 'ok', queueIo: expect.any(Boolean), pgInitCount: 0, nextGroup: 1, groups: [{ state: 'enabled', paths: [{ device: devOf(a), active: true, failCount: 0 }, { active: true }] }] });
    dm.message({ name: info.name }, 0, `fail_path ${b.major}:${b.minor}`);
    expect(statusOf(info, t.multipath)).toMatchObject({ groups: [{ paths: [{ active: true }, { device: devOf(b), active: false, failCount: 1 }] }] });
  });

  it('bio-based over DM devices, two round-robin groups, queue_if_no_path; a disabled group', () => {
    const [a, b] = slices(2);
    const groups = [a, b].map((slice) => ({ selector: 'round-robin', paths: [{ device: devOf(slice!), args: ['1'] }] }));
    const features = { queueIfNoPath: true, retainAttachedHwHandler: true, queueMode: 'bio' as const };
    const info = createTyped('mpath-bio', 16384, t.multipath({ features, groups }));
    dm.message({ name: info.name }, 0, 'disable_group 1');
    expect(statusOf(info, t.multipath)).toMatchObject({ groups: [{ state: 'disabled' }, { state: 'enabled' }] });
    dm.message({ name: info.name }, 0, 'fail_if_no_path');
  });
});

describe('delay, flakey, dust, unstriped, switch, log-writes, era', () => {
  it('delay with read, write and flush classes; flakey with each feature', () => {
    const [a, b, c] = slices(3);
    const cls = (slice: DeviceInfo, offset: number, ms: number) => ({ device: devOf(slice), offset, delay: ms });
    const delayed = createTyped('delay', 8192, t.delay({ read: cls(a!, 0, 100), write: cls(b!, 8, 200), flush: cls(c!, 16, 50) }));
    expect(statusOf(delayed, t.delay)).toEqual({ type: 'delay', state: 'ok', reads: 0, writes: 0, flushes: 0, extra: [] });
    const base = { device: devOf(a!), offset: 0, up: 1, down: 1 };
    const variants: t.FlakeyParams[] = [
      { ...base, up: 60, down: 0 },
      { ...base, features: { dropWrites: true } },
      { ...base, features: { errorWrites: true } },
      { ...base, features: { corruptBioByte: { byte: 32, direction: 'read', value: 1, flags: 0 } } },
    ];
    variants.forEach((params, index) => {
      const info = createTyped(`flakey${index}`, 8192, t.flakey(params));
      expect(t.parseStatusRow(dm.status({ name: info.name }).rows[0]!).status).toEqual({ type: 'flakey', raw: '' });
    });
  });

  it('dust: bypass, then enabled and quiet', () => {
    const [a] = slices(1);
    const info = createTyped('dust', 16384, t.dust({ device: devOf(a!), offset: 0, blockSize: 512 }));
    expect(statusOf(info, t.dust)).toEqual({ type: 'dust', state: 'ok', device: devOf(a!), failReads: false, quiet: false, extra: [] });
    dm.message({ name: info.name }, 0, 'addbadblock 3');
    dm.message({ name: info.name }, 0, 'enable');
    dm.message({ name: info.name }, 0, 'quiet');
    expect(statusOf(info, t.dust)).toMatchObject({ failReads: true, quiet: true });
  });

  it('unstriped, switch and log-writes (entries counted after a mark)', () => {
    const [a, b] = slices(2);
    createTyped('unstriped', 8192, t.unstriped({ stripes: 2, chunkSize: 128, stripe: 1, device: devOf(a!), offset: 0 }));
    const sw = createTyped('switch', 16384, t.switchTarget({ regionSize: 64, paths: [{ device: devOf(a!), offset: 0 }, { device: devOf(b!), offset: 0 }] }));
    dm.message({ name: sw.name }, 0, 'set_region_mappings 0:1 1:0');
    for (const name of [names.of('unstriped'), sw.name]) {
      const [row] = dm.status({ name }).rows;
      expect(t.parseStatusRow(row!).status).toEqual({ type: row!.type, raw: '' });
    }
    dm.remove({ name: sw.name });
    const logged = createTyped('log-writes', 16384, t.logWrites({ device: devOf(a!), log: devOf(b!) }));
    const before = statusOf(logged, t.logWrites) as Extract<t.LogWritesStatus, { state: 'ok' }>;
    expect(before.state).toBe('ok');
    dm.message({ name: logged.name }, 0, 'mark tsdm');
    // The target's log thread writes the mark: its count moves once that thread has run.
    let after = statusOf(logged, t.logWrites) as { loggedEntries?: unknown };
    for (let i = 0; i < 100 && Number(after.loggedEntries) === Number(before.loggedEntries); i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      after = statusOf(logged, t.logWrites) as { loggedEntries?: unknown };
    }
    expect(after).toMatchObject({ loggedEntries: Number(before.loggedEntries) + 1 });
  });

  it('era: eras advance at checkpoint; a held metadata root after take_metadata_snap', () => {
    const [metadata, origin] = slices(2);
    const info = createTyped('era', 16384, t.era({ metadata: devOf(metadata!), origin: devOf(origin!), blockSize: 128 }));
    const first = statusOf(info, t.era) as Extract<t.EraStatus, { state: 'ok' }>;
    expect(first).toMatchObject({ type: 'era', state: 'ok', metadataBlockSize: 8, heldMetadataRoot: undefined });
    dm.message({ name: info.name }, 0, 'checkpoint');
    expect(statusOf(info, t.era)).toMatchObject({ currentEra: Number(first.currentEra) + 1 });
    dm.message({ name: info.name }, 0, 'take_metadata_snap');
    expect((statusOf(info, t.era) as { heldMetadataRoot?: unknown }).heldMetadataRoot).toEqual(expect.any(Number));
  });
});

describe('integrity and verity', () => {
  it('integrity with keyed hash and journal: sized by a probe, read back with its keys, a tag mismatch counted', () => {
    const [a] = slices(1);
    const params: t.IntegrityParams = {
      device: devOf(a!),
      offset: 0,
      tagSize: 32,
      mode: 'J',
      options: { internalHash: 'hmac(sha256)', journalCrypt: 'ctr(aes)' },
      keys: { internalHash: t.SecretKey.from(randomBytes(32)), journalCrypt: t.SecretKey.from(randomBytes(16)) },
    };
    // As integritysetup does: a one-sector table formats the device and says how much it offers.
    const probe = dm.createDevice(names.of('integrity-probe'), t.table([{ length: 1, target: t.integrity(params) }]));
    const offered = statusOf(probe, t.integrity) as Extract<t.IntegrityStatus, { state: 'ok' }>;
    expect(offered).toMatchObject({ state: 'ok', mismatches: 0, recalculatedSector: undefined });
    dm.remove({ name: probe.name });
    const length = Number(offered.providedDataSectors);
    const info = dm.createDevice(names.of('integrity'), t.table([{ length, target: t.integrity(params) }]));
    // The kernel adds its defaults (journal_sectors, …) and gives the keys back: what we built is all there.
    const back = readBack(info).params as t.IntegrityParams;
    expect(comparable(back)).toMatchObject(comparable(params) as object);
    expect(back.options).toMatchObject({ journalSectors: expect.any(Number), interleaveSectors: expect.any(Number), commitTime: expect.any(Number) });
    expect(String(readBack(info))).not.toContain(params.keys!.internalHash!.toKernelText());
    // Our hiding is dmsetup's: `dmsetup table` (no --showkeys) prints what hideSecrets gives.
    const [row] = dm.table({ name: info.name }).rows;
    expect(dmsetup('table', info.name).trimEnd()).toBe(`0 ${length} integrity ${t.hideSecrets('integrity', row!.params)}`);
    expect(dd(['if=/dev/zero', `of=/dev/dm-${info.minor}`, 'bs=4k', `count=${Math.floor(length / 8)}`, 'oflag=direct'])).toBe(true);
    // Every sector written once, so every tag is right: reading it all finds no mismatch.
    expect(readAll(info)).toBe(true);
    expect(statusOf(info, t.integrity)).toMatchObject({ mismatches: 0, providedDataSectors: length });
    dm.remove({ name: info.name });
    // Garbage over the middle of the backing device, then the same table again: reads fail their tags.
    expect(dd(['if=/dev/urandom', `of=/dev/dm-${a!.minor}`, 'bs=64k', 'seek=32', 'count=16', 'oflag=direct'])).toBe(true);
    const again = dm.createDevice(names.of('integrity'), t.table([{ length, target: t.integrity(params) }]));
    readAll(again);
    expect(Number((statusOf(again, t.integrity) as { mismatches?: unknown }).mismatches)).toBeGreaterThan(0);
  });

  it('verity over a hash tree built here: V while the data matches, C after a block changed', () => {
    const [data, hash] = slices(2, 64);
    const salt = randomBytes(8);
    const blocks = Array.from({ length: 8 }, () => randomBytes(4096));
    // Format 1: digest = sha256(salt || block); one hash block holds all 8 digests, zero-padded; root = sha256(salt || hash block).
    const hashBlock = Buffer.alloc(4096);
    blocks.forEach((block, index) => createHash('sha256').update(salt).update(block).digest().copy(hashBlock, index * 32));
    const rootDigest = createHash('sha256').update(salt).update(hashBlock).digest('hex');
    writeDevice(data!, Buffer.concat(blocks), 0);
    writeDevice(hash!, hashBlock, 0);
    const base: t.VerityParams = { version: 1, data: devOf(data!), hash: devOf(hash!), dataBlockSize: 4096, hashBlockSize: 4096, dataBlocks: 8, hashStart: 0, algorithm: 'sha256', rootDigest, salt: salt.toString('hex') };
    const withOptions = createTyped('verity-opts', 64, t.verity({ ...base, options: { onCorruption: 'ignore', ignoreZeroBlocks: true, checkAtMostOnce: true, tryVerifyInTasklet: true } }), { readOnly: true });
    dm.remove({ name: withOptions.name });
    const info = createTyped('verity', 64, t.verity(base), { readOnly: true });
    expect(readAll(info)).toBe(true);
    expect(statusOf(info, t.verity)).toEqual({ type: 'verity', state: 'ok', valid: true, fecCorrected: undefined, extra: [] });
    writeDevice(data!, Buffer.from('changed'), 3 * 4096 + 5);
    expect(readAll(info)).toBe(false);
    expect(statusOf(info, t.verity)).toMatchObject({ valid: false });
  });
});

/** Writes `bytes` at `offset` of a DM device and flushes them to it (verity reads below the page cache). */
function writeDevice(info: DeviceInfo, bytes: Buffer, offset: number): void {
  const fd = openSync(`/dev/dm-${info.minor}`, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
