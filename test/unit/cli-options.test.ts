/**
 * tsdmsetup's command line: glibc getopt_long's rules and messages, dmsetup's option checks, the
 * `-o` words of deps/ls, and C's number parsing. Expected texts are dmsetup 1.02.185's, captured
 * from the real binary (`dmsetup --no version`, `dmsetup -M 9 info`, …).
 */
import { describe, expect, it } from 'vitest';
import { atoi, strtol, strtoull } from '../../cli/c-numbers.js';
import { getoptLong, GetoptError, type LongOption } from '../../cli/getopt.js';
import { CommandLineError, LONG_OPTIONS, parseCommandLine, parseDevNameOptions, SHORT_OPTIONS } from '../../cli/options.js';

const LONGS: LongOption[] = [
  { name: 'table', hasArg: true },
  { name: 'target', hasArg: true },
  { name: 'tree', hasArg: false },
  { name: 'noflush', hasArg: false },
  { name: 'noheadings', hasArg: false },
];

function getopt(argv: string[]) {
  return getoptLong('prog', argv, 'cj:m:v', LONGS);
}

function refusal(argv: string[]): string {
  try {
    parseCommandLine('dmsetup', argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CommandLineError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('getoptLong', () => {
  it('permutes: options anywhere, operands kept in order, -- ends the options', () => {
    const result = getopt(['info', '-c', 'a', '--tree', 'b', '--', '-v', 'c']);
    expect(result.operands).toEqual(['info', 'a', 'b', '-v', 'c']);
    expect(result.options).toEqual([{ key: 'c' }, { key: 'tree' }]);
  });

  it('reads values attached, separate, with = and abbreviated long names', () => {
    const result = getopt(['-j254', '-m', '0', '--tab=0 8 zero', '--tar', 'zero', '-cv']);
    expect(result.options).toEqual([
      { key: 'j', value: '254' },
      { key: 'm', value: '0' },
      { key: 'table', value: '0 8 zero' },
      { key: 'target', value: 'zero' },
      { key: 'c' },
      { key: 'v' },
    ]);
  });

  it('takes the next word as a value even when it starts with -', () => {
    expect(getopt(['-j', '-5']).options).toEqual([{ key: 'j', value: '-5' }]);
  });

  it('keeps - alone as an operand', () => {
    expect(getopt(['-', 'x']).operands).toEqual(['-', 'x']);
  });

  it.each([
    [['-x'], "prog: invalid option -- 'x'"],
    [['-cxv'], "prog: invalid option -- 'x'"],
    [['-j'], "prog: option requires an argument -- 'j'"],
    [['-cj'], "prog: option requires an argument -- 'j'"],
    [['--bogus'], "prog: unrecognized option '--bogus'"],
    [['--bog=x'], "prog: unrecognized option '--bog=x'"],
    [['--tab'], "prog: option '--table' requires an argument"],
    [['--nohead=1'], "prog: option '--noheadings' doesn't allow an argument"],
    [['--t'], "prog: option '--t' is ambiguous; possibilities: '--table' '--target' '--tree'"],
    [['--no=x'], "prog: option '--no=x' is ambiguous; possibilities: '--noflush' '--noheadings'"],
  ])('refuses %j with glibc\'s words', (argv, message) => {
    expect(() => getopt(argv)).toThrow(new GetoptError(message));
  });

  it('lets the visitor refuse a value where the option stands', () => {
    const seen: string[] = [];
    expect(() =>
      getoptLong('prog', ['-c', '-j', 'bad', '--bogus'], 'cj:', LONGS, (option) => {
        seen.push(option.key);
        if (option.value === 'bad') throw new Error('bad value');
      }),
    ).toThrow('bad value');
    expect(seen).toEqual(['c', 'j']);
  });
});

describe('parseCommandLine', () => {
  it('has dmsetup 1.02.185 options in its table order, and its getopt string', () => {
    expect(SHORT_OPTIONS).toBe('cCfG:hj:m:M:no:O:rS:u:U:vy');
    expect(LONG_OPTIONS.slice(0, 3).map((o) => o.name)).toEqual(['readonly', 'alias', 'alldevices']);
    expect(LONG_OPTIONS.find((o) => o.name === 'verbose')?.hasArg).toBe(true);
  });

  it('splits the command and its arguments, wherever the options stand', () => {
    const parsed = parseCommandLine('dmsetup', ['-c', 'info', '-o', 'name', 'a', '--noheadings', 'b']);
    expect(parsed.command).toBe('info');
    expect(parsed.args).toEqual(['a', 'b']);
    expect(parsed.options).toMatchObject({ columns: true, options: 'name', noheadings: true, verbose: 0 });
  });

  it('counts -v and --verbose=N as one each (dmsetup ignores the value), -C as -c', () => {
    const parsed = parseCommandLine('dmsetup', ['-vv', '--verbose=5', '-C', 'version']);
    expect(parsed.options.verbose).toBe(3);
    expect(parsed.options.columns).toBe(true);
  });

  it('eats the command as --verbose\'s value, as dmsetup does', () => {
    expect(parseCommandLine('dmsetup', ['--verbose', 'info', 'x']).command).toBe('x');
  });

  it('keeps the stats options it does not act on aside', () => {
    expect(parseCommandLine('dmsetup', ['--areas', '4', '--raw', 'info']).options.other).toEqual({ areas: '4', raw: true });
  });

  it.each([
    [['-j', '1', 'info'], 'Please specify both major number and minor number.'],
    [['-m', '1', 'info'], 'Please specify both major number and minor number.'],
    [['--notable', '--table', 'x', 'create', 'a'], '--table and --notable are incompatible.'],
    [['--addnodeonresume', '--addnodeoncreate', 'create', 'a'], '--addnodeonresume and --addnodeoncreate are incompatible.'],
    [['-M', '0', 'info'], 'Invalid argument for --mode: 0. '],
    [['-M', '9', 'info'], 'Invalid argument for --mode: 9. '],
    [['--readahead', '-5', 'info'], 'Negative read ahead value (-5) is not understood.'],
    [['--manglename', 'foo', 'info'], 'Unknown name mangling mode.'],
    [['--count', '-1', 'info'], 'Count must be zero or greater.'],
    [['--interval', '0', 'info'], 'Interval must be a positive integer.'],
    [['--no', 'version'], "dmsetup: option '--no' is ambiguous; possibilities: '--nogroup' '--noflush' '--noheadings' '--nolockfs' '--noopencount' '--nosuffix' '--notable' '--notimesuffix' '--nomonitor' '--noudevrules' '--noudevsync'"],
    [['--ver', 'version'], "dmsetup: option '--ver' is ambiguous; possibilities: '--verbose' '--verifyudev' '--version'"],
  ])('refuses %j: %s', (argv, message) => {
    expect(refusal(argv)).toBe(message);
  });

  it('stops at the first refused value, as dmsetup\'s option loop does', () => {
    expect(refusal(['-M', '9', '--bogus', 'info'])).toBe('Invalid argument for --mode: 9. ');
    expect(refusal(['--bogus', '-M', '9', 'info'])).toBe("dmsetup: unrecognized option '--bogus'");
  });

  it('accepts octal modes, auto/none/+N read-ahead and any-case mangling modes', () => {
    expect(parseCommandLine('d', ['-M', '0640', '--readahead', 'AUTO', '--manglename', 'Hex', 'info']).options).toMatchObject({
      mode: '0640',
      readahead: 'AUTO',
      manglename: 'Hex',
    });
    expect(parseCommandLine('d', ['--readahead', '+256', 'info']).options.readahead).toBe('+256');
  });

  it('notes an unusable --udevcookie and carries on', () => {
    expect(parseCommandLine('d', ['--udevcookie', 'zz', 'info']).notices).toEqual(['Incorrect cookie value.']);
    expect(parseCommandLine('d', ['--udevcookie', '0x0d4d0001', 'info']).notices).toEqual([]);
  });
});

describe('parseDevNameOptions (deps/ls -o)', () => {
  it.each([
    ['devno', 'devno'],
    ['blkdevname', 'blkdevname'],
    ['devname', 'devname'],
    ['dev', 'devno'],
    ['b', 'blkdevname'],
    ['devna', 'devname'],
    ['', 'devno'],
    ['blkdevname,devno', 'devno'],
    ['devname,', 'devname'],
  ])('%j selects %s', (words, type) => {
    expect(parseDevNameOptions(words)).toBe(type);
  });

  it('names the rest of the list from the first unknown word', () => {
    expect(() => parseDevNameOptions('devno,bogus,x')).toThrow('Option not recognised: bogus,x.');
    expect(() => parseDevNameOptions('name')).toThrow('Option not recognised: name.');
  });
});

describe('C number parsing', () => {
  it('atoi: leading space and sign, stops at the first non-digit, 0 without digits, 32-bit wrap', () => {
    expect(atoi('  254x')).toBe(254);
    expect(atoi('-7')).toBe(-7);
    expect(atoi('abc')).toBe(0);
    expect(atoi('4294967297')).toBe(1);
  });

  it('strtoull: a negative number wraps modulo 2^64; overflow is flagged', () => {
    expect(strtoull('-1').value).toBe(2n ** 64n - 1n);
    expect(strtoull('18446744073709551616').overflow).toBe(true);
    expect(strtoull(' 12 ').end).toBe(3);
    expect(strtoull('x').end).toBe(0);
  });

  it('strtol base 8 stops at 8 and 9', () => {
    expect(strtol('0759', 8)).toEqual({ value: 0o75n, end: 3, overflow: false });
  });
});
