/**
 * libdm's dm_histogram_to_string as dmstats calls it for the histogram fields: bins with their
 * lower bounds (`0s:`, `1ms:`) or ranges (`0s-1ms:`), counts padded to 6 in an aligned report,
 * or percentages of the total; time suffixes unless --notimesuffix.
 */
const U64_MAX = (1n << 64n) - 1n;

/** What a histogram field shows. */
export interface HistogramFormat {
  values: boolean;
  percent: boolean;
  bounds: 'lower' | 'range' | undefined;
  suffix: boolean;
  /** --noheadings: no padding, `:` between a bound and its value. */
  unaligned: boolean;
}

function scaled(ns: bigint, suffix: boolean): string {
  if (!suffix) return `${ns}`;
  if (ns % 1_000_000_000n === 0n) return `${ns / 1_000_000_000n}s`;
  if (ns % 1_000_000n === 0n) return `${ns / 1_000_000n}ms`;
  if (ns % 1000n === 0n) return `${ns / 1000n}us`;
  return `${ns}ns`;
}

/** libdm's _make_bounds_string for one bin. */
function boundsString(lower: bigint, upper: bigint, format: HistogramFormat, width: number): string {
  const sep = format.values ? ':' : '';
  if (format.bounds === 'lower') return `${scaled(lower, format.suffix).padStart(width)}${sep}`;
  const bound = upper === U64_MAX ? `>${scaled(lower, format.suffix)}` : scaled(upper, format.suffix);
  if (upper === U64_MAX) return `${bound.padStart(width)}${sep}`;
  return `${scaled(lower, format.suffix)}-${bound}${sep}`;
}

/** libdm's dm_make_percent(count, total) as a float, the way the histogram prints it. */
function percentOf(count: bigint, total: bigint): number {
  if (total === 0n || count === 0n) return 0;
  if (count === total) return 100;
  let percent = Math.trunc(1e8 * (Number(count) / Number(total)));
  if (percent === 1e8) percent -= 1;
  if (percent === 0) percent = 1;
  return Math.fround(percent / 1e6);
}

/** The histogram text of `counts` over bins bounded by `bounds` (ns); `''` without a histogram. */
export function histogramText(bounds: readonly bigint[] | undefined, counts: readonly bigint[] | undefined, format: HistogramFormat): string {
  if (!bounds) return '';
  const bins = bounds.length + 1;
  const total = (counts ?? []).reduce((sum, count) => sum + count, 0n);
  const minWidth = format.unaligned || !format.values ? 0 : 6;
  let width = minWidth;
  let out = '';
  for (let bin = 0; bin < bins; bin++) {
    let sep = format.values && !width ? ':' : '';
    let boundsText = '';
    if (format.bounds) {
      const boundsWidth = width ? (format.suffix ? 6 : 10) : 0;
      const lower = bin === 0 ? 0n : bounds[bin - 1]!;
      const upper = bin === bins - 1 ? U64_MAX : bounds[bin]!;
      boundsText = boundsString(lower, upper, format, boundsWidth);
      sep = width || !format.values ? ',' : ':';
      width -= width ? Buffer.byteLength(boundsText) - (boundsWidth + 1) : 0;
      width = width > 0 ? width : 0;
    }
    if (bin === bins - 1) sep = '';
    const count = counts?.[bin] ?? 0n;
    if (format.percent) out += `${boundsText}${percentOf(count, total).toFixed(2).padStart(width)}%${sep}`;
    else if (format.values) out += `${boundsText}${`${count}`.padStart(width)}${sep}`;
    else if (format.bounds) out += `${boundsText}${sep}`;
    width = minWidth;
  }
  return out;
}
