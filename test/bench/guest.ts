/**
 * The guest half of `npm run bench` (run by run.ts inside the VM, as root): makes the bench devices,
 * runs every library case with our library and the two C references interleaved, the CLI rows, the
 * list cases as devices are added, and the optional heap and profile cases; writes the samples as
 * JSON to --out.
 */
import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { DeviceMapper } from '../../lib/index.js';
import { runReference } from './c-refs.js';
import { guestRows, lsRow, measureBatch, measureCli } from './cli-cases.js';
import { BenchDevices, NAMES } from './fixture.js';
import { baseCases, listCase, type LibCase } from './lib-cases.js';
import { parseBenchArguments, scaled, selected, type BenchOptions } from './options.js';
import { profileHotPaths } from './profile.js';
import { measureLayers, measureOpens } from './startup.js';
import { measureUdevCycles } from './udev-cycle.js';
import type { GuestResults, LibSamples, MemoryResult } from './results.js';
import { interleave } from './stats.js';

const LIST_SIZES: Array<[devices: number, iterations: number]> = [[10, 2_000], [1_000, 100], [10_000, 10]];

const started = Date.now();
const log = (text: string): void => void process.stderr.write(`bench: [${Math.round((Date.now() - started) / 1000)} s] ${text}\n`);

type Contender = 'ours' | 'oursAsync' | 'raw' | 'libdm';

async function runCase(dm: DeviceMapper, c: LibCase, options: BenchOptions, bin: string): Promise<LibSamples> {
  const n = scaled(options, c.iterations);
  const samples: LibSamples = { id: c.id, label: c.label, iterations: n, raw: [], libdm: [], ...(c.devices ? { devices: c.devices } : {}) };
  const contenders: Contender[] = ['ours', ...(c.oursAsync ? ['oursAsync' as const] : []), 'raw', 'libdm'];
  const caseName = c.id.startsWith('list-') ? 'list' : c.id;
  const sample = async (who: Contender): Promise<number> => {
    if (who === 'ours') return c.ours(dm, n);
    if (who === 'oursAsync') return c.oursAsync!(dm, n);
    return runReference(join(bin, who), caseName, n, c.cArgs);
  };
  // A discarded first round: V8 has compiled our hot paths before any sample counts.
  for (const who of contenders) await sample(who);
  for (const who of interleave(contenders, options.rounds)) (samples[who] ??= []).push(await sample(who));
  log(`${c.id}: done (${n}× per sample)`);
  return samples;
}

/** Heap after a full GC every tenth of `calls` info() calls (needs node --expose-gc). */
function measureMemory(dm: DeviceMapper, calls: number): MemoryResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench: --memory needs node --expose-gc');
  const heap = (): number => (gc(), process.memoryUsage().heapUsed);
  const rssBefore = process.memoryUsage().rss;
  const heapUsed = [heap()];
  const step = Math.ceil(calls / 10);
  for (let done = 0; done < calls; done += step) {
    for (let i = 0; i < Math.min(step, calls - done); i++) dm.info({ name: NAMES.linear });
    heapUsed.push(heap());
    log(`memory: ${done + step} info() calls, heap ${(heapUsed.at(-1)! / 2 ** 20).toFixed(2)} MiB`);
  }
  return { calls, heapUsed, rssBefore, rssAfter: process.memoryUsage().rss };
}

/** Raises the kernel's thread limit: every DM device has a kdmflush thread. */
function allowThreads(devices: number): void {
  const path = '/proc/sys/kernel/threads-max';
  writeFileSync(path, String(Math.max(devices * 4, 32_768)));
}

async function main(): Promise<void> {
  const options = parseBenchArguments(process.argv.slice(2));
  if (!options.out || !options.bin) throw new Error('bench guest: --out and --bin are set by run.ts');
  const repoRoot = process.cwd();
  const dm = DeviceMapper.open({ nodes: true });
  const devices = new BenchDevices(dm);
  const results: GuestResults = { kernel: release(), driverVersion: dm.driverVersion().join('.'), lib: [], cli: [], opens: [], layers: [] };
  try {
    devices.setUp();
    for (const c of baseCases) if (selected(options, c.id)) results.lib.push(await runCase(dm, c, options, options.bin));
    if (selected(options, 'cli')) {
      results.cli.push(...measureCli(guestRows, options.cliRounds, repoRoot));
      log('cli: done');
    }
    if (selected(options, 'batch')) {
      results.cli.push(measureBatch(scaled(options, 1_000), options.cliRounds, repoRoot));
      log('batch: done');
    }
    if (selected(options, 'opens')) {
      results.opens = measureOpens([['version'], ['splitname', 'a-b']], repoRoot);
      results.layers = measureLayers(repoRoot, options.cliRounds);
    }
    for (const [size, iterations] of LIST_SIZES) {
      if (size > options.maxDevices) continue;
      const id = `list-${size}`;
      const wantCli = size === 1_000 && selected(options, 'cli');
      if (!selected(options, id) && !wantCli) continue;
      if (size > 5_000) allowThreads(size);
      devices.fillTo(size);
      log(`${devices.count()} devices`);
      if (selected(options, id)) results.lib.push(await runCase(dm, listCase(size, iterations), options, options.bin));
      if (wantCli) results.cli.push(...measureCli([lsRow], options.cliRounds, repoRoot));
    }
    if (selected(options, 'udev')) {
      results.udev = measureUdevCycles(repoRoot, scaled(options, 200), Math.max(3, options.cliRounds * 4));
      log('udev: done');
    }
    if (options.memoryCalls > 0) results.memory = measureMemory(dm, options.memoryCalls);
    if (options.profile) results.profile = profileHotPaths(repoRoot, devices);
  } finally {
    devices.tearDown();
    dm.close();
  }
  writeFileSync(options.out, JSON.stringify(results));
}

await main();
