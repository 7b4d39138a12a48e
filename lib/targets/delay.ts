/**
 * The delay target: `<device> <offset> <delay> [<write device> <offset> <delay> [<flush device>
 * <offset> <delay>]]` delays reads (and writes, flushes) by milliseconds, optionally sending them
 * to other devices (Documentation/admin-guide/device-mapper/delay.rst). Module dm-delay; no libdm
 * segment type. Status (Linux 6.1): `<reads> <writes> <flushes>`, the bios being delayed now.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** Where one class of I/O goes and how long it waits. */
export interface DelayClass {
  /** The device this class of I/O goes to. */
  device: DeviceRef;
  /** Where the mapping starts on `device`, in 512-byte sectors. */
  offset: Sectors;
  /** Milliseconds. */
  delay: number;
}

/** delay's params: reads (and, unless given, everything); writes; flushes (needs `write`). */
export interface DelayParams {
  /** Reads; also writes and flushes when `write` is not given. */
  read: DelayClass;
  /** Writes (and flushes, unless `flush` is given). */
  write?: DelayClass;
  /** Flushes; needs `write`, since the kernel reads the classes in order. */
  flush?: DelayClass;
}

/** delay's status: the bios of each class waiting now. */
export type DelayStatus =
  | { readonly type: 'delay'; readonly state: 'ok'; readonly reads: number; readonly writes: number; readonly flushes: number; readonly extra: readonly string[] }
  | { readonly type: 'delay'; readonly state: 'unknown'; readonly raw: string };

const CLASSES = ['read', 'write', 'flush'] as const;

function formatClass(field: string, value: unknown): string {
  if (typeof value !== 'object' || value === null) throw fieldError('delay', field, 'must be { device, offset, delay }');
  const { device, offset, delay } = value as DelayClass;
  return [formatDevice('delay', `${field}.device`, device), formatSectors('delay', `${field}.offset`, offset), formatUint('delay', `${field}.delay`, delay)].join(' ');
}

/**
 * The delay target: reads (and writes, flushes) held for some milliseconds. E.g. `delay({ read: {
 * device, offset: 0, delay: 100 } })`.
 */
export const delay = defineTarget<DelayParams, DelayStatus>({
  type: 'delay',
  module: 'dm-delay',
  format(params) {
    if (params.flush !== undefined && params.write === undefined) throw fieldError('delay', 'flush', 'needs write as well (the kernel reads them in order)');
    return CLASSES.filter((name) => name === 'read' || params[name] !== undefined)
      .map((name) => formatClass(name, params[name]))
      .join(' ');
  },
  parse(text) {
    const args = new ArgReader('delay', text);
    const params: Partial<DelayParams> = {};
    for (const name of CLASSES) {
      if (name !== 'read' && args.done) break;
      params[name] = { device: args.device(`${name}.device`), offset: args.sectors(`${name}.offset`), delay: args.uint(`${name}.delay`) };
    }
    args.end();
    return params as DelayParams;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const counts = words.slice(0, 3).map(statusNumber);
    if (counts.length < 3 || counts.some((count) => count === undefined)) return { type: 'delay', state: 'unknown', raw: text.trim() };
    const [reads, writes, flushes] = counts.map(Number) as [number, number, number];
    return { type: 'delay', state: 'ok', reads, writes, flushes, extra: words.slice(3) };
  },
});
