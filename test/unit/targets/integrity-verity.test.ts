/**
 * integrity and verity: format/parse round trips on the kernel's canonical text (Linux 6.1 in the
 * VM, `dmsetup table --showkeys`), keys as SecretKeys hidden everywhere but the kernel text,
 * refusals naming the field, and the status parsers on lines the kernel printed (integrity after a
 * tag mismatch; verity before and after reading a corrupted block; captured by hand).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hideSecrets, integrity, SecretKey, verity, type IntegrityParams, type VerityParams } from '../../../lib/targets/index.js';
import { expectRefused } from './support.js';

const dev = (minor: number) => ({ major: 254, minor });
const HASH_KEY = '00112233445566778899aabbccddeeff';
const CRYPT_KEY = '000102030405060708090a0b0c0d0e0f';
const MAC_KEY = 'ffeeddccbbaa99887766554433221100';
// `dmsetup table --showkeys` of a J-mode device with all three keys.
const KEYED =
  `254:0 0 32 J 9 block_size:4096 journal_sectors:264 interleave_sectors:32768 buffer_sectors:128 journal_watermark:50 commit_time:10000 ` +
  `internal_hash:hmac(sha256):${HASH_KEY} journal_crypt:ctr(aes):${CRYPT_KEY} journal_mac:hmac(sha256):${MAC_KEY}`;

describe('integrity', () => {
  it.each<[string, IntegrityParams]>([
    [
      '254:0 0 32 J 6 journal_sectors:88 interleave_sectors:32768 buffer_sectors:128 journal_watermark:50 commit_time:10000 internal_hash:sha256',
      {
        device: dev(0),
        offset: 0,
        tagSize: 32,
        mode: 'J',
        options: { journalSectors: 88, interleaveSectors: 32768, bufferSectors: 128, journalWatermark: 50, commitTime: 10000, internalHash: 'sha256' },
      },
    ],
    [
      '254:7 0 32 B 7 meta_device:254:6 journal_sectors:88 interleave_sectors:1 buffer_sectors:128 sectors_per_bit:32768 bitmap_flush_interval:10000 internal_hash:crc32c',
      {
        device: dev(7),
        offset: 0,
        tagSize: 32,
        mode: 'B',
        options: { metaDevice: dev(6), journalSectors: 88, interleaveSectors: 1, bufferSectors: 128, sectorsPerBit: 32768, bitmapFlushInterval: 10000, internalHash: 'crc32c' },
      },
    ],
    [
      '254:0 0 32 J 9 recalculate allow_discards journal_sectors:88 interleave_sectors:32768 buffer_sectors:128 journal_watermark:50 commit_time:10000 fix_padding internal_hash:sha256',
      {
        device: dev(0),
        offset: 0,
        tagSize: 32,
        mode: 'J',
        options: { recalculate: true, allowDiscards: true, journalSectors: 88, interleaveSectors: 32768, bufferSectors: 128, journalWatermark: 50, commitTime: 10000, fixPadding: true, internalHash: 'sha256' },
      },
    ],
    ['/dev/loop0 8 - D 0', { device: '/dev/loop0', offset: 8, tagSize: '-', mode: 'D' }],
    ['7:0 0 4 R 2 block_size:512 reset_recalculate', { device: { major: 7, minor: 0 }, offset: 0, tagSize: 4, mode: 'R', options: { blockSize: 512, extra: ['reset_recalculate'] } }],
  ])('%s round-trips', (text, params) => {
    expect(integrity.parse(text)).toEqual(params);
    expect(integrity.format(params)).toBe(text);
  });

  it('reads keys into SecretKeys and writes them back', () => {
    const params = integrity.parse(KEYED);
    expect(params.options).toMatchObject({ internalHash: 'hmac(sha256)', journalCrypt: 'ctr(aes)', journalMac: 'hmac(sha256)' });
    expect(params.keys?.internalHash?.equals(SecretKey.fromHex(HASH_KEY))).toBe(true);
    expect(params.keys?.journalCrypt?.toKernelText()).toBe(CRYPT_KEY);
    expect(integrity.format(params)).toBe(KEYED);
    const target = integrity(params);
    expect(target.text()).toBe(KEYED);
    expect(target.toBuffer().toString()).toBe(KEYED);
  });

  it('hides keys as dmsetup table does (zeros), in toString, JSON and inspect', () => {
    // What `dmsetup table` (no --showkeys) printed for the same device.
    const shown = KEYED.replace(HASH_KEY, '0'.repeat(32)).replace(CRYPT_KEY, '0'.repeat(32)).replace(MAC_KEY, '0'.repeat(32));
    expect(integrity.hideSecrets!(KEYED)).toBe(shown);
    expect(hideSecrets('integrity', KEYED)).toBe(shown);
    const target = integrity(integrity.parse(KEYED));
    expect(String(target)).toBe(`integrity ${shown}`);
    for (const text of [JSON.stringify(target), inspect(target, { depth: 8 }), String(target)]) {
      for (const key of [HASH_KEY, CRYPT_KEY, MAC_KEY]) expect(text).not.toContain(key);
    }
    expect(integrity.hideSecrets!('7:0 0 4 J 1 internal_hash:crc32c')).toBe('7:0 0 4 J 1 internal_hash:crc32c');
    expect(JSON.parse(JSON.stringify(target)).params).toMatchObject({ options: { internalHash: 'hmac(sha256)' }, keys: { internalHash: '<hidden>', journalCrypt: '<hidden>', journalMac: '<hidden>' } });
  });

  it('building and showing a target never turns a key into a string', () => {
    const key = SecretKey.fromHex(HASH_KEY);
    let made = 0;
    key.toKernelText = () => {
      made++;
      return HASH_KEY;
    };
    const target = integrity({ device: '/dev/a', offset: 0, tagSize: 32, mode: 'J', options: { internalHash: 'hmac(sha256)' }, keys: { internalHash: key } });
    expect(String(target)).toBe(`integrity /dev/a 0 32 J 1 internal_hash:hmac(sha256):${'0'.repeat(32)}`);
    inspect(target);
    JSON.stringify(target);
    expect(made).toBe(0);
    expect(target.text()).toContain(HASH_KEY);
    expect(made).toBe(1);
  });

  it('refuses a disposed key, and a key without its algorithm', () => {
    const key = SecretKey.fromHex(HASH_KEY);
    key.dispose();
    expectRefused(() => integrity({ device: '/dev/a', offset: 0, tagSize: 32, mode: 'J', options: { internalHash: 'hmac(sha256)' }, keys: { internalHash: key } }), 'keys.internalHash');
    expectRefused(() => integrity({ device: '/dev/a', offset: 0, tagSize: 32, mode: 'J', keys: { journalMac: SecretKey.fromHex(MAC_KEY) } }), 'keys.journalMac');
  });

  const good: IntegrityParams = { device: '/dev/loop0', offset: 0, tagSize: 4, mode: 'J' };
  it.each<[unknown, string]>([
    [{ ...good, mode: 'X' }, 'mode'],
    [{ ...good, tagSize: 0 }, 'tagSize'],
    [{ ...good, offset: -1 }, 'offset'],
    [{ ...good, options: { blockSize: 1000 } }, 'options.blockSize'],
    [{ ...good, options: { journalSectors: -1 } }, 'options.journalSectors'],
    [{ ...good, options: { metaDevice: '' } }, 'options.metaDevice'],
    [{ ...good, options: { internalHash: 'a:b' } }, 'options.internalHash'],
    [{ ...good, options: { internalHash: 'hmac(sha256)' }, keys: { internalHash: HASH_KEY } }, 'keys.internalHash'],
    [{ ...good, options: { journalMac: 'hmac(sha256)' }, keys: { journalMac: SecretKey.empty() } }, 'keys.journalMac'],
    [{ ...good, options: { journalMac: 'hmac(sha256)' }, keys: { other: SecretKey.fromHex(MAC_KEY) } }, 'keys.other'],
  ])('format refuses %o naming %s', (params, field) => {
    expectRefused(() => integrity(params as IntegrityParams), `integrity: ${field}`);
  });

  it.each([
    ['7:0 0 x J 0', 'tagSize'],
    ['7:0 0 4 Q 0', 'mode'],
    ['7:0 0 4 J 1 journal_sectors:x', 'options.journalSectors'],
    ['7:0 0 4 J 1 internal_hash:hmac(sha256):xyz', 'keys.internalHash'],
    ['7:0 0 4 J 2 internal_hash:sha256', 'options'],
  ])('parse refuses %j naming %s', (text, field) => {
    expectRefused(() => integrity.parse(text), `integrity: ${field}`);
  });

  it('reads the kernel status: fresh, after a tag mismatch, while recalculating', () => {
    expect(integrity.parseStatus!('0 14240 -')).toEqual({ type: 'integrity', state: 'ok', mismatches: 0, providedDataSectors: 14240, recalculatedSector: undefined, extra: [] });
    expect(integrity.parseStatus!('1 15944 -')).toMatchObject({ mismatches: 1 });
    expect(integrity.parseStatus!('0 14240 14240')).toMatchObject({ recalculatedSector: 14240 });
    expect(integrity.parseStatus!('0')).toMatchObject({ state: 'unknown', raw: '0' });
  });
});

describe('verity', () => {
  const root = 'a6608b270b70dbb8125a598576d3ec3f7cd4332151d98cff0ca7305ff17d19c0';
  const base: VerityParams = { version: 1, data: dev(0), hash: dev(1), dataBlockSize: 4096, hashBlockSize: 4096, dataBlocks: 8, hashStart: 0, algorithm: 'sha256', rootDigest: root, salt: '0011223344556677' };
  const text = `1 254:0 254:1 4096 4096 8 0 sha256 ${root} 0011223344556677`;

  it.each<[string, VerityParams]>([
    [text, base],
    [`${text} 4 ignore_corruption ignore_zero_blocks check_at_most_once try_verify_in_tasklet`, { ...base, options: { onCorruption: 'ignore', ignoreZeroBlocks: true, checkAtMostOnce: true, tryVerifyInTasklet: true } }],
    [`1 254:0 254:1 4096 4096 8 0 sha256 ${root} -`, { ...base, salt: '' }],
    [
      `${text} 11 restart_on_corruption use_fec_from_device 7:3 fec_roots 2 fec_blocks 9 fec_start 1 root_hash_sig_key_desc sig`,
      { ...base, options: { onCorruption: 'restart', fec: { device: { major: 7, minor: 3 }, roots: 2, blocks: 9, start: 1 }, rootHashSigKeyDesc: 'sig' } },
    ],
  ])('%s round-trips', (line, params) => {
    expect(verity.parse(line)).toEqual(params);
    expect(verity.format(params)).toBe(line);
  });

  it.each<[unknown, string]>([
    [{ ...base, version: 2 }, 'version'],
    [{ ...base, dataBlockSize: 3000 }, 'dataBlockSize'],
    [{ ...base, hashBlockSize: 256 }, 'hashBlockSize'],
    [{ ...base, rootDigest: 'xyz' }, 'rootDigest'],
    [{ ...base, salt: 'abc' }, 'salt'],
    [{ ...base, algorithm: '' }, 'algorithm'],
    [{ ...base, options: { onCorruption: 'shrug' } }, 'options.onCorruption'],
    [{ ...base, options: { fec: { device: '/dev/a', roots: 30, blocks: 1, start: 0 } } }, 'options.fec.roots'],
  ])('format refuses %o naming %s', (params, field) => {
    expectRefused(() => verity(params as VerityParams), `verity: ${field}`);
  });

  it.each([
    ['2 7:0 7:1 4096 4096 8 0 sha256 00 -', 'version'],
    [`1 7:0 7:1 4096 4096 8 0 sha256 ${root}`, 'salt'],
    ['1 7:0 7:1 4096 4096 8 0 sha256 zz -', 'rootDigest'],
    [`${text} 1 frob`, 'options'],
    [`${text} 2 fec_roots 2`, 'options.fec.device'],
  ])('parse refuses %j naming %s', (line, field) => {
    expectRefused(() => verity.parse(line), `verity: ${field}`);
  });

  it('reads the kernel status: valid, corrupted (6.1 without FEC prints one word), with FEC', () => {
    expect(verity.parseStatus!('V')).toEqual({ type: 'verity', state: 'ok', valid: true, fecCorrected: undefined, extra: [] });
    expect(verity.parseStatus!('C')).toMatchObject({ valid: false });
    expect(verity.parseStatus!('V 3')).toMatchObject({ fecCorrected: 3 });
    expect(verity.parseStatus!('V -')).toMatchObject({ fecCorrected: undefined });
    expect(verity.parseStatus!('?')).toMatchObject({ state: 'unknown', raw: '?' });
  });
});
