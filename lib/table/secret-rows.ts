/**
 * Rows whose params carry keys, read and parsed without a string of a key. `decodeInfoAndTable`
 * is table()'s decoder: a crypt or keyed integrity row gets its keys read from the reply bytes
 * into SecretKeys (`row.secret`) and its `params` with the keys as zeros; the exchange loop then
 * wipes the reply buffer. `parseSecretRow` types such a row: the target's parse runs on text with
 * a marker in each key's place, and each marker key is swapped for the row's own SecretKey.
 */
import { decodeTargets, textRow, type ReplyHeader, type RowReader } from '../ioctl/codec.js';
import { deviceInfoFromHeader } from '../ioctl/decoders.js';
import type { DeviceInfo } from '../device/device-info.js';
import { targetType } from '../targets/registry.js';
import { SecretKey } from '../targets/secret-key.js';
import { secretParamsFromBytes, type SecretParams } from '../targets/secret-params.js';
import type { TargetType } from '../targets/target.js';
import type { TableRow } from './table.js';

/** A row whose keys (if its type has any) are read into SecretKeys, its params showing zeros in their place. */
const keptRow: RowReader<TableRow> = (place, buffer, start, end) => {
  const spans = targetType(place.type)?.secretSpans?.(buffer, start, end) ?? [];
  if (spans.length === 0) return textRow(place, buffer, start, end);
  const secret = secretParamsFromBytes(buffer, start, end, spans);
  if (secret.keys().length === 0) return textRow(place, buffer, start, end);
  return { ...place, params: secret.hidden, secret };
};

/**
 * table()'s decoder: the device's state and its rows, keys kept in `row.secret` (or, with
 * `showKeys`, left in the params text as the kernel printed them).
 */
export function decodeInfoAndTable(showKeys: boolean): (buffer: Buffer, header: ReplyHeader) => { info: DeviceInfo; rows: TableRow[] } {
  const read = showKeys ? textRow : keptRow;
  return (buffer, header) => ({ info: deviceInfoFromHeader(header), rows: decodeTargets(buffer, header, read) });
}

/** Hex of a marker key: `index + 1` in its first byte, zeros after, `textLength` digits long. */
function markerHex(index: number, textLength: number): string {
  return (index + 1).toString(16).padStart(2, '0') + '0'.repeat(textLength - 2);
}

/**
 * `kind.parse` of a row with `secret`: the params as parsed, their SecretKeys the row's own (not
 * copies: disposing `row.secret` disposes them). No string of a key is made.
 */
export function parseSecretRow<P>(kind: TargetType<P, unknown>, secret: SecretParams): P {
  const keys = secret.keys();
  if (keys.length > 255) throw new RangeError('More than 255 keys in one row');
  let index = 0;
  const text = secret.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const at = index++;
      // An empty key (`-`) holds nothing secret: the parse makes its own.
      return part.length === 0 ? '-' : markerHex(at, part.kernelTextLength);
    })
    .join('');
  const params = kind.parse(text);
  const swap = (value: SecretKey): SecretKey => {
    if (value.length === 0) return value;
    const at = value.withBytes((bytes) => (bytes.subarray(1).every((byte) => byte === 0) ? bytes[0]! - 1 : -1));
    const key = keys[at];
    if (key === undefined || key.length !== value.length) return value;
    value.dispose();
    return key;
  };
  for (const field of kind.secretFields ?? []) swapKeys(params as Record<string, unknown>, field, swap, 0);
  return params;
}

/** Replaces, in place, each SecretKey under `holder[field]` (plain objects and arrays, 4 levels deep). */
function swapKeys(holder: Record<string, unknown> | unknown[], field: string | number, swap: (key: SecretKey) => SecretKey, depth: number): void {
  const value = (holder as Record<string | number, unknown>)[field];
  if (value instanceof SecretKey) (holder as Record<string | number, unknown>)[field] = swap(value);
  else if (depth < 4 && Array.isArray(value)) value.forEach((_, at) => swapKeys(value, at, swap, depth + 1));
  else if (depth < 4 && typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) swapKeys(value as Record<string, unknown>, key, swap, depth + 1);
  }
}
