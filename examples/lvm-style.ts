/**
 * A small LVM-style volume manager on the toolkit: linear "logical volumes" on a loop "physical
 * volume", an LVM-style snapshot of a live LV, a thin pool (its metadata and data are LVs too)
 * with a thin volume, a resize, a rename, and a teardown in holder order. Run as root where
 * device-mapper is (the test suite runs it in its VM): `node dist/examples/lvm-style.js`. It
 * prints what it did and leaves nothing behind, even when a step fails.
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { byDev, linear, liveSnapshot, mib, parseStatusRow, SECTOR_SIZE, table, tableSize, thin, thinPool } from '../lib/index.js';
import { scratch } from '../lib/testing/index.js';

await using kit = await scratch({ prefix: 'lvmex-' });
const { dm } = kit;
const pv = kit.loop(96); // the "physical volume"
const extent = mib(8); // LVM's extent: 8 MiB, in sectors
/** `extents` extents of the PV from `first` on. */
const extents = (first: number, count: number) => ({ length: count * extent, target: linear({ device: pv.path, offset: first * extent }) });

// Two linear LVs: extents 0-1 and 2-3.
const lv1 = dm.createDevice(kit.name('vg-lv1'), table([extents(0, 2)]));
const lv2 = dm.device(byDev(dm.createDevice(kit.name('vg-lv2'), table([extents(2, 2)]))));

// An LVM-style snapshot of the live lv1, its COW on extent 4 (a new COW starts with a zeroed header).
const fd = openSync(pv.path, 'r+');
writeSync(fd, Buffer.alloc(4096), 0, 4096, 4 * extent * SECTOR_SIZE);
closeSync(fd);
liveSnapshot(dm, { origin: byDev(lv1), name: kit.name('vg-snap'), cow: table([extents(4, 1)]) }).commit();

// A thin pool whose metadata (extent 5) and data (extents 6-7) are LVs, and a 1 GiB thin volume.
const meta = dm.createDevice(kit.name('vg-pool_tmeta'), table([extents(5, 1)]));
const data = dm.createDevice(kit.name('vg-pool_tdata'), table([extents(6, 2)]));
const pool = dm.createDevice(kit.name('vg-pool'), table([{ length: 2 * extent, target: thinPool({ metadata: meta, data, blockSize: 128, lowWater: 0 }) }]));
dm.message(byDev(pool), 0, 'create_thin 0');
const thinLv = dm.createDevice(kit.name('vg-thin'), table([{ length: mib(1024), target: thin({ pool, deviceId: 0 }) }]));

// Extend lv2 onto extents 8-9 (load + resume), then rename it; the handle follows.
lv2.load(table([extents(2, 2), extents(8, 2)]));
lv2.resume();
lv2.rename(kit.name('vg-data'));

const size = tableSize(lv2.table().rows);
console.log(`${lv2.info().name}: ${size / extent} extents`);
console.log(`${thinLv.name}: ${dm.status(byDev(thinLv)).rows[0]!.status}`);
// The pool's status, typed: parseStatusRow(row, thinPool) gives a ThinPoolStatus (refused for another type).
const poolStatus = parseStatusRow(dm.status(byDev(pool)).rows[0]!, thinPool).status;
if (poolStatus.state === 'ok') console.log(`${pool.name}: ${poolStatus.data.used}/${poolStatus.data.total} data blocks used`);
// The snapshot took lv1's table to lv1-real, which both lv1 (now snapshot-origin) and the snapshot use.
const real = dm.tree().findByName(`${lv1.name}-real`)!;
console.log(`${real.name}: held by ${real.holders.map((node) => node.name).sort().join(', ')}`);

// Teardown: each stack from its top; removeTree takes what is below once nothing else uses it.
dm.removeTree({ name: kit.name('vg-snap') });
dm.removeTree(byDev(lv1));
dm.removeTree(byDev(thinLv));
lv2.remove();
console.log(`left: ${dm.list().filter((device) => device.name.startsWith('lvmex-')).length} devices`);
