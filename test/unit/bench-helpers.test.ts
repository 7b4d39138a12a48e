/**
 * The pure helpers of `npm run bench` (test/bench/): summaries, paired ratios, the interleaved
 * order, ratio and time formatting, and flag parsing. The bench itself runs in the VM.
 */
import { describe, expect, it } from 'vitest';
import { baseCases, listCase } from '../bench/lib-cases.js';
import { CASE_IDS, parseBenchArguments, scaled, selected } from '../bench/options.js';
import { formatNs, formatRatio, libTable } from '../bench/report.js';
import { interleave, pairedRatios, quantileSorted, summarize } from '../bench/stats.js';
import { countOpens } from '../bench/startup.js';

describe('summarize', () => {
  it('gives the median, range and quartiles of an odd count', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ median: 3, min: 1, max: 5, q1: 2, q3: 4, n: 5 });
  });

  it('interpolates the median and quartiles of an even count', () => {
    const s = summarize([10, 40, 20, 30]);
    expect(s.median).toBe(25);
    expect(s.q1).toBe(17.5);
    expect(s.q3).toBe(32.5);
  });

  it('does not reorder the caller’s samples', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses an empty sample set', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(/no samples/);
  });
});

describe('pairedRatios', () => {
  it('divides round by round, so a slow round moves both sides', () => {
    // Round 2 is twice as slow for both: every paired ratio is 2, a ratio of medians would not be.
    const r = pairedRatios([2, 8, 2.2], [1, 4, 1.1]);
    expect(r.median).toBeCloseTo(2);
    expect(r.min).toBeCloseTo(2);
    expect(r.max).toBeCloseTo(2);
  });

  it('pairs only rounds both sides have', () => {
    expect(pairedRatios([1, 2, 3], [1, 1]).n).toBe(2);
  });
});

describe('interleave', () => {
  it('runs every contender once per round, rotating who goes first', () => {
    expect(interleave(['A', 'B', 'C'], 3)).toEqual(['A', 'B', 'C', 'B', 'C', 'A', 'C', 'A', 'B']);
  });
});

describe('formatting', () => {
  it('prints a ratio with its range', () => {
    expect(formatRatio(summarize([1.27, 1.48, 1.64]))).toBe('1.48 (1.27–1.64)');
  });

  it('prints times in ns, µs or ms', () => {
    expect(formatNs(512)).toBe('512 ns');
    expect(formatNs(17_250)).toBe('17.3 µs');
    expect(formatNs(2_170_000)).toBe('2.17 ms');
  });

  it('prints a row per form, with the cost per device for list cases', () => {
    const table = libTable([
      { id: 'list-10', label: 'list', iterations: 5, devices: 10, ours: [200_000], raw: [100_000], libdm: [50_000] },
      { id: 'cycle', label: 'cycle', iterations: 5, ours: [3], oursAsync: [6], raw: [1], libdm: [2] },
    ]).split('\n');
    expect(table[2]).toBe('| list (5×) | 200 µs (20.0 µs/dev) | 50.0 µs (5.00 µs/dev) | 100 µs (10.0 µs/dev) | 4.00 (4.00–4.00) | 2.00 (2.00–2.00) |');
    expect(table[3]).toContain('| cycle (5×) |');
    expect(table[4]).toContain('| cycle, async (5×) | 6.00 ns | 2.00 ns | 1.00 ns | 3.00 (3.00–3.00) | 6.00 (6.00–6.00) |');
  });
});

describe('parseBenchArguments', () => {
  it('has defaults for a full run', () => {
    const o = parseBenchArguments([]);
    expect([o.rounds, o.cliRounds, o.scale, o.maxDevices, o.memoryCalls, o.only]).toEqual([5, 3, 1, 10_000, 0, undefined]);
  });

  it('makes --quick a short run, overridable by later flags', () => {
    const o = parseBenchArguments(['--quick', '--rounds', '4']);
    expect([o.rounds, o.cliRounds, o.scale]).toEqual([4, 2, 0.1]);
    expect(scaled(o, 10_000)).toBe(1_000);
    expect(scaled(o, 3)).toBe(1);
  });

  it('takes --memory with or without a count, and --only as a list', () => {
    expect(parseBenchArguments(['--memory']).memoryCalls).toBe(1_000_000);
    expect(parseBenchArguments(['--memory', '5000', '--profile']).memoryCalls).toBe(5000);
    const o = parseBenchArguments(['--only', 'info,list-10']);
    expect([selected(o, 'info'), selected(o, 'cycle')]).toEqual([true, false]);
  });

  it('knows every case id, and refuses others in --only', () => {
    const libraryIds = [...baseCases.map((c) => c.id), ...[10, 1_000, 10_000].map((n) => listCase(n, 1).id)];
    expect(CASE_IDS.filter((id) => !['cli', 'opens', 'host', 'udev', 'batch'].includes(id))).toEqual(libraryIds);
    expect(() => parseBenchArguments(['--only', 'info,lsit-10'])).toThrow(/not "lsit-10"/);
  });

  it('refuses unknown flags and bad numbers', () => {
    expect(() => parseBenchArguments(['--fast'])).toThrow(/unknown flag --fast/);
    expect(() => parseBenchArguments(['--rounds', 'x'])).toThrow(/--rounds needs a number/);
    expect(() => parseBenchArguments(['--rounds'])).toThrow(/--rounds needs a number/);
  });
});

describe('countOpens', () => {
  it('counts successful opens by where the file lives, and spots the koffi addon', () => {
    const log = [
      '101 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3',
      '101 openat(AT_FDCWD, "/repo/dist/cli/bin.js", O_RDONLY|O_CLOEXEC) = 17',
      '101 openat(AT_FDCWD, "/repo/dist/lib/index.js", O_RDONLY|O_CLOEXEC) = 17',
      '101 openat(AT_FDCWD, "/repo/dist/missing.js", O_RDONLY) = -1 ENOENT (No such file or directory)',
      '102 openat(AT_FDCWD, "/repo/node_modules/koffi/build/koffi.node", O_RDONLY|O_CLOEXEC) = 18',
      '101 read(17, "...", 100) = 100',
    ].join('\n');
    expect(countOpens('tsdmsetup x', log, '/repo')).toEqual({ command: 'tsdmsetup x', total: 4, ours: 2, nodeModules: 1, koffiAddon: true });
  });
});
