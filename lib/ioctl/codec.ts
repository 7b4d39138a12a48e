/**
 * Encodes dm_ioctl requests into a buffer and decodes the kernel's replies. Pure functions over
 * Buffer, no I/O: the unit tests check them against golden buffers.
 */
import { isUtf8 } from 'node:buffer';
import { endianness } from 'node:os';
import {
  DmIoctlLayout as H,
  DmTargetDepsLayout as DEPS,
  DmTargetMsgLayout as MSG,
  DmTargetSpecLayout as SPEC,
  DmTargetVersionsLayout as TV,
  DM_MAX_TYPE_NAME,
  DM_NAME_LEN,
  DM_UUID_LEN,
} from '../../native-defs/index.js';
import type { DevNumber } from '../device/devt.js';
import { dmError, invalidArgument, type DmError } from '../errors.js';
import { cString, kernelMajor, kernelMinor, LOW_WORD, type ReplyHeader } from './reply.js';
import { isSectors, type Sectors } from '../targets/units.js';

export type { ReplyHeader } from './reply.js';
export { decodeNameList, type NameListEntry } from './name-list.js';

const littleEndian = endianness() === 'LE';
const u32 = (b: Buffer, o: number): number => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
const s32 = (b: Buffer, o: number): number => (littleEndian ? b.readInt32LE(o) : b.readInt32BE(o));
const u64 = (b: Buffer, o: number): bigint => (littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
/** A u64 as a number without a BigInt (exact below 2^53, as any sector count is). */
const u64n = (b: Buffer, o: number): number =>
  littleEndian ? b.readUInt32LE(o + 4) * 0x1_0000_0000 + b.readUInt32LE(o) : b.readUInt32BE(o) * 0x1_0000_0000 + b.readUInt32BE(o + 4);
/** The low 32 bits of a u64 dev_t field, all the kernel's encoding uses. */
const devLow = (b: Buffer, o: number): number => u32(b, o + LOW_WORD);
const putU32 = (b: Buffer, o: number, v: number): number => (littleEndian ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
const putU64 = (b: Buffer, o: number, v: bigint): number => (littleEndian ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o));

const align8 = (n: number): number => (n + 7) & ~7;

/** One row of a table as sent to the kernel (sectors). `params` are already kernel-escaped. */
export interface EncodedTarget {
  /** The row's first sector (512-byte sectors; a bigint past 2^53). */
  start: Sectors;
  /** The row's length, in 512-byte sectors (a bigint past 2^53). */
  length: Sectors;
  /** The target type (shorter than DM_MAX_TYPE_NAME bytes). */
  type: string;
  /** The parameter text, already escaped the way the kernel splits it (a row with keys: ParamsBytes). */
  params: string | ParamsBytes;
}

/** Params that write their own bytes (escaped, without NUL) into the request: a row's keys stay out of strings. */
export interface ParamsBytes {
  /** The bytes `write` takes. */
  readonly byteLength: number;
  /** Writes the params at `offset`; returns the bytes written. */
  write(buffer: Buffer, offset: number): number;
}

const paramsLength = (params: string | ParamsBytes): number => (typeof params === 'string' ? Buffer.byteLength(params) : params.byteLength);

/** The fixed part of a request. Empty name/uuid and dev 0n mean "not given". */
export interface RequestHeader {
  version: readonly [number, number, number];
  flags: number;
  eventNr: number;
  dev: bigint;
  name: string;
  uuid: string;
}

/** What follows the header: targets (TABLE_LOAD), a string (rename, geometry), or a message. */
export type RequestPayload =
  | { kind: 'none' }
  | { kind: 'targets'; targets: readonly EncodedTarget[] }
  | { kind: 'string'; value: string }
  | { kind: 'message'; sector: bigint; message: string };

const NO_PAYLOAD: RequestPayload = { kind: 'none' };

function targetSpecSize(target: EncodedTarget): number {
  return align8(SPEC.size + paramsLength(target.params) + 1);
}

/** Bytes the payload takes after the 312-byte header. */
export function payloadSize(payload: RequestPayload): number {
  switch (payload.kind) {
    case 'none':
      return 0;
    case 'targets':
      return payload.targets.reduce((sum, target) => sum + targetSpecSize(target), 0);
    case 'string':
      return Buffer.byteLength(payload.value) + 1;
    case 'message':
      return MSG.size + Buffer.byteLength(payload.message) + 1;
  }
}

/** The smallest buffer that holds the request. */
export function requestSize(payload: RequestPayload = NO_PAYLOAD): number {
  return H.size + payloadSize(payload);
}

function refuse(message: string): DmError {
  return invalidArgument(message);
}

/** Writes a string the kernel reads as a C string (its NUL is in the zeroed area): a NUL inside would silently cut it there. */
function writeString(buffer: Buffer, offset: number, value: string, what: string): void {
  if (value.includes('\0')) throw refuse(`The ${what} "${value.replace(/\0/g, '\\0')}" contains a NUL character`);
  buffer.write(value, offset, 'utf8');
}

function writeCString(buffer: Buffer, offset: number, value: string, fieldSize: number, what: string): void {
  // At most 3 UTF-8 bytes per UTF-16 unit: a short string needs no byte count.
  if (value.length * 3 >= fieldSize && Buffer.byteLength(value) >= fieldSize) {
    throw refuse(`The ${what} "${value}" does not fit in ${fieldSize - 1} bytes`);
  }
  writeString(buffer, offset, value, what);
}

/**
 * Writes header and payload into `buffer`, whose whole length becomes data_size (the room the
 * kernel may use for its reply). The buffer must hold at least requestSize(payload) bytes.
 * `dirty` is how far the buffer may hold anything but zeros (default: all of it): that much is
 * cleared, with the request's own bytes, and no more. Returns the bytes the request takes.
 */
export function encodeRequest(buffer: Buffer, header: RequestHeader, payload: RequestPayload = NO_PAYLOAD, dirty = buffer.length): number {
  const needed = requestSize(payload);
  if (buffer.length < needed) throw new RangeError(`ioctl buffer of ${buffer.length} bytes is smaller than the request (${needed})`);
  // Not just the request: the kernel copies data_size bytes in, and an old reply left in a
  // reused buffer must not travel back into the kernel. What is beyond `dirty` is zero already.
  buffer.fill(0, 0, Math.min(buffer.length, Math.max(needed, dirty)));
  putU32(buffer, H.version, header.version[0]);
  putU32(buffer, H.version + 4, header.version[1]);
  putU32(buffer, H.version + 8, header.version[2]);
  putU32(buffer, H.data_size, buffer.length);
  putU32(buffer, H.data_start, H.size);
  putU32(buffer, H.target_count, payload.kind === 'targets' ? payload.targets.length : 0);
  putU32(buffer, H.flags, header.flags);
  putU32(buffer, H.event_nr, header.eventNr);
  if (header.dev !== 0n) putU64(buffer, H.dev, header.dev);
  if (header.name) writeCString(buffer, H.name, header.name, DM_NAME_LEN, 'name');
  if (header.uuid) writeCString(buffer, H.uuid, header.uuid, DM_UUID_LEN, 'uuid');
  let offset = H.size;
  switch (payload.kind) {
    case 'none':
      break;
    case 'targets':
      for (const target of payload.targets) {
        const size = targetSpecSize(target);
        for (const key of ['start', 'length'] as const) {
          if (!isSectors(target[key])) {
            throw refuse(`A target's ${key} must be a whole number of sectors (a safe integer, or a bigint up to 2^64-1), not ${String(target[key])}`);
          }
        }
        putU64(buffer, offset + SPEC.sector_start, BigInt(target.start));
        putU64(buffer, offset + SPEC.length, BigInt(target.length));
        // `next` on load: bytes from this spec to the next one.
        putU32(buffer, offset + SPEC.next, size);
        writeCString(buffer, offset + SPEC.target_type, target.type, DM_MAX_TYPE_NAME, 'target type');
        if (typeof target.params === 'string') writeString(buffer, offset + SPEC.size, target.params, 'target params');
        else if (target.params.write(buffer, offset + SPEC.size) !== target.params.byteLength) throw refuse('Target params wrote another length than they announced');
        offset += size;
      }
      break;
    case 'string':
      writeString(buffer, offset, payload.value, 'string');
      break;
    case 'message':
      putU64(buffer, offset + MSG.sector, payload.sector);
      writeString(buffer, offset + MSG.message, payload.message, 'message');
      break;
  }
  return needed;
}

function cStringEnd(buffer: Buffer, offset: number, limit: number): number {
  const end = buffer.indexOf(0, offset);
  return end === -1 || end > limit ? limit : end;
}

/**
 * The bytes of a name or uuid that is not valid UTF-8 (dmsetup makes such names; the string then
 * shows U+FFFD in their place), kept so that nothing is lost: `{ nameBytes }` beside `name`.
 */
export function bytesIfNotUtf8(buffer: Buffer, start: number, end: number): Buffer | undefined {
  const bytes = buffer.subarray(start, end);
  return isUtf8(bytes) ? undefined : Buffer.from(bytes);
}

/** `{ [key]: bytes }` for a field that is not valid UTF-8, else nothing (so common replies are unchanged). */
function rawField(key: 'nameBytes' | 'uuidBytes', buffer: Buffer, start: number, end: number): { nameBytes?: Buffer; uuidBytes?: Buffer } {
  const bytes = bytesIfNotUtf8(buffer, start, end);
  return bytes ? { [key]: bytes } : {};
}

/** A reply shorter than struct dm_ioctl cannot be read. */
function assertHeader(buffer: Buffer): void {
  if (buffer.length < H.size) throw malformed('header (shorter than struct dm_ioctl)');
}

/** Reads just the flags word, for the BUFFER_FULL check without decoding the rest. */
export function replyFlags(buffer: Buffer): number {
  assertHeader(buffer);
  return u32(buffer, H.flags);
}

/** Reads the version words: the kernel writes its own version even into a failed request. */
export function replyVersion(buffer: Buffer): [number, number, number] {
  assertHeader(buffer);
  return [u32(buffer, H.version), u32(buffer, H.version + 4), u32(buffer, H.version + 8)];
}

export function decodeHeader(buffer: Buffer): ReplyHeader {
  assertHeader(buffer);
  return {
    version: replyVersion(buffer),
    dataSize: u32(buffer, H.data_size),
    dataStart: u32(buffer, H.data_start),
    targetCount: u32(buffer, H.target_count),
    openCount: s32(buffer, H.open_count),
    flags: u32(buffer, H.flags),
    eventNr: u32(buffer, H.event_nr),
    dev: u64(buffer, H.dev),
    name: cString(buffer, H.name, H.name + DM_NAME_LEN),
    uuid: cString(buffer, H.uuid, H.uuid + DM_UUID_LEN),
    ...rawField('nameBytes', buffer, H.name, cStringEnd(buffer, H.name, H.name + DM_NAME_LEN)),
    ...rawField('uuidBytes', buffer, H.uuid, cStringEnd(buffer, H.uuid, H.uuid + DM_UUID_LEN)),
  };
}

function malformed(what: string): DmError {
  return dmError('protocol', 'EPROTO', `Malformed ${what} in the kernel's reply`);
}

/** The offset of the NUL that ends the string at `start`, which must come before `limit`. */
function terminator(buffer: Buffer, start: number, limit: number, what: string): number {
  const nul = buffer.indexOf(0, start);
  if (nul === -1 || nul >= limit) throw malformed(what);
  return nul;
}

/** One target of a TABLE_STATUS / DEV_WAIT reply: its table params or its status text. */
export interface TargetReply {
  /** The row's first sector (512-byte sectors; a bigint past 2^53). */
  start: Sectors;
  /** The row's length, in 512-byte sectors (a bigint past 2^53). */
  length: Sectors;
  /** The target type. */
  type: string;
  /** Table params (with STATUS_TABLE) or status text, as the target printed them. */
  params: string;
}

/** Where a reply row is, and its type: what `decodeTargets` gives a row reader with the params' bytes. */
export type RowPlace = Omit<TargetReply, 'params'>;

/** One reply row from its place and its params' bytes `buffer[paramsStart, paramsEnd)` (table() reads keys from them, no string). */
export type RowReader<R> = (place: RowPlace, buffer: Buffer, paramsStart: number, paramsEnd: number) => R;

/** The row reader that reads the params as text (status text, or table params keys included). */
export const textRow: RowReader<TargetReply> = (place, buffer, start, end) => ({ ...place, params: buffer.toString('utf8', start, end) });

/** Decodes the targets of a TABLE_STATUS / DEV_WAIT reply (`next` counts from data_start), each row made by `read` (default: params as text). */
export function decodeTargets<R = TargetReply>(buffer: Buffer, header: ReplyHeader, read = textRow as RowReader<R>): R[] {
  const targets: R[] = [];
  const end = Math.min(header.dataSize, buffer.length);
  let offset = header.dataStart;
  for (let i = 0; i < header.targetCount; i++) {
    if (offset + SPEC.size > end) throw malformed('target list');
    const paramsStart = offset + SPEC.size;
    const paramsEnd = terminator(buffer, paramsStart, end, 'target list');
    const place: RowPlace = {
      start: exactSectors(buffer, offset + SPEC.sector_start),
      length: exactSectors(buffer, offset + SPEC.length),
      type: cString(buffer, offset + SPEC.target_type, offset + SPEC.target_type + DM_MAX_TYPE_NAME),
    };
    targets.push(read(place, buffer, paramsStart, paramsEnd));
    const next = header.dataStart + u32(buffer, offset + SPEC.next);
    // The kernel puts each spec after the previous one's params; anything else would loop or overlap.
    if (i + 1 < header.targetCount && next <= paramsEnd) throw malformed('target list');
    offset = next;
  }
  return targets;
}

/**
 * A sector count of a reply row, exact: a number while it is a safe integer, a bigint past 2^53-1
 * (a rounded count would silently name another size).
 */
function exactSectors(buffer: Buffer, offset: number): Sectors {
  const value = u64n(buffer, offset);
  return value > Number.MAX_SAFE_INTEGER ? u64(buffer, offset) : value;
}

/** Decodes a TABLE_DEPS reply: the devices the table uses. */
export function decodeDeps(buffer: Buffer, header: ReplyHeader): DevNumber[] {
  const start = header.dataStart;
  if (start + DEPS.size > Math.min(header.dataSize, buffer.length)) throw malformed('dependency list');
  const count = u32(buffer, start + DEPS.count);
  if (start + DEPS.dev + count * 8 > Math.min(header.dataSize, buffer.length)) throw malformed('dependency list');
  const devices: DevNumber[] = [];
  for (let i = 0; i < count; i++) {
    const dev = devLow(buffer, start + DEPS.dev + i * 8);
    devices.push({ major: kernelMajor(dev), minor: kernelMinor(dev) });
  }
  return devices;
}

/** A target type the kernel knows, with its version. */
export interface TargetVersion {
  /** The target type's name, e.g. `thin-pool`. */
  name: string;
  /** The target's version, [major, minor, patch], e.g. [1, 22, 0]. */
  version: [number, number, number];
}

/** Decodes a LIST_VERSIONS or GET_TARGET_VERSION reply (the last record's `next` is 0). */
export function decodeTargetVersions(buffer: Buffer, header: ReplyHeader): TargetVersion[] {
  const versions: TargetVersion[] = [];
  const end = Math.min(header.dataSize, buffer.length);
  let offset = header.dataStart;
  for (;;) {
    if (offset + TV.size > end) throw malformed('target version list');
    const nameEnd = terminator(buffer, offset + TV.name, end, 'target version list');
    versions.push({
      name: buffer.toString('utf8', offset + TV.name, nameEnd),
      version: [u32(buffer, offset + TV.version), u32(buffer, offset + TV.version + 4), u32(buffer, offset + TV.version + 8)],
    });
    const next = u32(buffer, offset + TV.next);
    if (next === 0) return versions;
    offset += next;
  }
}

/**
 * The text a TARGET_MSG reply carries; undefined unless the kernel set DATA_OUT. With DATA_OUT the
 * kernel sets data_size to just past the text's NUL, so a missing NUL is a malformed reply (libdm:
 * "doesn't contain terminating NUL"), not text to truncate.
 */
export function decodeMessageReply(buffer: Buffer, header: ReplyHeader, dataOutFlag: number): string | undefined {
  if (!(header.flags & dataOutFlag)) return undefined;
  const end = terminator(buffer, header.dataStart, Math.min(header.dataSize, buffer.length), 'message response');
  return buffer.toString('utf8', header.dataStart, end);
}
