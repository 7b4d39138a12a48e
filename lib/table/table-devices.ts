/**
 * The devices a table names, found in its params without knowing each target's layout: every
 * token that is a `major:minor` pair or an absolute path (libdm's dm_get_device takes either).
 * Keys, feature words and numbers are neither, so they are never taken for devices. A typed
 * target's own device fields can replace the scan (`devicesOf`).
 */
import type { DevNumber } from '../device/device-id.js';
import type { TableRow } from './table.js';
import * as check from '../arguments/checks.js';

/** A device a table row names: by number (`7:0`) or by path (`/dev/loop0`, `/dev/mapper/vg-lv`). */
export type TableDeviceRef = { kind: 'number'; text: string; dev: DevNumber } | { kind: 'path'; text: string; path: string };

/** The device tokens of one row, in order. */
export type DevicesOf = (row: TableRow) => readonly string[];

const NUMBER = /^(\d+):(\d+)$/;

/** The scan: every `major:minor` or absolute-path token of the row's params. */
export const scanDevices: DevicesOf = (row) => (check.rows([row], 'The row given to scanDevices'), row.params).split(/\s+/).filter((token) => NUMBER.test(token) || token.startsWith('/'));

/** The devices `rows` name, each once, in the order they first appear; `devicesOf` picks each row's device fields. */
export function tableDevices(rows: readonly TableRow[], devicesOf: DevicesOf = scanDevices): TableDeviceRef[] {
  check.rows(rows, 'Argument 1 of tableDevices()');
  check.func(devicesOf, 'Argument 2 of tableDevices()');
  const seen = new Set<string>();
  const refs: TableDeviceRef[] = [];
  for (const row of rows) {
    for (const text of devicesOf(row)) {
      if (seen.has(text)) continue;
      seen.add(text);
      const match = NUMBER.exec(text);
      refs.push(match ? { kind: 'number', text, dev: { major: Number(match[1]), minor: Number(match[2]) } } : { kind: 'path', text, path: text });
    }
  }
  return refs;
}
