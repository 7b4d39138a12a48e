/**
 * The printed report of `npm run bench`: Markdown tables (pasteable into the README) of medians and
 * of ratios with their min–max over the rounds.
 */
import type { CliSamples } from './cli-cases.js';
import type { BenchResults, LibSamples } from './results.js';
import { pairedRatios, summarize, type Summary } from './stats.js';

/** `1.48 (1.27–1.64)`: the median ratio and its range over the rounds. */
export function formatRatio(ratio: Summary): string {
  return `${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
}

/** Nanoseconds as µs or ms with three significant digits. */
export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toPrecision(3)} ns`;
}

function time(samples: number[], devices?: number): string {
  const median = summarize(samples).median;
  return devices ? `${formatNs(median)} (${formatNs(median / devices)}/dev)` : formatNs(median);
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function libTable(cases: readonly LibSamples[]): string {
  const rows: string[][] = [];
  for (const c of cases) {
    const forms: Array<[string, number[] | undefined]> = [[c.label, c.ours], [`${c.label}, async`, c.oursAsync]];
    for (const [label, ours] of forms) {
      if (!ours) continue;
      rows.push([
        `${label} (${c.iterations}×)`,
        time(ours, c.devices),
        time(c.libdm, c.devices),
        time(c.raw, c.devices),
        formatRatio(pairedRatios(ours, c.libdm)),
        formatRatio(pairedRatios(ours, c.raw)),
      ]);
    }
  }
  return table(['op', 'ours', 'libdevmapper', 'raw ioctl', 'ours / libdevmapper', 'ours / raw ioctl'], rows);
}

export function cliTable(where: string, samples: readonly CliSamples[]): string[][] {
  const ms = (values: number[]): string => `${summarize(values).median.toFixed(1)} ms`;
  return samples.map((s) => [
    where,
    s.label,
    ms(s.ours),
    ms(s.dmsetup),
    ms(s.node),
    formatRatio(pairedRatios(s.ours, s.dmsetup)),
    formatRatio(pairedRatios(s.ours, s.node)),
  ]);
}

export function formatReport(results: BenchResults): string {
  const { machine, guest, host } = results;
  const parts = [
    `tsdmsetup bench, ${results.date}: ${machine.cpu} (${machine.cpus} CPUs), host ${machine.hostKernel}, node ${machine.node};` +
      ` guest Linux ${machine.guestKernel} (user-mode, one CPU), dm ioctl ${machine.driverVersion}.` +
      ` Medians of ${results.options['rounds']} interleaved rounds after a discarded warm-up round; ratios: median (min–max) of per-round ratios.`,
  ];
  if (guest.lib.length > 0) parts.push(libTable(guest.lib));
  const cliRows = [...cliTable('host', host.cli), ...cliTable('guest', guest.cli)];
  if (cliRows.length > 0) {
    parts.push(table(['where', 'command', 'tsdmsetup', 'dmsetup', 'node -e 0 × processes', 'ours / dmsetup', 'ours / node -e 0'], cliRows));
  }
  const opens = [...host.opens.map((o) => ['host', o] as const), ...guest.opens.map((o) => ['guest', o] as const)];
  if (opens.length > 0) {
    parts.push(
      table(
        ['where', 'command', 'files opened', 'of them dist/', 'node_modules', 'koffi addon'],
        opens.map(([where, o]) => [where, o.command, String(o.total), String(o.ours), String(o.nodeModules), o.koffiAddon ? 'loaded' : 'no']),
      ),
    );
  }
  const layers = [...host.layers.map((l) => ['host', l] as const), ...guest.layers.map((l) => ['guest', l] as const)];
  if (layers.length > 0) {
    const bare = { host: host.layers[0]?.ms ?? [], guest: guest.layers[0]?.ms ?? [] };
    parts.push(
      table(
        ['where', 'start-up layer', 'process', '× node -e 0'],
        layers.map(([where, l]) => [where, l.label, `${summarize(l.ms).median.toFixed(1)} ms`, formatRatio(pairedRatios(l.ms, bare[where]))]),
      ),
    );
  }
  if (guest.memory) {
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
    const heap = guest.memory.heapUsed;
    parts.push(
      `Heap over ${guest.memory.calls.toLocaleString('en-US')} info() calls (after full GC): ${mib(heap[0]!)} before, ` +
        `${mib(heap.at(-1)!)} after (max ${mib(Math.max(...heap))}); rss ${mib(guest.memory.rssBefore)} → ${mib(guest.memory.rssAfter)}.`,
    );
  }
  if (guest.udev) {
    const u = guest.udev;
    const med = (samples: number[]): string => `${summarize(samples).median.toFixed(1)} ms`;
    const dm = summarize(u.dmsetup).median;
    parts.push(
      table(
        ['create + remove, udev running (cookie wait)', 'cycles', 'per cycle', '× dmsetup'],
        [
          ['library (in-process)', String(u.library.length), med(u.library), (summarize(u.library).median / dm).toFixed(2)],
          ['tsdmsetup (processes)', String(u.tsdmsetup.length), med(u.tsdmsetup), (summarize(u.tsdmsetup).median / dm).toFixed(2)],
          ['dmsetup (processes)', String(u.dmsetup.length), med(u.dmsetup), '1.00'],
        ],
      ),
    );
    parts.push(`After them: ${u.semaphoresLeft} 0x0d4d semaphores and ${u.devicesLeft} bench devices left.`);
  }
  if (guest.profile) parts.push(guest.profile);
  return `${parts.join('\n\n')}\n`;
}
