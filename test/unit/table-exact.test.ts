/**
 * Sector counts past 2^53 and NUL bytes in table text: never rounded, never cut. A count past
 * Number.MAX_SAFE_INTEGER is carried as a bigint, exactly as written or as the kernel sent it
 * (dmsetup prints 9007199254740993; a rounded 9007199254740992 would be a silently wrong size), by
 * the text parser, the builders, the codec and the reply decoder; past the kernel's u64 it is
 * refused naming it. A NUL byte in a table line (which dmsetup's C strings would silently cut at)
 * is refused naming the line.
 */
import { describe, expect, it } from 'vitest';
import { caught } from '../helpers/dm-error.js';
import { DeviceMapper, formatTable, parseTable, row, table, tableSizeBig, TableSyntaxError, validateTable, zero } from '../../lib/index.js';
import { DmTargetSpecLayout as SPEC, DmIoctlLayout as H } from '../../native-defs/index.js';
import { answer, ScriptedTransport } from '../helpers/scripted-transport.js';

const PAST_2_53 = 9007199254740993n;

describe('sector counts past 2^53', () => {
  it('parseTable carries them as bigints, exactly as written, and formats them back', () => {
    const rows = parseTable('0 9007199254740993 zero\n9007199254740993 18446744073709541615 error', 'in.txt');
    expect(rows).toEqual([
      { start: 0, length: PAST_2_53, type: 'zero', params: '' },
      { start: PAST_2_53, length: 18446744073709541615n, type: 'error', params: '' },
    ]);
    expect(() => validateTable(rows)).not.toThrow();
    expect(formatTable(rows)).toBe('0 9007199254740993 zero \n9007199254740993 18446744073709541615 error \n');
    expect(tableSizeBig(rows)).toBe(PAST_2_53 + 18446744073709541615n);
    expect(parseTable('0 9007199254740991 zero')).toEqual([{ start: 0, length: 9007199254740991, type: 'zero', params: '' }]);
  });

  it('parseTable refuses a count past 2^64-1 naming it as written', () => {
    const error = caught(() => parseTable('0 8 zero\n8 18446744073709551616 zero', 'in.txt'));
    expect(error).toBeInstanceOf(TableSyntaxError);
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toBe('The length 18446744073709551616 on line 2 of table in.txt is past 2^64-1 (18446744073709551615), the largest sector count the kernel takes.');
  });

  it('the row builders keep a bigint past 2^53 and give a number below it', () => {
    expect(row(0, PAST_2_53, zero()).length).toBe(PAST_2_53);
    expect(row(0, 2n ** 53n - 1n, zero()).length).toBe(Number.MAX_SAFE_INTEGER);
    expect(table([{ length: PAST_2_53, target: zero() }, { length: 8, target: zero() }]).map((r) => r.start)).toEqual([0, PAST_2_53]);
    expect(caught(() => row(0, 2 ** 53 + 2, zero())).kind).toBe('invalid-argument');
  });

  it('the codec sends a bigint exactly, and a kernel reply row past 2^53 comes back as one', () => {
    const sent: bigint[] = [];
    const huge = (length: bigint) => new ScriptedTransport([
      (request, buffer) => {
        const status = answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }])(request, buffer);
        buffer.writeBigUInt64LE(length, H.size + SPEC.length);
        return status;
      },
    ]);
    using dm = DeviceMapper.open({ transport: huge(PAST_2_53), nodes: false });
    expect(dm.table({ name: 'big' }).rows[0]!.length).toBe(PAST_2_53);
    using exact = DeviceMapper.open({ transport: huge(9007199254740991n), nodes: false });
    expect(exact.table({ name: 'big' }).rows[0]!.length).toBe(9007199254740991);
    const record = (request: { command: string }, buffer: Buffer): number => {
      if (request.command === 'TABLE_LOAD') sent.push(buffer.readBigUInt64LE(H.size + SPEC.length));
      return answer.ok()(request as never, buffer);
    };
    const capture = new ScriptedTransport([record, record, record]);
    using loader = DeviceMapper.open({ transport: capture, nodes: false });
    loader.load({ name: 'big' }, [{ start: 0, length: PAST_2_53, type: 'zero', params: '' }]);
    expect(sent).toEqual([PAST_2_53]);
  });
});

describe('a NUL byte in table text', () => {
  it('is refused naming the line, wherever it is', () => {
    for (const [text, line] of [['0 8 zero\0x', 1], ['0 8 zero\n8 8 linear /dev/lo\0op0 0\n', 2], ['# c\0mment\n0 8 zero', 1]] as const) {
      const error = caught(() => parseTable(text, 'on stdin'));
      expect(error).toBeInstanceOf(TableSyntaxError);
      expect(error.message).toBe(`Invalid format on line ${line} of table on stdin: it contains a NUL byte.`);
      expect((error as TableSyntaxError).line).toBe(line);
    }
  });
});
