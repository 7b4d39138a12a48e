/**
 * The devices `npm run bench` measures against, made and removed inside the guest with our library
 * (so every contender finds the same kernel state): a zero device, a linear device over it, a
 * stacked device over both (two deps), one to suspend and resume, one to raise events on, and
 * table-less filler devices to list.
 */
import type { DeviceMapper, TableRow } from '../../lib/index.js';

export const NAMES = {
  zero: 'tsdm-bench-zero',
  linear: 'tsdm-bench-lin',
  stacked: 'tsdm-bench-top',
  suspend: 'tsdm-bench-sr',
  events: 'tsdm-bench-ev',
  eventsOther: 'tsdm-bench-ev2',
  cycle: 'tsdm-bench-cycle',
  cliCycle: 'tsdm-bench-cli',
} as const;
/** The events device is waited on by uuid: its name changes with every event. */
export const EVENTS_UUID = 'TSDM-BENCH-EVENTS';
const FILLER_PREFIX = 'tsdm-bench-fill-';

const zeroRows = (length: number): TableRow[] => [{ start: 0, length, type: 'zero', params: '' }];

/** Every device the bench makes; `count()` includes the fillers. */
export class BenchDevices {
  private fillers = 0;

  constructor(private readonly dm: DeviceMapper) {}

  /** Makes the base devices (5 of them). */
  setUp(): void {
    this.tearDown(); // what an interrupted earlier run left
    const dm = this.dm;
    const zero = dm.createDevice(NAMES.zero, zeroRows(8192));
    const linear = dm.createDevice(NAMES.linear, [{ start: 0, length: 4096, type: 'linear', params: `${zero.major}:${zero.minor} 0` }]);
    dm.createDevice(NAMES.stacked, [
      { start: 0, length: 2048, type: 'linear', params: `${linear.major}:${linear.minor} 0` },
      { start: 2048, length: 2048, type: 'linear', params: `${zero.major}:${zero.minor} 4096` },
    ]);
    dm.createDevice(NAMES.suspend, zeroRows(2048));
    dm.createDevice(NAMES.events, zeroRows(2048), { uuid: EVENTS_UUID });
  }

  /** The number of DM devices in the kernel. */
  count(): number {
    return this.dm.list({ uuids: false }).length;
  }

  /** Adds table-less devices until the kernel has `total` devices. */
  fillTo(total: number): void {
    for (let have = this.count(); have < total; have++) {
      this.dm.create(`${FILLER_PREFIX}${String(this.fillers++).padStart(5, '0')}`);
    }
  }

  /** Removes every device whose name starts with tsdm-bench-, fillers first, stacked before lower. */
  tearDown(): void {
    const order = [NAMES.cycle, NAMES.cliCycle, NAMES.stacked, NAMES.linear, NAMES.zero, NAMES.suspend, NAMES.events, NAMES.eventsOther];
    const names = this.dm.list({ uuids: false }).map((device) => device.name);
    for (const name of names) if (name.startsWith(FILLER_PREFIX)) this.dm.remove({ name });
    for (const name of order) if (names.includes(name)) this.dm.remove({ name }, { retry: true });
    this.fillers = 0;
  }
}
