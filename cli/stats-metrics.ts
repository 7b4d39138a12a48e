/**
 * dmstats's derived metrics (libdm's _metrics table and dmsetup's display of each): rates over
 * the sampling interval, average sizes, waits in milliseconds, and utilisation as libdm's
 * dm_percent_t, with libdm's own quirks kept (the merge rates divide by nanoseconds, not seconds).
 */
import type { StatsCounters } from '../lib/index.js';
import type { FieldValue } from './report/fields.js';
import { humanSize } from './stats-units.js';

const NS_PER_SEC = 1e9;
const NS_PER_MS = 1e6;

/** The metric field ids tsdmsetup computes. */
export const METRIC_FIELDS: ReadonlySet<string> = new Set([
  'reads_merged_per_sec', 'writes_merged_per_sec', 'reads_per_sec', 'writes_per_sec', 'read_size_per_sec',
  'write_size_per_sec', 'avg_request_size', 'queue_size', 'await', 'read_await', 'write_await', 'throughput',
  'service_time', 'util',
]);

// A fractional value sorts (and goes to --json) as its text: FieldValue's numbers are whole.
const fixed = (value: number): FieldValue => ({ text: value.toFixed(2), sort: value.toFixed(2) });
const sectors = (value: number): FieldValue => {
  // dmsetup passes (uint64_t) of the double to dm_size_to_string.
  const whole = BigInt(Math.trunc(value));
  return { text: humanSize(whole), sort: whole };
};

function utilisation(c: StatsCounters, intervalNs: number): number {
  const io = Number(c.ioNs);
  return (io < intervalNs ? io : intervalNs) / intervalNs;
}

/** libdm's dm_make_percent(DM_PERCENT_1 * util, DM_PERCENT_1) then dm_percent_to_round_float(…, 2). */
function percentText(util: number): string {
  const numerator = Math.trunc(1e6 * util);
  let percent: number;
  if (numerator === 0) percent = 0;
  else if (numerator === 1e6) percent = 1e8;
  else {
    percent = Math.trunc(1e8 * (numerator / 1e6));
    if (percent === 1e8) percent -= 1;
    if (percent === 0) percent = 1;
  }
  let f = Math.fround(percent / 1e6);
  if (percent < 10_000 && percent > 0) f = Math.fround(0.01);
  else if (percent > 1e8 - 10_000 && percent < 1e8) f = Math.fround((1e8 - 10_000) / 1e6);
  return f.toFixed(2);
}

/** The value of metric `id` for counters sampled over `intervalNs`. */
export function metricValue(id: string, c: StatsCounters, intervalNs: number): FieldValue | undefined {
  const n = (value: bigint): number => Number(value);
  const ios = n(c.reads) + n(c.writes);
  const perSec = (value: bigint): number => (n(value) * NS_PER_SEC) / intervalNs;
  const wait = (ns: number, count: number): number => (count > 0 && ns > 0 ? ns / count : 0) / NS_PER_MS;
  switch (id) {
    case 'reads_merged_per_sec': return fixed(n(c.readsMerged) / intervalNs);
    case 'writes_merged_per_sec': return fixed(n(c.writesMerged) / intervalNs);
    case 'reads_per_sec': return fixed(perSec(c.reads));
    case 'writes_per_sec': return fixed(perSec(c.writes));
    case 'read_size_per_sec': return sectors(perSec(c.readSectors));
    case 'write_size_per_sec': return sectors(perSec(c.writeSectors));
    case 'avg_request_size': return sectors(ios > 0 ? (n(c.readSectors) + n(c.writeSectors)) / ios : 0);
    case 'queue_size': return fixed(n(c.weightedIoNs) > 0 ? n(c.weightedIoNs) / intervalNs : 0);
    case 'await': return fixed(ios > 0 ? (n(c.readNs) + n(c.writeNs)) / ios / NS_PER_MS : 0);
    case 'read_await': return fixed(wait(n(c.readNs), n(c.reads)));
    case 'write_await': return fixed(wait(n(c.writeNs), n(c.writes)));
    case 'throughput': return fixed((NS_PER_SEC * ios) / intervalNs);
    case 'service_time': {
      const tput = (NS_PER_SEC * ios) / intervalNs;
      const util = utilisation(c, intervalNs) * 100;
      if (Math.trunc(tput) === 0 || Math.trunc(util) === 0) return fixed(0);
      return fixed((NS_PER_SEC * Math.fround(util / 100)) / (100 * tput) / NS_PER_MS);
    }
    case 'util': {
      const util = utilisation(c, intervalNs);
      const text = percentText(util);
      return { text, sort: text };
    }
    default: return undefined;
  }
}
