/**
 * Group-B targets under junk: seeded random word soups (counts, huge numbers, `-`, devices and each
 * target's own keywords) given to parse, parseStatus and format. Only DmError may come out of parse
 * and format, parseStatus never throws (it keeps what it cannot read raw), and time stays linear:
 * a 1 MB run of white space, or a count of 2^32-1 with nothing behind it, is quick.
 */
import { describe, expect, it } from 'vitest';
import { DmError } from '../../../lib/errors.js';
import * as t from '../../../lib/targets/index.js';

const KINDS: t.TargetType<unknown, unknown>[] = [t.mirror, t.raid, t.multipath, t.delay, t.flakey, t.dust, t.integrity, t.verity, t.era, t.unstriped, t.switchTarget, t.logWrites] as never;
const VOCABULARY = [
  '0', '1', '2', '3', '8', '64', '4096', '4294967295', '18446744073709551616', '-1', '-', '7:0', '254:1', '/dev/loop0', 'A', 'AD', 'a-', 'D', 'E', 'F', 'V', 'C',
  '16/16', '1/x', 'core', 'disk', 'sync', 'nosync', 'handle_errors', 'raid1', 'region_size', 'rebuild', 'delta_disks', 'journal_dev', 'round-robin',
  'queue_mode', 'bio', 'queue_if_no_path', 'drop_writes', 'corrupt_bio_byte', 'r', 'J', 'internal_hash:hmac(sha256):00ff', 'journal_crypt:', 'meta_device:7:0',
  'sha256', 'use_fec_from_device', 'fec_roots', 'idle', 'bypass', 'quiet', ':', '',
];

/** A small seeded generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function soup(next: () => number): string {
  const count = Math.floor(next() * 24);
  return Array.from({ length: count }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]).join(next() < 0.1 ? '  \t' : ' ');
}

function onlyDmError(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(DmError);
  }
}

describe.each(KINDS.map((kind) => [kind.type, kind] as const))('%s under junk', (type, kind) => {
  it('parse throws only DmError, parseStatus never throws, format refuses junk params with DmError', () => {
    const next = random(0x5eed ^ type.length);
    for (let round = 0; round < 1000; round++) {
      const text = soup(next);
      onlyDmError(() => kind.parse(text));
      if (kind.parseStatus) expect((kind.parseStatus(text) as { type: string }).type).toBe(type);
    }
    for (const junk of [{}, { device: 5 }, { legs: 'x' }, { devices: [null] }, { groups: [{}] }, { read: 1 }, { options: 3 }, { log: null }, { paths: [7] }]) {
      expect(() => kind.format(junk)).toThrow(DmError);
    }
  });

  it('stays linear: 1 MB of white space, a huge count with nothing behind it', () => {
    const spaces = ' '.repeat(1 << 20);
    const started = performance.now();
    onlyDmError(() => kind.parse(`0${spaces}1${spaces}x`));
    onlyDmError(() => kind.parse('4294967295 4294967295 4294967295 4294967295 4294967295 4294967295'));
    if (kind.parseStatus) {
      kind.parseStatus(`2${spaces}1 0 0 4294967295 1 E`);
      kind.parseStatus('2 0 0 0 4294967295 1 E 0 4294967295 4294967295');
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
