/**
 * The udev row of `npm run bench`: create + remove with a real systemd-udevd in the guest, each
 * cycle waited for as the tools do by default (libdm's cookies): our library in-process, the
 * `tsdmsetup` and `dmsetup` processes. Medians per cycle, and what was left (semaphores, devices).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliBin } from './cli-cases.js';
import { byDev, DeviceMapper } from '../../lib/index.js';

const UDEVD = '/lib/systemd/systemd-udevd';
const ZERO = [{ start: 0, length: 2048, type: 'zero', params: '' }];

export interface UdevCycleResult {
  /** ms per create + remove cycle. */
  library: number[];
  tsdmsetup: number[];
  dmsetup: number[];
  semaphoresLeft: number;
  devicesLeft: number;
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

function semaphores(): number {
  return execFileSync('ipcs', ['-s'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /^0x0d4d/i.test(line)).length;
}

/** `cycles` library cycles and `processCycles` of each tool; undefined without udev installed. */
export function measureUdevCycles(repoRoot: string, cycles: number, processCycles: number): UdevCycleResult | undefined {
  if (!existsSync(UDEVD)) return undefined;
  const disabled = process.env['DM_DISABLE_UDEV'];
  delete process.env['DM_DISABLE_UDEV']; // udev keeps the nodes here, as on a desktop
  execFileSync(UDEVD, ['--daemon'], { stdio: 'ignore' });
  try {
    execFileSync('udevadm', ['trigger', '--action=add', '--subsystem-match=block', '--subsystem-match=misc']);
    execFileSync('udevadm', ['settle']);
    const result: UdevCycleResult = { library: [], tsdmsetup: [], dmsetup: [], semaphoresLeft: 0, devicesLeft: 0 };
    const dm = DeviceMapper.open({ udevSync: 'cookie' });
    try {
      for (let i = 0; i < cycles; i++) {
        const start = process.hrtime.bigint();
        dm.remove(byDev(dm.createDevice('bench-udev-lib', ZERO)));
        result.library.push(ms(start));
      }
    } finally {
      dm.close();
    }
    const cli = cliBin(repoRoot);
    const tools: Array<[keyof Pick<UdevCycleResult, 'tsdmsetup' | 'dmsetup'>, string, string[]]> = [
      ['tsdmsetup', process.execPath, [cli]],
      ['dmsetup', 'dmsetup', []],
    ];
    for (let i = 0; i < processCycles; i++) {
      for (const [key, file, prefix] of i % 2 === 0 ? tools : [...tools].reverse()) {
        const start = process.hrtime.bigint();
        for (const args of [['create', `bench-udev-${key}`, '--table', '0 2048 zero'], ['remove', `bench-udev-${key}`]]) {
          const run = spawnSync(file, [...prefix, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`${key} ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
        }
        result[key].push(ms(start));
      }
    }
    execFileSync('udevadm', ['settle']);
    result.semaphoresLeft = semaphores();
    const left = spawnSync('dmsetup', ['ls'], { encoding: 'utf8', env: { ...process.env, DM_DISABLE_UDEV: '1' } }).stdout;
    result.devicesLeft = left.split('\n').filter((line) => line.startsWith('bench-udev-')).length;
    return result;
  } finally {
    spawnSync('udevadm', ['control', '--exit'], { stdio: 'ignore' });
    if (disabled !== undefined) process.env['DM_DISABLE_UDEV'] = disabled;
  }
}
