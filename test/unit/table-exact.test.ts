/**
 * Sector counts past 2^53 and NUL bytes in table text: never rounded, never cut. Table rows carry
 * numbers, so a count past Number.MAX_SAFE_INTEGER is refused naming it exactly as written or as
 * the kernel sent it (dmsetup prints 9007199254740993; a rounded 9007199254740992 would be a
 * silently wrong size), by the text parser, the builders and the reply decoder; a NUL byte in a
 * table line (which dmsetup's C strings would silently cut at) is refused naming the line.
 */
import { describe, expect, it } from 'vitest';
import { caught } from '../helpers/dm-error.js';
import { DeviceMapper, DmError, parseTable, row, TableSyntaxError, zero } from '../../lib/index.js';
import { DmTargetSpecLayout as SPEC, DmIoctlLayout as H } from '../../native-defs/index.js';
import { answer, ScriptedTransport } from '../helpers/scripted-transport.js';

describe('sector counts past 2^53', () => {
  it('parseTable refuses them naming the number as written', () => {
    for (const [text, number] of [
      ['0 9007199254740993 zero', '9007199254740993'],
      ['0 18446744073709551615 zero', '18446744073709551615'],
      ['0 8 zero\n8 9007199254740992 zero', '9007199254740992'],
      ['9007199254740993 8 zero', '9007199254740993'],
    ] as const) {
      const error = caught(() => parseTable(text, 'in.txt'));
      expect(error).toBeInstanceOf(TableSyntaxError);
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toContain(` ${number} `);
      expect(error.message).toContain('table in.txt');
      expect(error.message).toContain('2^53');
    }
    expect(parseTable('0 9007199254740991 zero')).toEqual([{ start: 0, length: 9007199254740991, type: 'zero', params: '' }]);
  });

  it('the row builder refuses a bigint past 2^53 naming it exactly', () => {
    const error = caught(() => row(0, 2n ** 53n + 1n, zero()));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain('9007199254740993');
    expect(row(0, 2n ** 53n - 1n, zero()).length).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("a kernel reply row past 2^53 is refused with EOVERFLOW naming it, not rounded", () => {
    const huge = (length: bigint) => new ScriptedTransport([
      (request, buffer) => {
        const status = answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }])(request, buffer);
        buffer.writeBigUInt64LE(length, H.size + SPEC.length);
        return status;
      },
    ]);
    using dm = DeviceMapper.open({ transport: huge(9007199254740993n), nodes: false });
    const error = caught(() => dm.table({ name: 'big' }));
    expect(error.kind).toBe('unsupported');
    expect(error.code).toBe('EOVERFLOW');
    expect(error.message).toContain('9007199254740993 sectors');
    using exact = DeviceMapper.open({ transport: huge(9007199254740991n), nodes: false });
    expect(exact.table({ name: 'big' }).rows[0]!.length).toBe(9007199254740991);
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
