/**
 * The line libdevmapper logs at debug level before each ioctl (libdm-iface.c `_do_dm_ioctl`, what
 * `dmsetup -vv` prints), written from our request: the operation, the name and uuid as sent, a
 * new name, `(major:minor)` when the device is addressed by number, the flags in words, the
 * message's sector and text, the buffer size and the attempt count, e.g.
 * `dm resume test  [ opencount flush ]   [16384] (*1)`.
 */
import { DmFlag } from '../../native-defs/index.js';
import { decodeKernelDev } from '../device/devt.js';
import type { RequestHeader, RequestPayload } from './codec.js';

/** What the line needs of a request (dm-ioctl.ts's IoctlSpec has these fields). */
export interface DebuggedRequest {
  command: string;
  operation: string;
  payload?: RequestPayload | undefined;
}

/** The flag words libdm prints after opencount/flush, in its order, with the DmFlag bit of each. */
const FLAG_WORDS: ReadonlyArray<readonly [string, number]> = [
  ['readonly', DmFlag.READONLY],
  ['skiplockfs', DmFlag.SKIP_LOCKFS],
  ['deferredremove', DmFlag.DEFERRED_REMOVE],
  ['securedata', DmFlag.SECURE_DATA],
  ['ima_measurement', DmFlag.IMA_MEASUREMENT],
  ['inactive', DmFlag.QUERY_INACTIVE_TABLE],
];

/** libdm's _sanitise_message: a crypt `key set …` message is logged without its key. */
function sanitised(message: string): string {
  return message.startsWith('key set') ? 'key set' : message;
}

/**
 * The debug line of one request (`header` as it will be sent, `bufferSize` the buffer it goes
 * in). Readonly on a load, suspend or resume is the READONLY bit; `retryremove` and
 * `enablechecks`, libdm's own switches with no kernel bit, are not shown.
 */
export function ioctlDebugLine(spec: DebuggedRequest, header: RequestHeader, bufferSize: number): string {
  const flags = header.flags;
  const newUuid = spec.command === 'DEV_RENAME' && (flags & DmFlag.UUID) !== 0;
  const newName = spec.command === 'DEV_RENAME' && spec.payload?.kind === 'string' ? ` ${spec.payload.value}` : '';
  const number = (flags & DmFlag.PERSISTENT_DEV) !== 0 ? decodeKernelDev(header.dev) : undefined;
  const byNumber = number && number.major > 0 ? `(${number.major}:${number.minor}) ` : '';
  const words = [(flags & DmFlag.SKIP_BDGET) !== 0 ? 'noopencount' : 'opencount', (flags & DmFlag.NOFLUSH) !== 0 ? 'noflush' : 'flush'];
  for (const [word, bit] of FLAG_WORDS) if ((flags & bit) !== 0) words.push(word);
  const message = spec.payload?.kind === 'message' ? spec.payload : undefined;
  const sector = message && message.sector !== 0n ? message.sector.toString() : '';
  const text = message ? sanitised(message.message) : '';
  return `dm ${spec.operation} ${newUuid ? 'UUID ' : ''}${header.name} ${header.uuid}${newName} ${byNumber}[ ${words.join(' ')} ] ${sector} ${text} [${bufferSize}] (*1)`;
}
