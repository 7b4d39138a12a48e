/**
 * The log-writes target: `<device> <log device>` passes I/O to `device` and logs every write, in
 * order, to `log device`, for replaying crash states (Documentation/admin-guide/device-mapper/
 * log-writes.rst). Module dm-log-writes. Status: `<logged entries> <highest allocated sector>`.
 */
import { ArgReader, formatDevice, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** What `logWrites(…)` takes: the device I/O goes to and the log device. */
export interface LogWritesParams {
  /** The device I/O goes to. */
  device: DeviceRef;
  /** The device every write is logged to, in order (its old contents are overwritten). */
  log: DeviceRef;
}

/** What `logWrites.parseStatus` gives: entries logged and the highest log sector in use; or the raw text. */
export type LogWritesStatus =
  | {
      readonly type: 'log-writes';
      readonly state: 'ok';
      /** Entries written to the log (writes, flushes, marks). */
      readonly loggedEntries: Sectors;
      /** The last sector of the log in use. */
      readonly highestSector: Sectors;
      readonly extra: readonly string[];
    }
  | { readonly type: 'log-writes'; readonly state: 'unknown'; readonly raw: string };

/**
 * The log-writes target: passes I/O through and logs every write, in order, on another device. E.g.
 * `logWrites({ device, log })`.
 */
export const logWrites = defineTarget<LogWritesParams, LogWritesStatus>({
  type: 'log-writes',
  module: 'dm-log-writes',
  format(params) {
    return `${formatDevice('log-writes', 'device', params.device)} ${formatDevice('log-writes', 'log', params.log)}`;
  },
  parse(text) {
    const args = new ArgReader('log-writes', text);
    const params: LogWritesParams = { device: args.device('device'), log: args.device('log') };
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const loggedEntries = statusNumber(words[0]);
    const highestSector = statusNumber(words[1]);
    if (loggedEntries === undefined || highestSector === undefined) return { type: 'log-writes', state: 'unknown', raw: text.trim() };
    return { type: 'log-writes', state: 'ok', loggedEntries, highestSector, extra: words.slice(2) };
  },
});
