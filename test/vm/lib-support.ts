/**
 * Shared by the lib-*.test.ts kernel tests: Debian's dmsetup as an independent witness of the
 * kernel's state (run without udev, its output parsed here), and helpers that catch a DmError so a
 * test can check its `code`, `command` and `operation`.
 */
import { closeSync, openSync } from 'node:fs';
import { afterAll, afterEach, expect } from 'vitest';
import { DeviceMapper, DmError, statusRow, type StatusRow, type TableRow } from '../../lib/index.js';
import { scratchSync, type ScratchKit } from '../../lib/testing/index.js';
import { deviceNames, removeStrayNodes } from '../helpers/devices.js';
import type { LoopDevice } from '../helpers/loop.js';
import { runDmsetup } from '../helpers/cli.js';

const DMSETUP_ENV = { DM_DISABLE_UDEV: '1' };

/** Runs dmsetup and returns its stdout; a non-zero exit throws with its stderr. */
export function dmsetup(...args: string[]): string {
  const result = runDmsetup(args, { env: DMSETUP_ENV });
  if (result.status !== 0) {
    throw new Error(`dmsetup ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** dmsetup's exit status and output, for commands expected to fail. */
export function dmsetupResult(...args: string[]): { status: number; stdout: string; stderr: string } {
  return runDmsetup(args, { env: DMSETUP_ENV });
}

/** One device as `dmsetup info -c` reports it. */
export interface DmsetupDevice {
  name: string;
  uuid: string;
  major: number;
  minor: number;
  open: number;
  /** Targets in the live table. */
  segments: number;
  events: number;
  live: boolean;
  inactive: boolean;
  suspended: boolean;
  readOnly: boolean;
}

const INFO_FIELDS = 'name,uuid,major,minor,open,segments,events,attr';

function parseInfoLine(line: string): DmsetupDevice {
  const [name, uuid, major, minor, open, segments, events, attr] = line.split('|');
  if (attr === undefined) throw new Error(`Unexpected dmsetup info line: ${JSON.stringify(line)}`);
  return {
    name: name!,
    uuid: uuid!,
    major: Number(major),
    minor: Number(minor),
    open: Number(open),
    segments: Number(segments),
    events: Number(events),
    // attr: (L)ive, (I)nactive, (s)uspended, (r)ead-only / read-(w)rite
    live: attr[0] === 'L',
    inactive: attr[1] === 'I',
    suspended: attr[2] === 's',
    readOnly: attr[3] === 'r',
  };
}

/**
 * dmsetup's view of one device, addressed by dmsetup's own arguments (`[name]`, `['-u', uuid]`,
 * `['-j', major, '-m', minor]`); undefined when dmsetup says the device does not exist.
 */
export function dmsetupInfo(...address: string[]): DmsetupDevice | undefined {
  const result = dmsetupResult('info', '-c', '--noheadings', '--separator', '|', '-o', INFO_FIELDS, ...address);
  if (result.status !== 0 && result.stderr.startsWith('Device does not exist.')) return undefined;
  if (result.status !== 0) throw new Error(`dmsetup info ${address.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  const lines = result.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return parseInfoLine(lines[0]!);
}

/** Every device dmsetup sees whose name starts with `prefix`. */
export function dmsetupDevices(prefix: string): DmsetupDevice[] {
  const out = dmsetup('info', '-c', '--noheadings', '--separator', '|', '-o', INFO_FIELDS);
  if (out.trim() === 'No devices found') return [];
  return out
    .split('\n')
    .filter(Boolean)
    .map(parseInfoLine)
    .filter((device) => device.name.startsWith(prefix));
}

/** `dmsetup table|status [--inactive] NAME` parsed into rows (params without the trailing space). */
export function dmsetupRows(command: 'table' | 'status', name: string, inactive = false): TableRow[] {
  const out = dmsetup(command, ...(inactive ? ['--inactive'] : []), name);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = /^(\d+) (\d+) (\S+) ?(.*)$/.exec(line);
      if (!match) throw new Error(`Unexpected dmsetup ${command} line: ${JSON.stringify(line)}`);
      return { start: Number(match[1]), length: Number(match[2]), type: match[3]!, params: match[4]!.trimEnd() };
    });
}

/** `dmsetup status NAME` as StatusRows (text without the trailing space), to compare with `dm.status()`. */
export function dmsetupStatus(name: string): StatusRow[] {
  return dmsetupRows('status', name).map(statusRow);
}

/** `dmsetup deps NAME` as device numbers. */
export function dmsetupDeps(name: string): { major: number; minor: number }[] {
  const out = dmsetup('deps', name);
  return [...out.matchAll(/\((\d+), (\d+)\)/g)].map((m) => ({ major: Number(m[1]), minor: Number(m[2]) }));
}

/** Status rows with their text trimmed at the end, to compare with dmsetup's printed form. */
export function trimmedStatus(rows: readonly StatusRow[]): StatusRow[] {
  return rows.map((row) => ({ ...row, status: row.status.trimEnd() }));
}

/** A one-row table of zeros. */
export function zeroTable(sectors: number): TableRow[] {
  return [{ start: 0, length: sectors, type: 'zero', params: '' }];
}

/**
 * Polls `probe` every 10 ms until it returns true or `timeoutMs` passes (for what the kernel does
 * on a work queue, such as a deferred removal after the last close).
 */
export async function eventually(probe: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Runs `fn`, which must throw a DmError, and returns it. */
export function catchDmError(fn: () => unknown): DmError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DmError);
    return error as DmError;
  }
  throw new Error('expected a DmError, but the call succeeded');
}

/** Awaits `promise`, which must reject with a DmError, and returns it. */
export async function catchDmErrorAsync(promise: Promise<unknown>): Promise<DmError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DmError);
    return error as DmError;
  }
  throw new Error('expected a DmError, but the call succeeded');
}

/**
 * Holds block devices open (`/dev/dm-N`, made by devtmpfs once a table is loaded) so that the
 * kernel sees them in use; `closeAll()` in afterEach releases them even when a test failed.
 */
export class Openers {
  private readonly fds = new Set<number>();

  open(minor: number): number {
    const fd = openSync(`/dev/dm-${minor}`, 'r');
    this.fds.add(fd);
    return fd;
  }

  close(fd: number): void {
    if (this.fds.delete(fd)) closeSync(fd);
  }

  closeAll(): void {
    for (const fd of [...this.fds]) this.close(fd);
  }
}

export interface KernelFixture {
  /** One handle for the whole file. */
  dm: DeviceMapper;
  names: ReturnType<typeof deviceNames>;
  /** Loop devices the tests made: detached after each test. */
  loops: LoopDevice[];
  /** The test kit over the file's prefix and handle: `kit.loop(sizeMiB)` for a scratch loop device. */
  kit: ScratchKit;
}

/**
 * The setup every library kernel-test file shares: one DeviceMapper handle for the file, device
 * names with the file's prefix, and a list for loop devices. After each test `beforeCleanup` runs
 * (to close what holds devices open), then the test kit removes every device with the prefix and
 * its own loop devices, the listed loops are detached and stray nodes removed, even when the test
 * failed; the handle is closed after the file.
 */
export function useKernelFixture(file: string, options: { beforeCleanup?: () => void } = {}): KernelFixture {
  const dm = DeviceMapper.open();
  const names = deviceNames(file);
  const fixture: KernelFixture = { dm, names, loops: [], kit: scratchSync({ prefix: names.prefix, dm }) };
  afterEach(() => {
    try {
      options.beforeCleanup?.();
      fixture.kit.cleanupSync();
    } finally {
      try {
        for (const device of fixture.loops.splice(0)) device.detach();
      } finally {
        removeStrayNodes(names.prefix);
      }
    }
  });
  afterAll(() => fixture.dm.close());
  return fixture;
}
