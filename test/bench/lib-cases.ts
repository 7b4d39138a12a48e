/**
 * The library cases of `npm run bench`: for each, our library's loop (sync, and async where the
 * library has an async form) and the arguments that make the C references (c/raw.c, c/libdm.c) do
 * the same work. Every loop returns nanoseconds per operation.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { DeviceMapper, TableRow } from '../../lib/index.js';
import { EVENTS_UUID, NAMES } from './fixture.js';

/** One row of the library table. */
export interface LibCase {
  id: string;
  label: string;
  /** Operations per sample at scale 1. */
  iterations: number;
  /** Devices in the kernel while it runs (list cases): the report also shows the cost per device. */
  devices?: number;
  /** Arguments after `CASE N` for the C references. */
  cArgs: string[];
  /** Our sync loop (a promise only where the sync call runs on a worker: event waits). */
  ours: (dm: DeviceMapper, n: number) => number | Promise<number>;
  oursAsync?: (dm: DeviceMapper, n: number) => Promise<number>;
}

const WARM_UP = 50;

/** Runs body n times after a warm-up (JIT, buffers), as the C loops do; ns per call. */
export function timeLoop(n: number, body: () => void): number {
  for (let i = 0; i < Math.min(WARM_UP, n); i++) body();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body();
  return Number(process.hrtime.bigint() - start) / n;
}

export async function timeLoopAsync(n: number, body: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(WARM_UP, n); i++) await body();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await body();
  return Number(process.hrtime.bigint() - start) / n;
}

// Results go here so no loop's work is dead code.
let sink = 0;

const zeroTable: TableRow[] = [{ start: 0, length: 2048, type: 'zero', params: '' }];
const linear = { name: NAMES.linear };

export function listCase(devices: number, iterations: number): LibCase {
  return {
    id: `list-${devices}`,
    label: `list, ${devices.toLocaleString('en-US')} devices`,
    iterations,
    devices,
    cArgs: [],
    ours: (dm, n) => timeLoop(n, () => (sink += dm.list().length)),
  };
}

/** The cases run at the base device count (the list cases come later, as devices are added). */
export const baseCases: LibCase[] = [
  {
    id: 'info',
    label: 'info by name',
    iterations: 10_000,
    cArgs: [NAMES.linear],
    ours: (dm, n) => timeLoop(n, () => (sink += dm.info(linear).openCount)),
  },
  {
    id: 'status',
    label: 'status (linear)',
    iterations: 10_000,
    cArgs: [NAMES.linear],
    ours: (dm, n) => timeLoop(n, () => (sink += dm.status(linear).rows.length)),
  },
  {
    id: 'table',
    label: 'table (linear)',
    iterations: 10_000,
    cArgs: [NAMES.linear],
    ours: (dm, n) => timeLoop(n, () => (sink += dm.table(linear).rows.length)),
  },
  {
    id: 'deps',
    label: 'deps (stacked, 2 deps)',
    iterations: 10_000,
    cArgs: [NAMES.stacked],
    ours: (dm, n) => timeLoop(n, () => (sink += dm.deps({ name: NAMES.stacked }).deps.length)),
  },
  {
    id: 'message',
    label: 'message round trip (@stats_list)',
    iterations: 2_000,
    cArgs: [NAMES.linear],
    ours: (dm, n) => timeLoop(n, () => (sink += dm.message(linear, 0, '@stats_list')?.length ?? 0)),
  },
  {
    id: 'suspend-resume',
    label: 'suspend + resume',
    iterations: 500,
    cArgs: [NAMES.suspend],
    ours: (dm, n) => timeLoop(n, () => {
      dm.suspend({ name: NAMES.suspend });
      dm.resume({ name: NAMES.suspend });
    }),
    oursAsync: (dm, n) => timeLoopAsync(n, async () => {
      await dm.suspendAsync({ name: NAMES.suspend });
      await dm.resumeAsync({ name: NAMES.suspend });
    }),
  },
  {
    id: 'cycle',
    label: 'create + load + resume + remove',
    iterations: 500,
    cArgs: [NAMES.cycle],
    ours: (dm, n) => timeLoop(n, () => {
      dm.create(NAMES.cycle);
      dm.load({ name: NAMES.cycle }, zeroTable);
      dm.resume({ name: NAMES.cycle });
      dm.remove({ name: NAMES.cycle });
    }),
    // create and load have no async form (they never block in the kernel).
    oursAsync: (dm, n) => timeLoopAsync(n, async () => {
      dm.create(NAMES.cycle);
      dm.load({ name: NAMES.cycle }, zeroTable);
      await dm.resumeAsync({ name: NAMES.cycle });
      await dm.removeAsync({ name: NAMES.cycle });
    }),
  },
  {
    id: 'event',
    label: 'event latency (rename → waiter woken)',
    iterations: 200,
    cArgs: [EVENTS_UUID, NAMES.eventsOther],
    // The sync wait blocks its thread: it runs in a worker while this thread raises the event.
    ours: (dm, n) => eventLatency(dm, n, 'sync'),
    oursAsync: (dm, n) => eventLatency(dm, n, 'async'),
  },
];

/**
 * As the C references: a wait (by uuid) is started, given 2 ms to block in the kernel, then the
 * device is renamed (which raises an event); the time from before the rename to the waiter's return
 * is one sample. `sync`: waitEvent() on a worker thread (event-waiter.ts), which reports when it
 * woke; `async`: waitEventAsync() here, until its promise settles.
 */
async function eventLatency(dm: DeviceMapper, n: number, form: 'sync' | 'async'): Promise<number> {
  const device = { uuid: EVENTS_UUID };
  let { name, eventNr } = dm.info(device);
  const names = [name, name === NAMES.events ? NAMES.eventsOther : NAMES.events];
  const worker = form === 'sync' ? new Worker(new URL('./event-waiter.js', import.meta.url)) : undefined;
  try {
    if (worker) await once(worker, 'message'); // 'ready': its start-up is not part of any sample
    let total = 0n;
    for (let i = 0; i < n; i++) {
      let woken: Promise<bigint>;
      if (worker) {
        worker.postMessage({ uuid: EVENTS_UUID, eventNr });
        await once(worker, 'message'); // 'waiting'
        woken = once(worker, 'message').then(([at]) => at as bigint);
      } else {
        woken = dm.waitEventAsync(device, eventNr).then(() => process.hrtime.bigint());
      }
      await delay(2);
      const start = process.hrtime.bigint();
      dm.rename({ name: names[i % 2]! }, names[(i + 1) % 2]!);
      total += (await woken) - start;
      eventNr++;
    }
    return Number(total) / n;
  } finally {
    if (worker) {
      worker.postMessage('close');
      await once(worker, 'exit');
    }
    name = dm.info(device).name;
    if (name !== NAMES.events) dm.rename({ name }, NAMES.events);
  }
}
