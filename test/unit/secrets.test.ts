/**
 * Keys through the library without strings, scripted: a crypt (or keyed integrity) row carries its
 * SecretKey in `secret`, the codec writes it into the TABLE_LOAD buffer byte by byte, the load is
 * secure without being asked, and the buffer is zero after the ioctl on every way out (success, a
 * failed ioctl, a buffer that had to grow). table() reads a key from the reply into a SecretKey
 * and gives zeros in `params`; parseTableRow types such a row with the row's own keys.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag, DmIoctlLayout as H, DmTargetSpecLayout as SPEC } from '../../native-defs/index.js';
import { crypt, DeviceMapper, DmError, integrity, linear, parseTableRow, row, SecretKey, SecretParams, table } from '../../lib/index.js';
import { encodeTable } from '../../lib/table/table.js';
import { answer, ScriptedTransport, type Answer } from '../helpers/scripted-transport.js';

const HEX = 'babe'.repeat(32);
const ZEROS = '0'.repeat(128);

function open(script: Answer[]) {
  const transport = new ScriptedTransport(script);
  return { dm: DeviceMapper.open({ nodes: false, ensureTargets: false, transport }), transport };
}

/** Answers as `inner`, after keeping the buffer (to look at once the call is over) and a copy of what was sent. */
function capturing(inner: Answer, seen: { buffer?: Buffer; sent?: Buffer }): Answer {
  return (request, buffer) => {
    seen.buffer = buffer;
    seen.sent = Buffer.from(buffer);
    return inner(request, buffer);
  };
}

/** The params text of the first target of a TABLE_LOAD as sent. */
function sentParams(sent: Buffer): string {
  const start = H.size + SPEC.size;
  return sent.toString('latin1', start, sent.indexOf(0, start));
}

function cryptTarget(key = SecretKey.fromHex(HEX)) {
  return crypt({ cipher: 'aes-xts-plain64', key, ivOffset: 0, device: '7:0', offset: 0 });
}

describe('rows with keys', () => {
  it('row() keeps the SecretKey itself in `secret` and shows zeros in params, never the key', () => {
    const key = SecretKey.fromHex(HEX);
    const [built] = table([{ length: 8, target: cryptTarget(key) }]);
    expect(built!.params).toBe(`aes-xts-plain64 ${ZEROS} 0 7:0 0`);
    expect(built!.secret).toBeInstanceOf(SecretParams);
    expect(built!.secret!.keys()[0]).toBe(key);
    expect(JSON.stringify(built)).not.toContain(HEX);
    expect(String(built!.secret)).not.toContain(HEX);
  });

  it('a row without keys has no secret', () => {
    expect(row(0, 8, linear({ device: '7:0', offset: 0 })).secret).toBeUndefined();
  });

  it('a row whose params were edited apart from its secret is refused, not loaded with the zeros', () => {
    const [built] = table([{ length: 8, target: cryptTarget() }]);
    const edited = { ...built!, params: built!.params.replace('7:0', '7:1') };
    expect(() => encodeTable([edited])).toThrow(DmError);
    expect(() => encodeTable([edited])).toThrow(/changed apart from the row's secret/);
  });

  it('SecretParams writes text escaped and keys as hex straight from their bytes', () => {
    const key = SecretKey.from(Buffer.from([0x01, 0xab]));
    const params = new SecretParams(['a\\b ', key, ' c']);
    const buffer = Buffer.alloc(params.byteLength(true));
    expect(params.write(buffer, 0, true)).toBe(buffer.length);
    expect(buffer.toString('latin1')).toBe('a\\\\b 01ab c');
    expect(params.hidden).toBe('a\\b 0000 c');
    params.dispose();
    expect(key.disposed).toBe(true);
    expect(() => params.write(buffer, 0)).toThrow(/disposed/);
  });

  it('SecretKey.random makes keys of the size asked, each different', () => {
    const a = SecretKey.random(64);
    const b = SecretKey.random(64);
    expect(a.length).toBe(64);
    expect(a.equals(b)).toBe(false);
    expect(() => SecretKey.random(0)).toThrow(DmError);
  });
});

describe('loading a key', () => {
  it('writes the key into the request, marks it secure without being asked, and zeroes the buffer after', () => {
    const seen: { buffer?: Buffer; sent?: Buffer } = {};
    const { dm, transport } = open([capturing(answer.device('c'), seen)]);
    dm.load({ name: 'c' }, table([{ length: 8, target: cryptTarget() }]));
    expect(sentParams(seen.sent!)).toBe(`aes-xts-plain64 ${HEX} 0 7:0 0`);
    expect(transport.requests.at(-1)!.flags & DmFlag.SECURE_DATA).toBe(DmFlag.SECURE_DATA);
    expect(seen.buffer!.every((byte) => byte === 0)).toBe(true);
  });

  it('marks a crypt row of plain text secure too (as cryptsetup marks every key-bearing load)', () => {
    const seen: { buffer?: Buffer; sent?: Buffer } = {};
    const { dm, transport } = open([capturing(answer.device('c'), seen)]);
    dm.load({ name: 'c' }, [{ start: 0, length: 8, type: 'crypt', params: `aes-xts-plain64 ${HEX} 0 7:0 0` }]);
    expect(transport.requests.at(-1)!.flags & DmFlag.SECURE_DATA).toBe(DmFlag.SECURE_DATA);
    expect(seen.buffer!.every((byte) => byte === 0)).toBe(true);
  });

  it('zeroes the buffer when the load fails', () => {
    const seen: { buffer?: Buffer; sent?: Buffer } = {};
    const { dm } = open([capturing(answer.errno(22), seen)]);
    expect(() => dm.load({ name: 'c' }, table([{ length: 8, target: cryptTarget() }]))).toThrow(DmError);
    expect(sentParams(seen.sent!)).toContain(HEX);
    expect(seen.buffer!.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a row whose key was disposed, before any ioctl', () => {
    const key = SecretKey.fromHex(HEX);
    const rows = table([{ length: 8, target: cryptTarget(key) }]);
    key.dispose();
    const { dm, transport } = open([]);
    expect(() => dm.load({ name: 'c' }, rows)).toThrow(/disposed/);
    expect(transport.commands).toEqual([]);
  });

  it('leaves a non-key load unmarked', () => {
    const { dm, transport } = open([answer.device('l')]);
    dm.load({ name: 'l' }, table([{ length: 8, target: linear({ device: '7:0', offset: 0 }) }]));
    expect(transport.requests.at(-1)!.flags & DmFlag.SECURE_DATA).toBe(0);
  });
});

describe('reading a key back', () => {
  const cryptRow = { start: 0, length: 8, type: 'crypt', params: `aes-xts-plain64 ${HEX} 0 7:0 0` };

  it('table() gives the key in a SecretKey, zeros in params, and parseTableRow types it with that very key', () => {
    const { dm } = open([answer.targets([cryptRow])]);
    const [read] = dm.table({ name: 'c' }).rows;
    expect(read!.params).toBe(`aes-xts-plain64 ${ZEROS} 0 7:0 0`);
    const typed = parseTableRow(read!, crypt);
    expect(typed.target.params.key).toBe(read!.secret!.keys()[0]);
    expect((typed.target.params.key as SecretKey).equals(SecretKey.fromHex(HEX))).toBe(true);
    read!.secret!.dispose();
    expect((typed.target.params.key as SecretKey).disposed).toBe(true);
  });

  it('a row read back loads again with its key (the secret travels, not the zeros)', () => {
    const seen: { buffer?: Buffer; sent?: Buffer } = {};
    const { dm } = open([answer.targets([cryptRow]), capturing(answer.device('d'), seen)]);
    dm.load({ name: 'd' }, dm.table({ name: 'c' }).rows);
    expect(sentParams(seen.sent!)).toBe(cryptRow.params);
  });

  it('keeps keyring references and `-` as text (nothing secret)', () => {
    const rows = [
      { start: 0, length: 8, type: 'crypt', params: 'aes-xts-plain64 :64:logon:cryptsetup:x 0 7:0 0' },
      { start: 8, length: 8, type: 'crypt', params: 'cipher_null-ecb - 0 7:0 0' },
    ];
    const { dm } = open([answer.targets(rows)]);
    expect(dm.table({ name: 'c' }).rows).toEqual(rows);
  });

  it('reads integrity keys (internal_hash, journal_mac) into SecretKeys', () => {
    const params = `7:0 0 32 J 3 internal_hash:hmac(sha256):${HEX} journal_sectors:88 journal_mac:hmac(sha256):abcd`;
    const { dm } = open([answer.targets([{ start: 0, length: 8, type: 'integrity', params }])]);
    const [read] = dm.table({ name: 'i' }).rows;
    expect(read!.params).toBe(`7:0 0 32 J 3 internal_hash:hmac(sha256):${ZEROS} journal_sectors:88 journal_mac:hmac(sha256):0000`);
    const typed = parseTableRow(read!, integrity);
    expect(typed.target.params.keys!.internalHash!.equals(SecretKey.fromHex(HEX))).toBe(true);
    expect(typed.target.params.keys!.journalMac!.equals(SecretKey.fromHex('abcd'))).toBe(true);
  });

  it('wipes the smaller buffer of a reply that had to grow (its partial rows could hold a key)', () => {
    const seen: { buffer?: Buffer; sent?: Buffer } = {};
    const partial: Answer = (request, buffer) => {
      seen.buffer = buffer;
      answer.targets([cryptRow])(request, buffer);
      buffer.writeUInt32LE(buffer.readUInt32LE(H.flags) | DmFlag.BUFFER_FULL, H.flags);
      return 0;
    };
    const { dm } = open([partial, answer.targets([cryptRow])]);
    expect(dm.table({ name: 'c' }).rows).toHaveLength(1);
    expect(seen.buffer!.every((byte) => byte === 0)).toBe(true);
  });

  it('any params, seeded: the kept row is the reply (revealed; hex in lower case), its params the reply with zeros where its keys were', () => {
    const words = ['aes-xts-plain64', 'abcd', 'AB12', 'abc', '-', ':32:logon:k', 'internal_hash:sha256:beef', 'journal_mac:hmac:', 'journal_crypt:x:0f0f', 'internal_hash:', '7:0', ' ', 'é'];
    let seed = 11;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 400; round++) {
      const params = Array.from({ length: 1 + next(6) }, () => words[next(words.length)]).join(' ');
      const type = next(2) === 0 ? 'crypt' : 'integrity';
      const { dm } = open([answer.targets([{ start: 0, length: 8, type, params }])]);
      const [read] = dm.table({ name: 'f' }).rows;
      if (!read!.secret) expect(read!.params).toBe(params);
      else {
        expect(read!.secret.revealText().toLowerCase()).toBe(params.toLowerCase());
        expect(read!.params).toBe(read!.secret.hidden);
        expect(read!.params).toHaveLength(params.length);
        expect(read!.params).not.toBe(params);
      }
    }
  });
});
