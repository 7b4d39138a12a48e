/**
 * crypt: round trips with hex, empty and keyring keys, options in the kernel's order, refusals
 * naming the field, keys hidden as dmsetup hides them, and SecretKey's wiping and hiding.
 */
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { crypt, defineTarget, hideSecrets, SecretKey, type CryptParams } from '../../../lib/targets/index.js';
import { hideKeys } from '../../../cli/format.js';
import { checkTarget, expectRefused } from './support.js';

const KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const dev = { major: 7, minor: 2 };
const base = { cipher: 'aes-xts-plain64', ivOffset: 0, device: dev, offset: 0 };

/** Keys compared by their bytes (SecretKey keeps them private). */
const normalise = (params: CryptParams) => ({ ...params, key: params.key instanceof SecretKey ? params.key.toKernelText() : params.key });

describe('crypt', () => {
  checkTarget(
    crypt,
    {
      // Kernel text as `dmsetup table --showkeys` printed it on Linux 6.1.176 (UML VM).
      good: [
        [`aes-xts-plain64 ${KEY} 0 7:2 0 2 allow_discards sector_size:4096`, { ...base, key: SecretKey.fromHex(KEY), options: { allowDiscards: true, sectorSize: 4096 } }],
        ['aes-cbc-essiv:sha256 0123456789abcdef0123456789abcdef 5 7:2 8 1 same_cpu_crypt', { ...base, cipher: 'aes-cbc-essiv:sha256', key: SecretKey.fromHex('0123456789abcdef0123456789abcdef'), ivOffset: 5, offset: 8, options: { sameCpuCrypt: true } }],
        ['capi:cbc(aes)-plain 0123456789abcdef0123456789abcdef 0 7:2 0', { ...base, cipher: 'capi:cbc(aes)-plain', key: SecretKey.fromHex('0123456789abcdef0123456789abcdef') }],
        ['aes-xts-plain64 :64:logon:cryptsetup:abc 0 7:2 0', { ...base, key: { keySize: 64, keyType: 'logon', description: 'cryptsetup:abc' } }],
        ['cipher_null-ecb - 0 /dev/loop2 0', { ...base, cipher: 'cipher_null-ecb', key: SecretKey.empty(), device: '/dev/loop2' }],
        [
          `aes-xts-plain64 ${KEY} 0 7:2 0 8 submit_from_crypt_cpus no_read_workqueue no_write_workqueue integrity:28:aead sector_size:512 iv_large_sectors x y`,
          { ...base, key: SecretKey.fromHex(KEY), options: { submitFromCryptCpus: true, noReadWorkqueue: true, noWriteWorkqueue: true, integrity: { tagSize: 28, type: 'aead' }, sectorSize: 512, ivLargeSectors: true, extra: ['x', 'y'] } },
        ],
      ],
      badParams: [
        [{ ...base, key: KEY }, 'key'],
        [{ ...base, key: { keySize: 32, keyType: 'bogus', description: 'd' } }, 'key.keyType'],
        [{ ...base, key: { keySize: 32, keyType: 'user', description: 'a b' } }, 'key.description'],
        [{ ...base, key: SecretKey.empty(), cipher: '' }, 'cipher'],
        [{ ...base, key: SecretKey.empty(), ivOffset: -1 }, 'ivOffset'],
        [{ ...base, key: SecretKey.empty(), device: null }, 'device'],
        [{ ...base, key: SecretKey.empty(), offset: 0.5 }, 'offset'],
        [{ ...base, key: SecretKey.empty(), options: { sectorSize: 1000 } }, 'options.sectorSize'],
        [{ ...base, key: SecretKey.empty(), options: { integrity: { tagSize: 0, type: 'aead' } } }, 'options.integrity.tagSize'],
        [{ ...base, key: SecretKey.empty(), options: { extra: ['two words'] } }, 'options.extra[0]'],
      ],
      badText: [
        ['aes-xts-plain64', 'key'],
        ['aes-xts-plain64 xyz 0 7:2 0', 'key'],
        ['aes-xts-plain64 :64:bogus:d 0 7:2 0', 'key'],
        [`aes-xts-plain64 ${KEY} x 7:2 0`, 'ivOffset'],
        [`aes-xts-plain64 ${KEY} 0 7:2`, 'offset'],
        [`aes-xts-plain64 ${KEY} 0 7:2 0 3 allow_discards`, 'options count'],
      ],
    },
    normalise,
  );

  it('hides the key as dmsetup does without --showkeys, like the CLI', () => {
    const texts = [
      `aes-xts-plain64 ${KEY} 0 7:2 0 2 allow_discards sector_size:4096`,
      'aes-xts-plain64 :64:logon:foo 0 7:2 0',
      'cipher_null-ecb - 0 7:2 0',
      'nokey',
    ];
    // `dmsetup table` printed the first as zeros on Linux 6.1.176 (UML VM).
    expect(hideSecrets('crypt', texts[0]!)).toBe(`aes-xts-plain64 ${'0'.repeat(64)} 0 7:2 0 2 allow_discards sector_size:4096`);
    for (const text of texts) expect(crypt.hideSecrets!(text)).toBe(hideKeys('crypt', text));
    expect(hideSecrets('linear', '7:0 0')).toBe('7:0 0');
  });

  it('a built target shows no key in toString, JSON or inspect', () => {
    const target = crypt({ ...base, key: SecretKey.fromHex(KEY) });
    for (const shown of [String(target), JSON.stringify(target), inspect(target, { depth: 10 }), inspect(target.params.key)]) {
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain('0123456789abcdef');
    }
    expect(JSON.parse(JSON.stringify(target)).params.key).toBe('<hidden>');
    expect(target.text()).toContain(KEY);
  });
});

describe('keys never made strings where not needed', () => {
  it('building, toString, JSON and inspect never ask the key for its text', () => {
    const key = SecretKey.fromHex(KEY);
    const asked = vi.spyOn(key, 'toKernelText');
    const target = crypt({ ...base, key, options: { allowDiscards: true } });
    expect(String(target)).toBe(`crypt aes-xts-plain64 ${'0'.repeat(64)} 0 7:2 0 1 allow_discards`);
    JSON.stringify(target);
    inspect(target);
    expect(asked).not.toHaveBeenCalled();
    expect(target.text()).toContain(KEY);
    expect(asked).toHaveBeenCalledTimes(1);
  });

  it('toBuffer writes the key from its bytes: the same text as text(), without asking for a string', () => {
    const key = SecretKey.fromHex(KEY);
    const target = crypt({ ...base, key, options: { sectorSize: 4096 } });
    const expected = target.text();
    const asked = vi.spyOn(key, 'toKernelText');
    const bytes = target.toBuffer();
    expect(asked).not.toHaveBeenCalled();
    expect(bytes.toString()).toBe(expected);
    expect(crypt({ ...base, key: SecretKey.empty() }).toBuffer().toString()).toBe('aes-xts-plain64 - 0 7:2 0');
    const keyring = crypt({ ...base, key: { keySize: 32, keyType: 'user', description: 'k' } });
    expect(keyring.toBuffer().toString()).toBe(keyring.text());
  });

  it('a disposed key is refused at the builder and when formatted', () => {
    const key = SecretKey.fromHex(KEY);
    const target = crypt({ ...base, key });
    key.dispose();
    expectRefused(() => crypt({ ...base, key }), 'crypt: key');
    expectRefused(() => target.text(), 'crypt: key');
    expectRefused(() => target.toBuffer(), 'crypt: key');
    expectRefused(() => String(target), 'crypt: key');
  });
});

describe('secret fields nested in objects (as integrity keeps its keys)', () => {
  // A target type made here only to drive the framework: keys nested in a secret field.
  const nested = defineTarget<{ options: { hash: { algorithm: string; key: SecretKey } } }>({
    type: 'nested-test',
    module: null,
    secretFields: ['options'],
    format: (params) => {
      const { algorithm, key } = params.options.hash;
      if (key.length === 0) throw new Error('empty key');
      return `1 hash:${algorithm}:${key.toKernelText()}`;
    },
    parse: () => {
      throw new Error('not used');
    },
  });

  it('are hidden in JSON and inspect, and never asked for their text to build or show', () => {
    const key = SecretKey.fromHex('abcdef01');
    const asked = vi.spyOn(key, 'toKernelText');
    const target = nested({ options: { hash: { algorithm: 'hmac(sha256)', key } } });
    expect(JSON.parse(JSON.stringify(target))).toEqual({ type: 'nested-test', params: { options: { hash: { algorithm: 'hmac(sha256)', key: '<hidden>' } } } });
    expect(inspect(target, { depth: 10 })).not.toContain('abcdef01');
    expect(String(target)).toBe('nested-test 1 hash:hmac(sha256):00000000');
    expect(target.toBuffer().toString()).toBe('1 hash:hmac(sha256):abcdef01');
    expect(asked).not.toHaveBeenCalled();
  });

  it('a keyring reference is no secret: JSON shows it', () => {
    const ref = { keySize: 32, keyType: 'logon' as const, description: 'cryptsetup:x' };
    expect(JSON.parse(JSON.stringify(crypt({ ...base, key: ref }))).params.key).toEqual(ref);
  });
});

describe('SecretKey', () => {
  it('copies what it is given, zeroes its own bytes on dispose, then refuses use', () => {
    const mine = Buffer.from('00112233', 'hex');
    const key = SecretKey.from(mine);
    mine.fill(0);
    expect(key.toKernelText()).toBe('00112233');
    let held: Buffer | undefined;
    key.withBytes((bytes) => (held = bytes));
    key.dispose();
    expect(held!.equals(Buffer.alloc(4))).toBe(true);
    expect(key.disposed).toBe(true);
    expectRefused(() => key.toKernelText(), 'disposed');
    expectRefused(() => crypt.format({ ...base, key }), 'crypt: key');
  });

  it('adopt wipes the caller buffer itself; `using` disposes', () => {
    const buffer = Buffer.from('aabbccdd', 'hex');
    {
      using key = SecretKey.adopt(buffer);
      expect(key.length).toBe(4);
    }
    expect(buffer.equals(Buffer.alloc(4))).toBe(true);
  });

  it('compares by bytes; refuses bad hex; hides itself', () => {
    expect(SecretKey.fromHex('abcd').equals(SecretKey.from(Buffer.from([0xab, 0xcd])))).toBe(true);
    expect(SecretKey.fromHex('abcd').equals(SecretKey.fromHex('abce'))).toBe(false);
    expectRefused(() => SecretKey.fromHex('abc'), 'key');
    expectRefused(() => SecretKey.from('abcd' as never), 'key');
    const key = SecretKey.fromHex('abcd');
    expect(`${key}`).toBe('<hidden key>');
    expect(JSON.stringify({ key })).toBe('{"key":"<hidden key>"}');
    expect(inspect(key)).toBe('SecretKey <hidden, 2 bytes>');
  });
});
