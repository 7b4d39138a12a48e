/**
 * A Transport that answers from a script instead of the kernel, for host tests of the library's
 * own branches (buffer growth, the cap, EBUSY retries, malformed replies, old drivers). Each
 * request is recorded as the kernel would see it; each answer writes a reply into the buffer the
 * way the kernel does (header fields in place, payload at data_start) and returns 0 or an errno.
 * What the kernel really does is proven in the VM tests; this only drives our code.
 */
import { endianness } from 'node:os';
import {
  DmFlag,
  DmIoctlLayout as H,
  DmNameListLayout as NL,
  DmRequest,
  DmTargetSpecLayout as SPEC,
  type DmCommandName,
} from '../../native-defs/index.js';
import type { Transport } from '../../lib/index.js';

const LE = endianness() === 'LE';
const u32 = (b: Buffer, o: number): number => (LE ? b.readUInt32LE(o) : b.readUInt32BE(o));
const put32 = (b: Buffer, o: number, v: number): void => void (LE ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
const put64 = (b: Buffer, o: number, v: bigint): void => void (LE ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o));
const cstr = (b: Buffer, o: number, n: number): string => {
  const end = b.indexOf(0, o);
  return b.toString('utf8', o, end === -1 || end > o + n ? o + n : end);
};

/** A request as the kernel would read it. */
export interface SentRequest {
  command: DmCommandName;
  /** The buffer's length (= data_size as sent). */
  size: number;
  version: [number, number, number];
  flags: number;
  eventNr: number;
  dev: bigint;
  name: string;
  uuid: string;
  /** The first bytes of the payload as text (a message, a new name). */
  text: string;
}

/** Writes the kernel's answer into `buffer` and returns 0 or an errno. */
export type Answer = (request: SentRequest, buffer: Buffer) => number;

const commandByRequest = new Map(Object.entries(DmRequest).map(([name, request]) => [request, name as DmCommandName]));

function readRequest(request: number, buffer: Buffer): SentRequest {
  const command = commandByRequest.get(request);
  if (!command) throw new Error(`scripted transport: unknown request 0x${request.toString(16)}`);
  const dataStart = u32(buffer, H.data_start);
  return {
    command,
    size: buffer.length,
    version: [u32(buffer, H.version), u32(buffer, H.version + 4), u32(buffer, H.version + 8)],
    flags: u32(buffer, H.flags),
    eventNr: u32(buffer, H.event_nr),
    dev: LE ? buffer.readBigUInt64LE(H.dev) : buffer.readBigUInt64BE(H.dev),
    name: cstr(buffer, H.name, 128),
    uuid: cstr(buffer, H.uuid, 129),
    text: command === 'TARGET_MSG' ? cstr(buffer, dataStart + 8, 256) : cstr(buffer, dataStart, 256),
  };
}

export interface ScriptOptions {
  /** The driver version VERSION requests get (answered without a script entry); default 4.47.0. */
  driver?: [number, number, number];
}

/** Answers each request with the next entry of the script; VERSION is answered by itself. */
export class ScriptedTransport implements Transport {
  readonly requests: SentRequest[] = [];
  closed = 0;
  private readonly script: Answer[];
  private readonly driver: [number, number, number];

  constructor(script: Answer[], options: ScriptOptions = {}) {
    this.script = [...script];
    this.driver = options.driver ?? [4, 47, 0];
  }

  /** Requests other than VERSION, in order. */
  get commands(): DmCommandName[] {
    return this.requests.filter((r) => r.command !== 'VERSION').map((r) => r.command);
  }

  /** Script entries not used yet. */
  get remaining(): number {
    return this.script.length;
  }

  send(_fd: number, request: number, buffer: Buffer): number {
    const sent = readRequest(request, buffer);
    this.requests.push(sent);
    if (sent.command === 'VERSION') {
      writeHeader(buffer, { version: this.driver });
      return 0;
    }
    const answer = this.script.shift();
    if (!answer) throw new Error(`scripted transport: no answer left for ${sent.command}`);
    return answer(sent, buffer);
  }

  async sendAsync(fd: number, request: number, buffer: Buffer): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve)); // a real thread hop: the event loop runs meanwhile
    return this.send(fd, request, buffer);
  }

  close(): void {
    this.closed++;
  }
}

/** Header fields of a reply (the rest of what the request carried stays as it was). */
export interface ReplyFields {
  version?: [number, number, number];
  dataSize?: number;
  dataStart?: number;
  targetCount?: number;
  openCount?: number;
  flags?: number;
  eventNr?: number;
  dev?: bigint;
  name?: string;
  uuid?: string;
}

export function writeHeader(buffer: Buffer, fields: ReplyFields): void {
  const version = fields.version ?? [4, 47, 0];
  version.forEach((v, i) => put32(buffer, H.version + 4 * i, v));
  if (fields.dataSize !== undefined) put32(buffer, H.data_size, fields.dataSize);
  if (fields.dataStart !== undefined) put32(buffer, H.data_start, fields.dataStart);
  if (fields.targetCount !== undefined) put32(buffer, H.target_count, fields.targetCount);
  if (fields.openCount !== undefined) put32(buffer, H.open_count, fields.openCount);
  if (fields.flags !== undefined) put32(buffer, H.flags, fields.flags);
  if (fields.eventNr !== undefined) put32(buffer, H.event_nr, fields.eventNr);
  if (fields.dev !== undefined) put64(buffer, H.dev, fields.dev);
  if (fields.name !== undefined) buffer.fill(0, H.name, H.name + 128).write(fields.name, H.name);
  if (fields.uuid !== undefined) buffer.fill(0, H.uuid, H.uuid + 129).write(fields.uuid, H.uuid);
}

/** Answers: the common kernel replies. */
export const answer = {
  /** The ioctl fails with `errno`. */
  errno: (errno: number): Answer => () => errno,
  /** Success, with these header fields (a device's state: name, dev, flags…). */
  ok: (fields: ReplyFields = {}): Answer => (_, buffer) => (writeHeader(buffer, fields), 0),
  /** The device `name` (dev 253:minor) exists and is live. */
  device: (name: string, minor = 0, flags = DmFlag.ACTIVE_PRESENT): Answer =>
    answer.ok({ name, dev: BigInt(253 << 8) | BigInt(minor), flags }),
  /** BUFFER_FULL: the reply needs more room (the kernel sends no payload then). */
  bufferFull: (): Answer => (_, buffer) => (writeHeader(buffer, { flags: DmFlag.BUFFER_FULL, dataStart: H.size }), 0),
  /** A LIST_DEVICES reply with these names (dev 253:i), no event numbers (an old-layout record). */
  names: (names: string[]): Answer => (_, buffer) => {
    let offset = H.size;
    names.forEach((name, i) => {
      const size = (NL.size + Buffer.byteLength(name) + 1 + 7) & ~7;
      put64(buffer, offset + NL.dev, BigInt(253 << 8) | BigInt(i + 1));
      put32(buffer, offset + NL.next, i + 1 < names.length ? size : 0);
      buffer.write(`${name}\0`, offset + NL.name);
      offset += size;
    });
    writeHeader(buffer, { version: [4, 37, 0], dataStart: H.size, dataSize: offset });
    return 0;
  },
  /** A TABLE_STATUS reply with these rows. */
  targets: (rows: Array<{ start: number; length: number; type: string; params: string }>): Answer => (_, buffer) => {
    let offset = H.size;
    for (const row of rows) {
      put64(buffer, offset + SPEC.sector_start, BigInt(row.start));
      put64(buffer, offset + SPEC.length, BigInt(row.length));
      buffer.write(`${row.type}\0`, offset + SPEC.target_type);
      buffer.write(`${row.params}\0`, offset + SPEC.size);
      offset = (offset + SPEC.size + Buffer.byteLength(row.params) + 1 + 7) & ~7;
    }
    // `next` of each spec counts from data_start.
    let at = H.size;
    for (const row of rows) {
      const next = ((at + SPEC.size + Buffer.byteLength(row.params) + 1 + 7) & ~7) - H.size;
      put32(buffer, at + SPEC.next, next);
      at = H.size + next;
    }
    writeHeader(buffer, { dataStart: H.size, dataSize: at, targetCount: rows.length, flags: DmFlag.ACTIVE_PRESENT });
    return 0;
  },
};
