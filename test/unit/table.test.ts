/**
 * Table text and rows: parseTable follows dmsetup's `_parse_line` (trim with C isspace, skip empty
 * and `#` lines, `sscanf("%llu %llu %s %n")`, params cut at the first `#`), formatRow/formatTable
 * print what `dmsetup table` prints, validateTable refuses what the kernel would refuse.
 */
import { describe, expect, it } from 'vitest';
import { DmError } from '../../lib/errors.js';
import {
  encodeTable,
  escapeParamsForKernel,
  formatRow,
  formatTable,
  parseTable,
  TableSyntaxError,
  validateTable,
  type TableRow,
} from '../../lib/table/table.js';

const row = (start: number, length: number, type: string, params = ''): TableRow => ({ start, length, type, params });

/** The error parseTable throws for `text`. */
function syntaxError(text: string, source?: string): TableSyntaxError {
  try {
    parseTable(text, source);
  } catch (error) {
    if (error instanceof TableSyntaxError) return error;
    throw error;
  }
  throw new Error(`parseTable accepted ${JSON.stringify(text)}`);
}

describe('parseTable: what dmsetup accepts', () => {
  it('one line: start, length, type, params', () => {
    expect(parseTable('0 2048 linear /dev/loop0 0')).toEqual([row(0, 2048, 'linear', '/dev/loop0 0')]);
  });

  it('leading and trailing white space of a line is ignored; white space inside params is kept', () => {
    expect(parseTable(' \t 0   100\tzero \t ')).toEqual([row(0, 100, 'zero')]);
    expect(parseTable('0 100 striped 2  8\t7:0 0 7:16 0  ')).toEqual([row(0, 100, 'striped', '2  8\t7:0 0 7:16 0')]);
  });

  it('empty lines and lines starting with # (after white space) are skipped', () => {
    const text = '# a comment\n\n   \n0 100 zero\n   # indented comment\n100 100 error\n';
    expect(parseTable(text)).toEqual([row(0, 100, 'zero'), row(100, 100, 'error')]);
    expect(parseTable('')).toEqual([]);
    expect(parseTable('# nothing but\n\n# comments\n')).toEqual([]);
  });

  it('params are cut at the first #, keeping the white space before it', () => {
    expect(parseTable('0 100 linear 7:0 0 # c')).toEqual([row(0, 100, 'linear', '7:0 0 ')]);
    expect(parseTable('0 100 linear 7:0 0#c # d')).toEqual([row(0, 100, 'linear', '7:0 0')]);
    expect(parseTable('0 100 zero # only a comment')).toEqual([row(0, 100, 'zero', '')]);
  });

  it('a # inside the type is part of the type (sscanf %s stops only at white space)', () => {
    expect(parseTable('0 100 li#near x')).toEqual([row(0, 100, 'li#near', 'x')]);
  });

  it('several lines, with or without a final newline, and CRLF line ends', () => {
    const rows = [row(0, 100, 'zero'), row(100, 50, 'linear', '7:0 0')];
    expect(parseTable('0 100 zero\n100 50 linear 7:0 0\n')).toEqual(rows);
    expect(parseTable('0 100 zero\n100 50 linear 7:0 0')).toEqual(rows);
    expect(parseTable('0 100 zero\r\n100 50 linear 7:0 0\r\n')).toEqual(rows);
  });

  it('like sscanf: no white space is needed before the type, and a + sign is allowed', () => {
    expect(parseTable('0 100linear 7:0 0')).toEqual([row(0, 100, 'linear', '7:0 0')]);
    expect(parseTable('+0 +100 zero')).toEqual([row(0, 100, 'zero')]);
  });

  it('only C white space separates fields: a no-break space is part of a word', () => {
    expect(parseTable('0 100 zero\u00a0x')).toEqual([row(0, 100, 'zero\u00a0x')]);
    expect(parseTable('0 100 linear 7:0 0\u00a0')).toEqual([row(0, 100, 'linear', '7:0 0\u00a0')]);
    expect(parseTable('0\v100\fzero')).toEqual([row(0, 100, 'zero')]);
  });
});

describe('parseTable: what dmsetup refuses, with its message', () => {
  it('names the source as dmsetup does: a file path, "on stdin", or nothing for --table', () => {
    expect(syntaxError('0 100\n', '/etc/dm/vol1.table').message).toBe('Invalid format on line 1 of table /etc/dm/vol1.table.');
    expect(syntaxError('0 100\n', 'on stdin').message).toBe('Invalid format on line 1 of table on stdin.');
    expect(syntaxError('0 100').message).toBe('Invalid format on line 1 of table .');
  });

  it('counts every line, skipped ones included, and carries line, source and EINVAL', () => {
    const error = syntaxError('# comment\n\n0 100 zero\nbad line\n', '/t');
    expect(error.message).toBe('Invalid format on line 4 of table /t.');
    expect(error).toBeInstanceOf(DmError);
    expect(error).toMatchObject({ line: 4, source: '/t', code: 'EINVAL', kind: 'invalid-argument' });
  });

  it.each([
    ['0 100', 'two fields'],
    ['0 100   ', 'two fields and trailing white space'],
    ['0', 'one field'],
    ['x 100 linear', 'a start that is not a number'],
    ['0 y linear', 'a length that is not a number'],
    ['0x10 100 zero', 'hexadecimal (strtoull base 10 stops at the x)'],
    ['10abc 100 zero', 'digits then letters'],
    ['0100 zero', 'a number run into the next one'],
    ['-x 100 zero', 'a sign without digits'],
  ])('%j (%s)', (line) => {
    expect(syntaxError(`0 8 zero\n${line}\n`).message).toBe('Invalid format on line 2 of table .');
  });
});

describe('formatRow / formatTable', () => {
  it('prints "<start> <length> <type> <params>", with a trailing space when params are empty', () => {
    expect(formatRow(row(0, 2048, 'linear', '/dev/loop0 0'))).toBe('0 2048 linear /dev/loop0 0');
    expect(formatRow(row(0, 100, 'zero'))).toBe('0 100 zero ');
  });

  it('one row a line, each ending in a newline; no rows, no text', () => {
    expect(formatTable([row(0, 100, 'zero'), row(100, 8, 'linear', '7:0 0')])).toBe('0 100 zero \n100 8 linear 7:0 0\n');
    expect(formatTable([])).toBe('');
  });

  it('parseTable reads back what formatTable prints', () => {
    const rows = [row(0, 100, 'zero'), row(100, 2048, 'striped', '2 8 7:0 0 7:16 0'), row(2148, 1, 'error')];
    expect(parseTable(formatTable(rows))).toEqual(rows);
  });
});

describe('validateTable', () => {
  function refusal(rows: readonly TableRow[]): string {
    try {
      validateTable(rows);
    } catch (error) {
      expect(error).toBeInstanceOf(DmError);
      expect(error).toMatchObject({ code: 'EINVAL', kind: 'invalid-argument' });
      return (error as Error).message;
    }
    throw new Error('validateTable accepted the rows');
  }

  it('accepts contiguous rows from sector 0', () => {
    expect(() => validateTable([row(0, 100, 'zero'), row(100, 8, 'linear', '7:0 0'), row(108, 1, 'error')])).not.toThrow();
  });

  it('an empty table', () => {
    expect(refusal([])).toBe('A table needs at least one row');
  });

  it('a table that does not start at sector 0', () => {
    expect(refusal([row(5, 100, 'zero')])).toBe(
      'Table row 1 starts at sector 5, but a table starts at sector 0: rows must follow each other without gaps or overlaps',
    );
  });

  it('a gap and an overlap between rows', () => {
    expect(refusal([row(0, 100, 'zero'), row(200, 8, 'zero')])).toBe(
      'Table row 2 starts at sector 200, but the row before ends at sector 100: rows must follow each other without gaps or overlaps',
    );
    expect(refusal([row(0, 100, 'zero'), row(50, 8, 'zero')])).toBe(
      'Table row 2 starts at sector 50, but the row before ends at sector 100: rows must follow each other without gaps or overlaps',
    );
  });

  it('a zero length', () => {
    expect(refusal([row(0, 0, 'zero')])).toBe('Table row 1: length must not be 0');
  });

  it('start or length that is not a whole, non-negative, safe number', () => {
    expect(refusal([row(1.5, 100, 'zero')])).toBe('Table row 1: start must be a whole number of sectors, not 1.5');
    expect(refusal([row(0, -8, 'zero')])).toBe('Table row 1: length must be a whole number of sectors, not -8');
    expect(refusal([row(0, Number.NaN, 'zero')])).toBe('Table row 1: length must be a whole number of sectors, not NaN');
    expect(refusal([row(0, 2 ** 53, 'zero')])).toBe('Table row 1: length must be a whole number of sectors, not 9007199254740992');
    // What parseTable makes of "-1": refused here rather than wrapped to 2^64 - 1 as strtoull would.
    expect(refusal(parseTable('-1 100 zero'))).toBe('Table row 1: start must be a whole number of sectors, not -1');
  });

  it('a type name of 16 or more bytes gets libdevmapper’s exact message; 15 is fine', () => {
    expect(refusal([row(0, 8, 'a'.repeat(16))])).toBe(`Target type name ${'a'.repeat(16)} is too long.`);
    expect(refusal([row(0, 8, 'thin-pool-abcdef')])).toBe('Target type name thin-pool-abcdef is too long.');
    expect(() => validateTable([row(0, 8, 'a'.repeat(15))])).not.toThrow();
  });

  it('a type that is empty or not one word', () => {
    expect(refusal([row(0, 8, '')])).toBe('Table row 1: the target type "" must be one word');
    expect(refusal([row(0, 8, 'lin ear')])).toBe('Table row 1: the target type "lin ear" must be one word');
  });

  it('a NUL in params (the kernel would cut them there)', () => {
    expect(refusal([row(0, 8, 'linear', '7:0\u00000')])).toBe('Table row 1: params must be a string without NUL characters');
  });
});

describe('escapeParamsForKernel / encodeTable', () => {
  it('doubles every backslash, as libdevmapper does, and leaves everything else alone', () => {
    expect(escapeParamsForKernel('a\\b')).toBe('a\\\\b');
    expect(escapeParamsForKernel('\\\\')).toBe('\\\\\\\\');
    expect(escapeParamsForKernel('7:0 0 # "quoted"')).toBe('7:0 0 # "quoted"');
    expect(escapeParamsForKernel('')).toBe('');
  });

  it('encodeTable escapes the params of each row and keeps the rest', () => {
    expect(encodeTable([row(0, 8, 'crypt', 'aes key\\x 0 7:0 0')])).toEqual([
      { start: 0, length: 8, type: 'crypt', params: 'aes key\\\\x 0 7:0 0' },
    ]);
  });
});

describe('parseTable: dmsetup order of errors, and linear time', () => {
  it('a type of 16 bytes or more fails at its line, before a later bad line, with dmsetup\'s message', () => {
    const long = 'a'.repeat(16);
    const error = syntaxError(`0 8 zero\n8 8 ${long} x\nbad\n`, '/t');
    expect(error.message).toBe(`Target type name ${long} is too long.`);
    expect(error).toMatchObject({ line: 2, source: '/t', code: 'EINVAL', kind: 'invalid-argument' });
    expect(syntaxError(`bad\n0 8 ${long}\n`).message).toBe('Invalid format on line 1 of table .');
    expect(parseTable(`0 8 ${'a'.repeat(15)}`)).toEqual([row(0, 8, 'a'.repeat(15))]);
  });

  it.each([
    ['a line of 1 MB of spaces', ' '.repeat(1 << 20)],
    ['1 MB of spaces inside params', `0 8 linear 7:0${' '.repeat(1 << 20)}0 x`],
    ['1 MB of spaces after two numbers', `0 8${' '.repeat(1 << 20)}`],
    ['1 MB of spaces between the numbers', `0${' '.repeat(1 << 20)}8 zero`],
    ['1 MB of tabs and a word', `${'\t'.repeat(1 << 20)}x`],
  ])('%s parses in well under a second', (_what, text) => {
    const started = performance.now();
    try {
      parseTable(text);
    } catch (error) {
      if (!(error instanceof TableSyntaxError)) throw error;
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
