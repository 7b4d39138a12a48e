/**
 * Fuzzing every decoder of kernel replies (lib/ioctl/codec.ts, lib/ioctl/decoders.ts): real
 * replies (as the scripted transport writes them, the kernel's layout) mutated byte by byte,
 * header fields set to edge values, truncated, or random bytes. Property: each decoder returns a
 * value or throws DmError kind 'protocol' (a malformed reply; or 'unsupported' EOVERFLOW for a
 * row past 2^53 sectors), never a RangeError or a TypeError,
 * and no call hangs (each within the budget).
 */
import { describe, expect, it } from 'vitest';
import { DmError } from '../../../lib/errors.js';
import {
  decodeDeps,
  decodeHeader,
  decodeMessageReply,
  decodeNameList,
  decodeTargets,
  decodeTargetVersions,
  replyFlags,
  replyVersion,
  type ReplyHeader,
} from '../../../lib/ioctl/codec.js';
import { decodeInfo, decodeInfoAndDeps, decodeInfoAndTargets, decodeName, deviceInfoFromHeader } from '../../../lib/ioctl/decoders.js';
import { DmFlag, DmIoctlLayout as H, DmTargetDepsLayout as DEPS, DmTargetVersionsLayout as TV } from '../../../native-defs/index.js';
import { answer, writeHeader, type SentRequest } from '../../helpers/scripted-transport.js';
import { int, mutateBytes, pick, rng, ROUNDS, Tally } from './support.js';

const SIZE = 16 * 1024;
const REQUEST = {} as SentRequest;

/** A reply buffer as `fill` writes it (header zeroed first, as encodeRequest leaves it). */
function reply(fill: (buffer: Buffer) => void): Buffer {
  const buffer = Buffer.alloc(SIZE);
  buffer.writeUInt32LE(H.size, H.data_start);
  fill(buffer);
  return buffer;
}

function versionsReply(names: string[]): Buffer {
  return reply((buffer) => {
    let offset: number = H.size;
    names.forEach((name, i) => {
      const size = (TV.size + Buffer.byteLength(name) + 1 + 7) & ~7;
      buffer.writeUInt32LE(i + 1 < names.length ? size : 0, offset + TV.next);
      [1, 2, 3].forEach((v, k) => buffer.writeUInt32LE(v, offset + TV.version + 4 * k));
      buffer.write(`${name}\0`, offset + TV.name);
      offset += size;
    });
    writeHeader(buffer, { dataStart: H.size, dataSize: offset });
  });
}

function depsReply(count: number): Buffer {
  return reply((buffer) => {
    buffer.writeUInt32LE(count, H.size + DEPS.count);
    for (let i = 0; i < count; i++) buffer.writeBigUInt64LE(BigInt((7 << 8) | i), H.size + DEPS.dev + 8 * i);
    writeHeader(buffer, { dataStart: H.size, dataSize: H.size + DEPS.dev + 8 * count, name: 'vg-lv', flags: DmFlag.ACTIVE_PRESENT });
  });
}

function messageReply(text: string): Buffer {
  return reply((buffer) => {
    buffer.write(`${text}\0`, H.size);
    writeHeader(buffer, { dataStart: H.size, dataSize: H.size + Buffer.byteLength(text) + 1, flags: DmFlag.DATA_OUT });
  });
}

/** Real replies: each kind of payload the decoders read. */
const SEEDS: Buffer[] = [
  reply((b) => answer.names(['a', 'vg-lv', 'x'.repeat(127)])(REQUEST, b)),
  reply((b) => answer.names([])(REQUEST, b)),
  reply((b) =>
    answer.targets([
      { start: 0, length: 2048, type: 'linear', params: '7:0 0' },
      { start: 2048, length: 8, type: 'zero', params: '' },
      { start: 2056, length: 16, type: 'crypt', params: 'aes-xts-plain64 :64:logon:k 0 7:0 0 1 allow_discards' },
    ])(REQUEST, b),
  ),
  reply((b) => answer.device('vg-lv', 3)(REQUEST, b)),
  versionsReply(['linear', 'striped', 'zero', 'thin-pool']),
  depsReply(3),
  depsReply(0),
  messageReply('0 1 2 -'),
];

/** Every decoder, given a buffer and the header decoded from it (or a mutated one). */
const DECODERS: Array<[string, (buffer: Buffer, header: ReplyHeader) => unknown]> = [
  ['decodeNameList', decodeNameList],
  ['decodeTargets', decodeTargets],
  ['decodeDeps', decodeDeps],
  ['decodeTargetVersions', decodeTargetVersions],
  ['decodeMessageReply', (b, h) => decodeMessageReply(b, h, DmFlag.DATA_OUT)],
  ['decodeInfo', decodeInfo],
  ['decodeName', decodeName],
  ['decodeInfoAndTargets', decodeInfoAndTargets],
  ['decodeInfoAndDeps', decodeInfoAndDeps],
  ['deviceInfoFromHeader', (_, h) => deviceInfoFromHeader(h)],
];

/** A malformed reply; or a row past 2^53 sectors, refused exactly (EOVERFLOW) rather than rounded. */
const protocolError = (error: unknown): boolean =>
  error instanceof DmError && (error.kind === 'protocol' || (error.kind === 'unsupported' && error.code === 'EOVERFLOW'));

/** A mutated reply: bytes changed in the header or the payload, truncated, or random. */
function candidate(next: () => number): Buffer {
  const seed = pick(next, SEEDS);
  const roll = next();
  if (roll < 0.05) return Buffer.from(Array.from({ length: int(next, 2 * H.size) }, () => int(next, 256)));
  const used = Math.max(H.size, seed.readUInt32LE(H.data_size)) + 64;
  const mutated = mutateBytes(next, seed, roll < 0.4 ? H.size : used);
  return roll < 0.6 ? mutated.subarray(0, int(next, used + 1)) : mutated;
}

/** A header with one field set to an edge u32 (what decodeHeader can give; decoders trust its types). */
function oddHeader(next: () => number, header: ReplyHeader): ReplyHeader {
  const key = pick(next, ['dataSize', 'dataStart', 'targetCount', 'flags'] as const);
  return { ...header, [key]: pick(next, [0, 1, 305, 312, SIZE, SIZE * 2, 0x7fffffff, 0xffffffff]) };
}

describe('fuzz: kernel reply decoders', () => {
  it('return a value or throw DmError kind protocol, never another exception', () => {
    const tally = new Tally('decoders');
    const next = rng(0xdec0de);
    for (let round = 0; round < ROUNDS; round++) {
      const buffer = candidate(next);
      const show = (): string => `round ${round}: ${buffer.length} bytes ${buffer.subarray(0, 64).toString('hex')}…`;
      tally.run(() => replyFlags(buffer), protocolError, () => `replyFlags, ${show()}`);
      tally.run(() => replyVersion(buffer), protocolError, () => `replyVersion, ${show()}`);
      let header: ReplyHeader | undefined;
      tally.run(() => (header = decodeHeader(buffer)), protocolError, () => `decodeHeader, ${show()}`);
      if (!header) continue;
      const used = next() < 0.2 ? oddHeader(next, header) : header;
      for (const [name, decode] of DECODERS) tally.run(() => decode(buffer, used), protocolError, () => `${name}, ${show()} header ${JSON.stringify(used, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
    tally.report();
    expect(tally.refusals).toBeGreaterThan(0);
    expect(tally.values).toBeGreaterThan(0);
  });
});
