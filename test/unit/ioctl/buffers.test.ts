/**
 * The exchange loop's buffers, scripted: a reused buffer is cleared only as far as a request or a
 * reply wrote into it, yet nothing of an old reply ever goes back to the kernel; a reply that can
 * carry a key (a table, a message) is wiped once decoded; and a list that needed a large buffer
 * does not make every other request send that much.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag, DmIoctlLayout as H } from '../../../native-defs/index.js';
import { DeviceMapper, SecretKey } from '../../../lib/index.js';
import { encodeRequest } from '../../../lib/ioctl/codec.js';
import { answer, ScriptedTransport, writeHeader, type Answer } from '../../helpers/scripted-transport.js';

function open(script: Answer[]) {
  const transport = new ScriptedTransport(script);
  const dm = DeviceMapper.open({ nodes: false, ensureTargets: false, transport });
  return { dm, transport };
}

/** Answers as `inner` does, after noting whether the request arrived clean past its header. */
function checkingClean(inner: Answer, seen: boolean[]): Answer {
  return (request, buffer) => {
    seen.push(buffer.subarray(H.size).every((byte) => byte === 0));
    return inner(request, buffer);
  };
}

const KEY = 'babebabebabebabebabebabebabebabebabebabebabebabebabebabebabebabe';
const cryptRow = { start: 0, length: 8, type: 'crypt', params: `aes-xts-plain64 ${KEY} 0 7:0 0` };

describe('encodeRequest with a dirty extent', () => {
  it('clears the request and the dirty part, and leaves the rest (known zero) untouched', () => {
    const buffer = Buffer.alloc(4096, 0xaa);
    const written = encodeRequest(buffer, { version: [4, 0, 0], flags: 0, eventNr: 0, dev: 0n, name: 'a', uuid: '' }, { kind: 'none' }, 1000);
    expect(written).toBe(H.size);
    expect(buffer.subarray(H.size, 1000).every((byte) => byte === 0)).toBe(true);
    expect(buffer.subarray(1000).every((byte) => byte === 0xaa)).toBe(true);
    expect(buffer.toString('utf8', H.name, H.name + 2)).toBe('a\0');
  });

  it('always clears the whole request, however little was dirty', () => {
    const buffer = Buffer.alloc(4096, 0xaa);
    const payload = { kind: 'string', value: 'new' } as const;
    const written = encodeRequest(buffer, { version: [4, 0, 0], flags: 0, eventNr: 0, dev: 0n, name: 'a', uuid: '' }, payload, 0);
    expect(written).toBe(H.size + 4);
    expect(buffer.toString('latin1', H.size, H.size + 5)).toBe('new\0\xaa');
  });
});

describe('the exchange loop: reused buffers', () => {
  it('sends nothing of an earlier reply back: a device list, then an info, arrive clean', () => {
    const seen: boolean[] = [];
    const { dm } = open([
      checkingClean(answer.names(['alpha', 'beta', 'gamma']), seen),
      checkingClean(answer.device('alpha'), seen),
      checkingClean(answer.device('alpha'), seen),
    ]);
    expect(dm.list({ uuids: false })).toHaveLength(3);
    dm.info({ name: 'alpha' });
    dm.info({ name: 'alpha' });
    expect(seen).toEqual([true, true, true]);
  });

  it('clears all of a buffer after a failed ioctl, whatever was written into it', () => {
    const seen: boolean[] = [];
    const scribble: Answer = (_, buffer) => {
      buffer.fill(0x5a, H.size);
      return 6; // ENXIO
    };
    const { dm } = open([scribble, checkingClean(answer.device('a'), seen)]);
    expect(dm.tryInfo({ name: 'a' })).toBeUndefined();
    dm.info({ name: 'a' });
    expect(seen).toEqual([true]);
  });

  /** A handle whose one table reply is the crypt row; `held()` is the reply's buffer, to look at after the call. */
  function cryptTable(): { dm: DeviceMapper; held: () => Buffer } {
    let kept: Buffer | undefined;
    const table: Answer = (request, buffer) => {
      kept = buffer;
      return answer.targets([cryptRow])(request, buffer);
    };
    return { dm: open([table]).dm, held: () => kept! };
  }

  it('wipes a table reply (a crypt key) from its buffer once decoded, and the rows keep it in a SecretKey', () => {
    const { dm, held } = cryptTable();
    const [row] = dm.table({ name: 'secret' }).rows;
    expect(row).toMatchObject({ ...cryptRow, params: `aes-xts-plain64 ${'0'.repeat(64)} 0 7:0 0` });
    expect(row!.secret!.keys()[0]!.equals(SecretKey.fromHex(KEY))).toBe(true);
    expect(held().includes(KEY)).toBe(false);
    expect(held().every((byte) => byte === 0)).toBe(true);
  });

  it('with showKeys, gives the key in the params text (and still wipes the reply)', () => {
    const { dm, held } = cryptTable();
    expect(dm.table({ name: 'secret' }, { showKeys: true }).rows).toEqual([cryptRow]);
    expect(held().every((byte) => byte === 0)).toBe(true);
  });

  it('wipes a message reply from its buffer once decoded', () => {
    let held: Buffer | undefined;
    const reply: Answer = (_, buffer) => {
      held = buffer;
      buffer.write(`${KEY}\0`, H.size);
      writeHeader(buffer, { flags: DmFlag.DATA_OUT, dataStart: H.size, dataSize: H.size + KEY.length + 1 });
      return 0;
    };
    const { dm } = open([reply]);
    expect(dm.message({ name: 'a' }, 0, 'key show')).toBe(KEY);
    expect(held!.every((byte) => byte === 0)).toBe(true);
  });

  it("keeps a list's grown size for lists only: an info afterwards still sends 16 KiB", () => {
    const { dm, transport } = open([
      answer.bufferFull(),
      answer.bufferFull(),
      answer.names(['a']),
      answer.device('a'),
      answer.names(['a']),
    ]);
    dm.list({ uuids: false });
    dm.info({ name: 'a' });
    dm.list({ uuids: false });
    const sizes = transport.requests.filter((r) => r.command !== 'VERSION').map((r) => `${r.command} ${r.size}`);
    expect(sizes).toEqual(['LIST_DEVICES 16384', 'LIST_DEVICES 32768', 'LIST_DEVICES 65536', 'DEV_STATUS 16384', 'LIST_DEVICES 65536']);
  });
});
