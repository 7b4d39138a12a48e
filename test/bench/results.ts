/**
 * What the guest hands back to the host (written as JSON to --out) and what `--json` writes: every
 * sample, so later runs can be compared on more than the printed medians.
 */
import type { CliSamples } from './cli-cases.js';
import type { LayerTimes, OpenCount } from './startup.js';
import type { UdevCycleResult } from './udev-cycle.js';

/** One library case: ns per operation, sample i of every contender from round i. */
export interface LibSamples {
  id: string;
  label: string;
  iterations: number;
  devices?: number;
  ours?: number[];
  oursAsync?: number[];
  raw: number[];
  libdm: number[];
}

export interface MemoryResult {
  calls: number;
  /** heapUsed after a full GC, in bytes: before the loop, then after every tenth of it. */
  heapUsed: number[];
  rssBefore: number;
  rssAfter: number;
}

export interface GuestResults {
  kernel: string;
  driverVersion: string;
  lib: LibSamples[];
  cli: CliSamples[];
  /** Files each CLI command opens (empty without strace). */
  opens: OpenCount[];
  /** Start-up by layer (import koffi, the library, the CLI). */
  layers: LayerTimes[];
  memory?: MemoryResult;
  /** create + remove with udev running (absent without udev installed, or when not selected). */
  udev?: UdevCycleResult;
  /** The profile summary, as printed. */
  profile?: string;
}

export interface BenchResults {
  date: string;
  machine: { cpu: string; cpus: number; hostKernel: string; node: string; guestKernel: string; driverVersion: string };
  options: Record<string, unknown>;
  guest: GuestResults;
  host: { cli: CliSamples[]; opens: OpenCount[]; layers: LayerTimes[] };
}
