/**
 * Pure encoding and decoding of `struct loop_info64` and `struct loop_config` (util-linux's
 * loopcxt_set_* / loopcxt_get_* counterparts), so the byte layout is tested on the host.
 */
import { LO_NAME_SIZE, LoopConfigLayout, LoopFlag, LoopInfo64Layout } from '../../native-defs/index.js';

/** The fields a binder sets. */
export interface LoopInfoRequest {
  offset: bigint;
  sizeLimit: bigint;
  flags: number;
  /** Recorded in lo_file_name, cut to LO_NAME_SIZE - 1 bytes (the kernel keeps it only for show). */
  fileName: string;
}

/** `struct loop_info64` as LOOP_GET_STATUS64 fills it. */
export interface LoopStatus {
  /** The backing file's st_dev and st_ino, kernel-encoded (huge_encode_dev). */
  device: bigint;
  inode: bigint;
  rdevice: bigint;
  offset: bigint;
  sizeLimit: bigint;
  number: number;
  flags: number;
  fileName: string;
}

/** Writes a loop_info64 at `at` (the rest of the buffer is left as it is: callers pass zeros). */
export function encodeLoopInfo(buffer: Buffer, at: number, request: LoopInfoRequest): void {
  buffer.writeBigUInt64LE(request.offset, at + LoopInfo64Layout.lo_offset);
  buffer.writeBigUInt64LE(request.sizeLimit, at + LoopInfo64Layout.lo_sizelimit);
  buffer.writeUInt32LE(request.flags >>> 0, at + LoopInfo64Layout.lo_flags);
  const name = Buffer.from(request.fileName, 'utf8').subarray(0, LO_NAME_SIZE - 1);
  name.copy(buffer, at + LoopInfo64Layout.lo_file_name);
}

/** A zeroed loop_info64 carrying `request` (LOOP_SET_STATUS64's argument). */
export function loopInfoBuffer(request: LoopInfoRequest): Buffer {
  const buffer = Buffer.alloc(LoopInfo64Layout.size);
  encodeLoopInfo(buffer, 0, request);
  return buffer;
}

/** A zeroed loop_config for LOOP_CONFIGURE: the backing fd, the default block size, `request`. */
export function loopConfigBuffer(backingFd: number, request: LoopInfoRequest): Buffer {
  const buffer = Buffer.alloc(LoopConfigLayout.size);
  buffer.writeUInt32LE(backingFd, LoopConfigLayout.fd);
  buffer.writeUInt32LE(0, LoopConfigLayout.block_size);
  encodeLoopInfo(buffer, LoopConfigLayout.info, request);
  return buffer;
}

/** Reads a loop_info64 (LOOP_GET_STATUS64's reply). */
export function decodeLoopInfo(buffer: Buffer): LoopStatus {
  const name = buffer.subarray(LoopInfo64Layout.lo_file_name, LoopInfo64Layout.lo_file_name + LO_NAME_SIZE);
  const end = name.indexOf(0);
  return {
    device: buffer.readBigUInt64LE(LoopInfo64Layout.lo_device),
    inode: buffer.readBigUInt64LE(LoopInfo64Layout.lo_inode),
    rdevice: buffer.readBigUInt64LE(LoopInfo64Layout.lo_rdevice),
    offset: buffer.readBigUInt64LE(LoopInfo64Layout.lo_offset),
    sizeLimit: buffer.readBigUInt64LE(LoopInfo64Layout.lo_sizelimit),
    number: buffer.readUInt32LE(LoopInfo64Layout.lo_number),
    flags: buffer.readUInt32LE(LoopInfo64Layout.lo_flags),
    fileName: name.subarray(0, end < 0 ? name.length : end).toString('utf8'),
  };
}

/** LoopFlag bits for the attach options. */
export function loopFlags(options: { readOnly?: boolean; autoClear?: boolean; partscan?: boolean; directIo?: boolean }): number {
  return (
    (options.readOnly ? LoopFlag.READ_ONLY : 0) |
    (options.autoClear ? LoopFlag.AUTOCLEAR : 0) |
    (options.partscan ? LoopFlag.PARTSCAN : 0) |
    (options.directIo ? LoopFlag.DIRECT_IO : 0)
  );
}
