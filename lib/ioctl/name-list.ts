/**
 * The LIST_DEVICES reply: one `struct dm_name_list` record per device (dev, next, the name, then
 * from driver 4.38 event_nr and flags, and from 4.45 the uuid). The hot loop of `list()`: one
 * pass over each name's bytes finds its NUL and learns whether every byte is one that name
 * mangling leaves alone (and so ASCII), so a plain name is read as latin1 with no UTF-8 check
 * and no second look by the handle's NameCodec.
 */
import { isUtf8 } from 'node:buffer';
import { endianness } from 'node:os';
import { DmIoctlLayout as H, DmNameListFlag, DmNameListLayout as NL } from '../../native-defs/index.js';
import type { DevNumber } from '../device/devt.js';
import { dmError, type DmError } from '../errors.js';
import { kernelMajor, kernelMinor, LOW_WORD } from './reply.js';

const littleEndian = endianness() === 'LE';
const u32 = (b: Buffer, o: number): number => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));

/** One LIST_DEVICES record. eventNr needs driver 4.38+, uuid 4.45+ and the UUID flag. */
export interface NameListEntry extends DevNumber {
  /** The device's name. */
  name: string;
  /** The device's event counter (driver 4.38 and later). */
  eventNr?: number;
  /** The device's uuid ('' when it has none), when the driver says (4.45 and later, with uuids asked for). */
  uuid?: string;
  /** The name's bytes, only when they are not valid UTF-8 (`name` then has U+FFFD in their place). */
  nameBytes?: Buffer;
  /** The uuid's bytes, only when they are not valid UTF-8. */
  uuidBytes?: Buffer;
}

/** A decoded list, and whether every name and uuid in it is plain (mangling leaves it as it is). */
export interface NameList {
  /** The records, in the kernel's order. */
  entries: NameListEntry[];
  /** True when every name and uuid has only `0-9 A-Z a-z # + - . : = @ _` and fits its field. */
  plain: boolean;
}

/** 1 for each byte libdm's mangling keeps as it is (`0-9 A-Z a-z # + - . : = @ _`), else 0. */
const KEPT = new Uint8Array(256);
for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#+-.:=@_') KEPT[c.charCodeAt(0)] = 1;

/** The longest plain string the codec's shortcut takes (names.ts: DM_NAME_LEN less its NUL). */
const PLAIN_MAX = 127;

function malformed(): DmError {
  return dmError('protocol', 'EPROTO', "Malformed device list in the kernel's reply");
}

/**
 * The C string at `start` (its NUL before `limit`, else a malformed reply), and whether it is plain.
 * Scanned in JS: for names a few dozen bytes long this is cheaper than indexOf, toString and a
 * regular expression, each a call into C++.
 */
function readString(buffer: Buffer, start: number, limit: number, out: { end: number; plain: boolean; bytes: Buffer | undefined }): string {
  let end = start;
  let kept = 1;
  for (; end < limit; end++) {
    const byte = buffer[end]!;
    if (byte === 0) break;
    kept &= KEPT[byte]!;
  }
  if (end >= limit) throw malformed();
  out.end = end;
  out.plain = kept === 1 && end - start <= PLAIN_MAX;
  out.bytes = undefined;
  if (kept === 1) return buffer.toString('latin1', start, end);
  const text = buffer.toString('utf8', start, end);
  // Bytes that are not UTF-8 show as U+FFFD: kept beside the string so nothing is lost.
  if (text.includes('\ufffd')) {
    const bytes = buffer.subarray(start, end);
    if (!isUtf8(bytes)) out.bytes = Buffer.from(bytes);
  }
  return text;
}

/** Decodes a LIST_DEVICES reply and says whether it is all plain (see NameList). */
export function decodeNameListChecked(buffer: Buffer, header: { dataSize: number; dataStart: number }): NameList {
  const entries: NameListEntry[] = [];
  const end = Math.min(header.dataSize, buffer.length);
  let offset = header.dataStart;
  let plain = true;
  if (offset > end) throw malformed();
  // An empty list is one record with dev 0 (or, from the kernel, no record at all: data_size = data_start).
  if (offset + NL.size > end || (u32(buffer, offset + NL.dev) === 0 && u32(buffer, offset + NL.dev + 4) === 0)) return { entries, plain };
  // The reply's minor version (the driver's own); read in place, no version array.
  const hasEventNr = u32(buffer, H.version + 4) >= 38;
  const seen = { end: 0, plain: true, bytes: undefined as Buffer | undefined };
  for (;;) {
    if (offset + NL.size > end) throw malformed();
    const next = u32(buffer, offset + NL.next);
    const recordEnd = next === 0 ? end : offset + next;
    if (recordEnd > end) throw malformed();
    const name = readString(buffer, offset + NL.name, recordEnd, seen);
    plain &&= seen.plain;
    const nameBytes = seen.bytes;
    const dev = u32(buffer, offset + NL.dev + LOW_WORD);
    const major = kernelMajor(dev);
    const minor = kernelMinor(dev);
    // The event number and flags follow the name, 8-aligned from the record's start.
    const extra = offset + ((seen.end + 1 - offset + 7) & ~7);
    // Each entry made whole in one literal: the same few shapes for every record.
    let entry: NameListEntry;
    if (hasEventNr && extra + 8 <= recordEnd) {
      const eventNr = u32(buffer, extra);
      const flags = u32(buffer, extra + 4);
      if (flags & DmNameListFlag.HAS_UUID) {
        const uuid = readString(buffer, extra + 8, recordEnd, seen);
        plain &&= seen.plain;
        entry = { name, major, minor, eventNr, uuid };
        if (seen.bytes) entry.uuidBytes = seen.bytes;
      } else if (flags & DmNameListFlag.DOESNT_HAVE_UUID) entry = { name, major, minor, eventNr, uuid: '' };
      else entry = { name, major, minor, eventNr };
    } else entry = { name, major, minor };
    if (nameBytes) entry.nameBytes = nameBytes;
    entries.push(entry);
    if (next === 0) return { entries, plain };
    offset += next;
  }
}

/** Decodes a LIST_DEVICES reply; the reply's version (the driver's, 4.38+) says whether records carry event_nr and flags. */
export function decodeNameList(buffer: Buffer, header: { dataSize: number; dataStart: number }): NameListEntry[] {
  return decodeNameListChecked(buffer, header).entries;
}
