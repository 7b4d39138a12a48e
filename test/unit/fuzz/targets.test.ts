/**
 * Fuzzing every target type's parse and parseStatus with real table and status lines (as the
 * kernel prints them) mutated: characters inserted, deleted, repeated and replaced, words
 * swapped for numbers out of range. Property: parse returns params or throws DmError; a status
 * parser returns a value or throws DmError; nothing else, and nothing slow.
 */
import { describe, expect, it } from 'vitest';
import { DmError } from '../../../lib/errors.js';
import { allTargetTypes } from '../../../lib/targets/index.js';
import { int, mutateText, ODD, pick, rng, ROUNDS, Tally } from './support.js';

/** Table params and status lines per type, from the kernel's output (Documentation/admin-guide/device-mapper). */
const LINES: Record<string, { table: string[]; status?: string[] }> = {
  linear: { table: ['7:0 0', '/dev/loop0 2048'] },
  striped: { table: ['2 128 7:0 0 7:1 0'], status: ['2 7:0 7:1 1 AA'] },
  zero: { table: [''] },
  error: { table: [''] },
  crypt: { table: ['aes-xts-plain64 0000000000000000000000000000000000000000000000000000000000000000 0 7:0 0 2 allow_discards sector_size:4096', 'aes-cbc-essiv:sha256 :32:logon:key 0 7:0 0'] },
  'snapshot-origin': { table: ['7:0'] },
  snapshot: { table: ['7:0 7:1 P 8', '7:0 7:1 N 16', '7:0 7:1 PO 8'], status: ['16/2048 16', 'Invalid', 'Overflow', 'Merge failed'] },
  'snapshot-merge': { table: ['7:0 7:1 P 8'], status: ['16/2048 16'] },
  'thin-pool': { table: ['7:0 7:1 128 0 1 skip_block_zeroing', '7:0 7:1 128 32768 0'], status: ['1 11/4096 0/16384 - rw discard_passdown queue_if_no_space - 1024', 'Fail', 'Error', '0 21/4096 7/16384 - ro no_discard_passdown error_if_no_space needs_check 1024'] },
  thin: { table: ['7:0 1', '7:0 2 7:3'], status: ['0 -', '1024 1023', 'Fail'] },
  cache: { table: ['7:0 7:1 7:2 64 1 writeback smq 0', '7:0 7:1 7:2 512 2 metadata2 writethrough smq 2 migration_threshold 2048'], status: ['8 25/4096 64 0/1024 0 0 0 0 0 0 0 1 writeback 2 migration_threshold 2048 smq 0 rw -', 'Fail'] },
  writecache: { table: ['s 7:0 7:1 4096 0', 'p 7:0 7:1 4096 4 high_watermark 50 low_watermark 45'], status: ['0 1024 1024 0', 'Error'] },
  mirror: { table: ['core 1 1024 2 7:0 0 7:1 0 1 handle_errors', 'disk 2 7:2 1024 2 7:0 0 7:1 0'], status: ['2 7:0 7:1 2048/2048 1 AA 1 core', '2 7:0 7:1 12/2048 1 AD 3 disk 7:2 A'] },
  raid: { table: ['raid1 3 0 region_size 1024 2 - 7:0 - 7:1', 'raid5_ls 1 128 3 7:0 7:1 7:2 7:3 7:4 7:5'], status: ['raid1 2 AA 2048/2048 idle 0 0 -', 'raid5_ls 3 aaA 0/2048 recover 0 0 -'] },
  multipath: { table: ['0 0 1 1 service-time 0 2 2 7:0 1 1 7:1 1 1', '1 queue_if_no_path 1 alua 2 1 round-robin 0 1 1 7:0 1000 round-robin 0 1 1 7:1 1000'], status: ['2 0 0 0 1 1 A 0 2 2 7:0 A 0 0 1 7:1 A 0 0 1', '0 0 1 1 E 0 1 0 7:0 F 1'] },
  delay: { table: ['7:0 0 500', '7:0 0 0 7:1 0 100'], status: ['0 0'] },
  flakey: { table: ['7:0 0 1 1', '7:0 0 10 5 2 drop_writes error_writes'] },
  dust: { table: ['7:0 0 512'], status: ['7:0 pass verbose', '7:0 fail quiet'] },
  integrity: { table: ['7:0 0 32 J 2 journal_sectors:1024 internal_hash:crc32c', '7:0 0 - D 0'], status: ['0 2048 -', '3 2048 1024'] },
  verity: { table: ['1 7:0 7:1 4096 4096 256 1 sha256 0000 0011 1 ignore_corruption'], status: ['V', 'C', 'V -'] },
  era: { table: ['7:0 7:1 4096'], status: ['8 25/4096 1 -', 'Fail'] },
  unstriped: { table: ['2 128 0 7:0 0'] },
  switch: { table: ['2 128 0 7:0 0 7:1 0'] },
  'log-writes': { table: ['7:0 7:1'], status: ['10 1 0'] },
};

const ALPHABET = [...ODD, '0', '1', '9', '-1', '18446744073709551616', '4294967296', '7:', ':0', '7:0', 'x', ' 1 ', ' 0 ', '2', '/dev/', '/', 'A', 'D', 'N'];
const onlyDmError = (error: unknown): boolean => error instanceof DmError;

describe('fuzz: target parsers with mutated real lines', () => {
  it('has real lines for every registered target type', () => {
    expect(Object.keys(LINES).sort()).toEqual(allTargetTypes().map((kind) => kind.type).sort());
  });

  it('parse and parseStatus return a value or throw DmError', () => {
    const tally = new Tally('target parsers');
    const next = rng(0x7a6e7);
    const kinds = allTargetTypes();
    for (let round = 0; round < ROUNDS; round++) {
      const kind = pick(next, kinds);
      const lines = LINES[kind.type]!;
      const table = next() < 0.9 ? mutateText(next, pick(next, lines.table), ALPHABET) : pick(next, lines.table).repeat(1 + int(next, 50));
      tally.run(() => kind.parse(table), onlyDmError, () => `${kind.type}.parse(${JSON.stringify(table)})`);
      if (kind.parseStatus && lines.status) {
        const status = mutateText(next, pick(next, lines.status), ALPHABET);
        tally.run(() => kind.parseStatus!(status), onlyDmError, () => `${kind.type}.parseStatus(${JSON.stringify(status)})`);
      }
    }
    tally.report();
  });
});
