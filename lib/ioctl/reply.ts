/**
 * The reply header as the exchange loop hands it to decoders: the numeric fields read at once
 * (a few 32-bit loads), the rest (the version array, the 64-bit dev as a BigInt, the name and
 * uuid strings) only when a decoder asks. `info()` reads name and uuid but never the version or
 * the BigInt; a removal reads the name alone. (libdevmapper reads the fields of its dm_ioctl
 * struct in place; this is the nearest a JS object gets to that.)
 *
 * A view reads the handle's buffer, so it is valid while the handle owns it: during the decode
 * and the transaction's end, never after the exchange returns (decoders copy what they keep).
 */
import { isUtf8 } from 'node:buffer';
import { endianness } from 'node:os';
import { DmIoctlLayout as H, DM_NAME_LEN, DM_UUID_LEN } from '../../native-defs/index.js';

const littleEndian = endianness() === 'LE';
const u32 = (b: Buffer, o: number): number => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));

/** The offset of the low 32 bits of a native-endian u64 field. */
export const LOW_WORD = littleEndian ? 0 : 4;

/** The string at `offset`, up to its NUL or `limit`; '' without a call into the buffer when the field is empty. */
export function cString(buffer: Buffer, offset: number, limit: number): string {
  if (buffer[offset] === 0) return '';
  const end = buffer.indexOf(0, offset);
  return buffer.toString('utf8', offset, end === -1 || end > limit ? limit : end);
}

/** Major of a kernel ("huge"-encoded) dev_t's low 32 bits: the kernel encodes no more. */
export const kernelMajor = (word: number): number => (word & 0xfff00) >>> 8;
/** Minor of a kernel dev_t's low 32 bits. */
export const kernelMinor = (word: number): number => (word & 0xff) | ((word >>> 12) & 0xfff00);

/** The dm_ioctl header of a reply. */
export interface ReplyHeader {
  /** The driver's interface version, as the reply carries it ([4, 47, 0] on Linux 6.1). */
  version: [number, number, number];
  /** Bytes of the buffer in use, counted from the start of the header (payload included). */
  dataSize: number;
  /** Where the payload starts, in bytes from the start of the header. */
  dataStart: number;
  /** Targets in the table the reply is about (live, or inactive when asked). */
  targetCount: number;
  /** How many times the block device is open. */
  openCount: number;
  /** DM_*_FLAG bits the kernel set (DmFlag: SUSPEND, READONLY, BUFFER_FULL, …). */
  flags: number;
  /** The device's event counter. */
  eventNr: number;
  /** The device number in the kernel's 64-bit encoding (huge_encode_dev); see decodeKernelDev. */
  dev: bigint;
  /** The device's name (empty when the reply concerns no device). */
  name: string;
  /** The device's uuid (empty when it has none). */
  uuid: string;
  /**
   * The name as the kernel has it, when the exchange loop has unmangled `name` for the caller
   * (lib/names): /dev/mapper nodes are named by this one.
   */
  kernelName?: string;
  /** The name's bytes, only when they are not valid UTF-8 (`name` then has U+FFFD in their place). */
  nameBytes?: Buffer | undefined;
  /** The uuid's bytes, only when they are not valid UTF-8. */
  uuidBytes?: Buffer | undefined;
}

/** A reply header over the buffer it came in; see the file comment for when it may be read. */
export class ReplyView implements ReplyHeader {
  readonly dataSize: number;
  readonly dataStart: number;
  readonly targetCount: number;
  readonly openCount: number;
  readonly flags: number;
  readonly eventNr: number;
  // Read once when first asked (the codec's check and the decoder both read them).
  private cachedName: string | undefined = undefined;
  private cachedUuid: string | undefined = undefined;

  /** The buffer must hold at least struct dm_ioctl (the exchange loop's buffers always do). */
  constructor(private readonly buffer: Buffer) {
    this.dataSize = u32(buffer, H.data_size);
    this.dataStart = u32(buffer, H.data_start);
    this.targetCount = u32(buffer, H.target_count);
    this.openCount = littleEndian ? buffer.readInt32LE(H.open_count) : buffer.readInt32BE(H.open_count);
    this.flags = u32(buffer, H.flags);
    this.eventNr = u32(buffer, H.event_nr);
  }

  get version(): [number, number, number] {
    const b = this.buffer;
    return [u32(b, H.version), u32(b, H.version + 4), u32(b, H.version + 8)];
  }

  get dev(): bigint {
    return littleEndian ? this.buffer.readBigUInt64LE(H.dev) : this.buffer.readBigUInt64BE(H.dev);
  }

  /** The low 32 bits of dev, all the kernel encodes, as a number. */
  get devWord(): number {
    return u32(this.buffer, H.dev + LOW_WORD);
  }

  get name(): string {
    return (this.cachedName ??= cString(this.buffer, H.name, H.name + DM_NAME_LEN));
  }

  get uuid(): string {
    return (this.cachedUuid ??= cString(this.buffer, H.uuid, H.uuid + DM_UUID_LEN));
  }

  /** The name's bytes, only when they are not valid UTF-8 (`name` then has U+FFFD in their place). */
  get nameBytes(): Buffer | undefined {
    return rawBytes(this.buffer, H.name, H.name + DM_NAME_LEN);
  }

  /** The uuid's bytes, only when they are not valid UTF-8. */
  get uuidBytes(): Buffer | undefined {
    return rawBytes(this.buffer, H.uuid, H.uuid + DM_UUID_LEN);
  }
}

/** A copy of the C string at `offset` when it is not valid UTF-8, else undefined (the common case: one scan). */
function rawBytes(buffer: Buffer, offset: number, limit: number): Buffer | undefined {
  if (buffer[offset] === 0) return undefined;
  const end = buffer.indexOf(0, offset);
  const bytes = buffer.subarray(offset, end === -1 || end > limit ? limit : end);
  return isUtf8(bytes) ? undefined : Buffer.from(bytes);
}

/** The low 32 bits of a header's dev, read in place from a view, else from the BigInt. */
export function devWord(header: ReplyHeader): number {
  return header instanceof ReplyView ? header.devWord : Number(header.dev & 0xffffffffn);
}
