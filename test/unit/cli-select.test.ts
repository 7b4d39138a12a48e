/**
 * `-S/--select`: libdm's selection parser (select-parse.ts), the evaluator (select-eval.ts) and
 * libdm's own regexes (select-regex.ts). The error lines are dmsetup 1.02.185's, as the VM
 * differential test (test/vm/cli-select.test.ts) checks them against the real dmsetup.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { fieldHelpLines, FIELDS, IMPLICIT_FIELDS, type FieldValue } from '../../cli/report/fields.js';
import { selects } from '../../cli/report/select-eval.js';
import { selectionHelpLines } from '../../cli/report/select-ops.js';
import { parseSelection, type SelectionNode } from '../../cli/report/select-parse.js';
import { compileLibdmRegex } from '../../cli/report/select-regex.js';

const SYNTAX_HELP = "Use 'help' for selection to get more help.";

/** A device row: string fields as given, numbers as uint64. */
type Row = Record<string, string | number>;

const sa: Row = { name: 'sa', uuid: 'CRYPT-LUKS2-abc-sa', major: 254, minor: 0, segments: 1, open: 0, devnos_used: '', attr: 'L--w' };
const sb: Row = { name: 'sb', uuid: '', major: 254, minor: 1, segments: 1, open: 2, devnos_used: '254:0', attr: 'L--w' };
const sc: Row = { name: 'sc', uuid: 'LVM-x', major: 254, minor: 2, segments: 2, open: 0, devnos_used: '7:0,254:1', attr: 'L-sw' };

function root(selection: string): SelectionNode {
  const parsed = parseSelection(selection);
  if (parsed.kind !== 'select') throw new Error(`${selection}: ${JSON.stringify(parsed)}`);
  return parsed.root;
}

/** Which of sa, sb, sc the selection picks. */
function picks(selection: string): string[] {
  const node = root(selection);
  return [sa, sb, sc]
    .filter((row) =>
      selects(node, (def): FieldValue => {
        const value = row[def.id] ?? (def.numeric ? 0 : '');
        return typeof value === 'number' ? { text: String(value), sort: BigInt(value) } : { text: value, sort: value };
      }),
    )
    .map((row) => String(row['name']));
}

function errorLines(selection: string): string[] {
  const parsed = parseSelection(selection);
  if (parsed.kind !== 'error') throw new Error(`${selection} was accepted`);
  return parsed.lines;
}

describe('parseSelection: what selects nothing, and help', () => {
  it('an empty selection and "all" (any case) select every row', () => {
    for (const text of ['', 'all', 'ALL', 'All']) expect(parseSelection(text)).toEqual({ kind: 'none' });
  });

  it('"help" (any case) and "?" print the typed field list and the selection help', () => {
    const help = { kind: 'help', lines: [...fieldHelpLines(true), ' ', ...selectionHelpLines()] };
    for (const text of ['help', 'HELP', '?']) expect(parseSelection(text)).toEqual(help);
    expect(fieldHelpLines(true)).toContain('  region_start          - Region start. [size]');
    expect(fieldHelpLines(true)).toContain('  help                  - Show help. [unselectable number]');
    expect(fieldHelpLines(true)).not.toContain(expect.stringContaining('_all'));
  });

  it('lists the fields a selection reads (the report adds them as hidden columns)', () => {
    const parsed = parseSelection('name=a || (major>1 && name!=b)');
    expect(parsed.kind === 'select' && parsed.fields.map((field) => field.id)).toEqual(['name', 'major']);
  });
});

describe('selection: comparisons', () => {
  it.each([
    ['name=sa', ['sa']],
    ['name!=sa', ['sb', 'sc']],
    ["name='sb'", ['sb']],
    ['name="sc"', ['sc']],
    ['minor>0', ['sb', 'sc']],
    ['minor>=1', ['sb', 'sc']],
    ['minor<1', ['sa']],
    ['minor<=1', ['sa', 'sb']],
    ['minor=1.9', ['sb']],
    ['open!=0', ['sb']],
    ['name=~^s[ab]$', ['sa', 'sb']],
    ['name!~a', ['sb', 'sc']],
    ['uuid=~"^CRYPT-LUKS2-abc-"', ['sa']],
    ['uuid=""', ['sb']],
    ["devnos_used='254:0'", ['sb']],
    ['devnos_used=~254:1', ['sc']],
    ['attr=~s', ['sc']],
  ])('%s', (selection, expected) => {
    expect(picks(selection)).toEqual(expected);
  });

  it('field names ignore case and underscores', () => {
    expect(picks('DEV_NOS_USED="254:0"')).toEqual(['sb']);
    expect(picks('devnosused="254:0"')).toEqual(['sb']);
    expect(picks('Name=sa')).toEqual(['sa']);
  });

  it('white space around fields, operators and values is skipped', () => {
    expect(picks('  name  =  sa  ')).toEqual(['sa']);
    expect(picks('\tminor\t>\t0')).toEqual(['sb', 'sc']);
  });
});

describe('selection: logic', () => {
  it.each([
    ['name=sa || name=sb', ['sa', 'sb']],
    ['name=sa # name=sb', ['sa', 'sb']],
    ['major=254 && minor>0', ['sb', 'sc']],
    ['major=254,minor>0', ['sb', 'sc']],
    ['name=sa || name=sb && minor=0', ['sa']],
    ['(name=sa || name=sb) && minor>0', ['sb']],
    ['!(name=sa)', ['sb', 'sc']],
    ['! ( name=sa || name=sb )', ['sc']],
    ['!(!(name=sa))', ['sb', 'sc']],
    ['((name=sc))', ['sc']],
    ['name=sa&&segments=1&&devnos_used=""', ['sa']],
  ])('%s', (selection, expected) => {
    expect(picks(selection)).toEqual(expected);
  });

  it("the fsadm selection: a regex prefix, a number and a quoted device list, joined by &&", () => {
    expect(picks("UUID=~^CRYPT-LUKS2-abc-&&segments=1&&devnos_used=''")).toEqual(['sa']);
    expect(picks("UUID=~^CRYPT-LUKS2-abc-&&segments=1&&devnos_used='254:11'")).toEqual([]);
  });

  it('an unquoted value ends at a space or a logical operator; a quoted one holds them', () => {
    expect(picks('name=sa||name=sc')).toEqual(['sa', 'sc']);
    expect(picks('name="sa || x"')).toEqual([]);
    expect(errorLines('name=sa)')).toEqual(['Expecting logical operator', "Selection syntax error at ')'.", SYNTAX_HELP]);
  });
});

describe("selection errors: dmsetup's lines", () => {
  const syntax = (at: string): string[] => [`Selection syntax error at '${at}'.`, SYNTAX_HELP];

  it.each([
    ['bogus=1', [...fieldHelpLines(true), ' ', 'Unrecognised selection field: bogus', ...syntax('bogus=1')]],
    ['help=1', [...fieldHelpLines(true), ' ', 'Selection field is uncomparable: help.', ...syntax('help=1')]],
    ['name', [...selectionHelpLines(), 'Unrecognised comparison operator: ', ...syntax('name')]],
    ['name>1', [...selectionHelpLines(), 'Operator can be used only with number, size, time or percent fields: name>1', ...syntax('name>1')]],
    ['name since 1', [...selectionHelpLines(), 'Operator can be used only with time fields: name since 1', ...syntax('name since 1')]],
    ['=1', ['Expecting field name', ...syntax('=1')]],
    ['major=x', ['Failed to parse numeric value for selection field major.', ...syntax('major=x')]],
    ['major="1"', ['Failed to parse numeric value for selection field major.', ...syntax('major="1"')]],
    ['major=5k', ['Found size unit specifier but numeric value expected for selection field major.', ...syntax('major=5k')]],
    ['major=5%', ['Found percent value but numeric value expected for selection field major.', ...syntax('major=5%')]],
    ['major=99999999999999999999', ['Field selection value 99999999999999999999 out of supported range for field major.']],
    ['major=~1', ['dm_report: incompatible comparison type for selection field major']],
    ['name="sa', ['Missing end quote.', 'Failed to parse string value for selection field name.', ...syntax('name="sa')]],
    ['name=~(a', ['Missing end quote.', 'Failed to parse regex value for selection field name.', ...syntax('name=~(a')]],
    ['name=~', ['Regular expression expected for selection field name', ...syntax('name=~')]],
    ['(name=sa', ["Syntax error: right parenthesis expected at ''"]],
    ['!name=sa', ["Syntax error: left parenthesis expected at 'name=sa'"]],
    ['name=sa b', ['Expecting logical operator', ...syntax('b')]],
    ['name=sa && bogus', [...fieldHelpLines(true), ' ', 'Unrecognised selection field: bogus', ...syntax('bogus')]],
    [
      'name=~"a("',
      [
        "missing ')' in regular expression",
        "missing ')' in regular expression",
        'Parse error in regex',
        "Couldn't parse regex",
        'dm_report: failed to create regex matcher for selection field name',
      ],
    ],
  ])('%s', (selection, lines) => {
    expect(errorLines(selection)).toEqual(lines);
  });

  it('a field name of more than 31 characters (underscores aside) is too long, quoting the rest from there', () => {
    const name = 'a'.repeat(32);
    expect(errorLines(`${name}=1`).slice(0, 1)).toEqual([`a=1: field name too long.`]);
    expect(errorLines(`${name}=1`).slice(-3)).toEqual([`Unrecognised selection field: ${name}`, ...syntax(`${name}=1`)]);
  });

  it('the largest uint64 is in range', () => {
    expect(picks('major=18446744073709551615')).toEqual([]);
  });
});

describe("libdm's regexes", () => {
  const matches = (pattern: string, text: string): boolean => {
    const compiled = compileLibdmRegex(pattern);
    if ('errors' in compiled) throw new Error(compiled.errors.join('\n'));
    return compiled.regex.test(text);
  };

  it.each([
    ['abc', 'xabcx', true],
    ['^abc', 'abcx', true],
    ['^abc', 'xabc', false],
    ['abc$', 'xabc', true],
    ['abc$', 'abcx', false],
    ['^a.c$', 'abc', true],
    ['a|z', 'xz', true],
    ['^(ab)+$', 'ababab', true],
    ['^(ab)+$', 'ababa', false],
    ['^a?b*$', 'bbb', true],
    ['^[a-c]+$', 'cab', true],
    ['^[c-a]+$', 'cab', true],
    ['^[^a]+$', 'bcd', true],
    ['^[^a]+$', 'bad', false],
    ['a\\.b', 'a.b', true],
    ['a\\.b', 'axb', false],
    ['\\t', 'a\tb', true],
    ['[-x]', '-', true],
    // libdm's quirks: "." and [^...] also match the start and end marks.
    ['.abc', 'abc', true],
    ['abc.', 'abc', true],
    ['[^x]abc', 'abc', true],
  ])('%j on %j: %s', (pattern, text, expected) => {
    expect(matches(pattern, text)).toBe(expected);
  });

  it('a pattern libdm cannot parse gives its messages', () => {
    expect(compileLibdmRegex('a(')).toEqual({
      errors: ["missing ')' in regular expression", "missing ')' in regular expression", 'Parse error in regex', "Couldn't parse regex"],
    });
    expect(compileLibdmRegex('a|')).toHaveProperty('errors');
  });

  it("what libdm complains about and still compiles: 'a||b' matches everything, after two lines", () => {
    const compiled = compileLibdmRegex('s||b');
    expect(compiled).toHaveProperty('warnings', ["Badly formed 'or' expression", "missing ')' in regular expression"]);
    expect('regex' in compiled && compiled.regex.test('xyz')).toBe(true);
    const parsed = parseSelection('name=~"s||b"');
    expect(parsed.kind === 'select' && parsed.warnings).toEqual(["Badly formed 'or' expression", "missing ')' in regular expression"]);
  });
});

describe('linear time', () => {
  const within = (limitMs: number, action: () => void): void => {
    const started = performance.now();
    action();
    expect(performance.now() - started).toBeLessThan(limitMs);
  };

  it('a selection with 1 MB of tabs inside an unquoted value parses in under a second', () => {
    within(1000, () => expect(picks(`name=a${'\t'.repeat(1 << 20)}b`)).toEqual([]));
  });

  it('1 MB of spaces around an operator parses in under a second', () => {
    within(1000, () => expect(picks(`name${' '.repeat(1 << 20)}=sa`)).toEqual(['sa']));
  });

  it('20 000 conditions joined by && parse and evaluate in under a second', () => {
    within(1000, () => expect(picks(Array(20_000).fill('major=254').join('&&'))).toEqual(['sa', 'sb', 'sc']));
  });

  it('a regex that backtracking engines take exponential time on matches 100 KB in under a second', () => {
    const compiled = compileLibdmRegex('^(a|aa)*(a|aa)*c$');
    if ('errors' in compiled) throw new Error('not compiled');
    within(1000, () => expect(compiled.regex.test('a'.repeat(100_000))).toBe(false));
  });

  it('every field dmsetup lists can be named in a selection', () => {
    for (const field of [...FIELDS, ...IMPLICIT_FIELDS].filter((def) => def.id !== 'help' && def.id !== '?')) {
      expect(parseSelection(`${field.id}=${field.numeric ? '1' : 'x'}`).kind).toBe('select');
    }
  });
});

describe('runCli: a bad -S fails before any ioctl, as dmsetup does (no "Command failed.")', () => {
  const run = async (argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const status = await runCli(argv, {
      stdout: { write: (text) => void (stdout += text) },
      stderr: { write: (text) => void (stderr += text) },
      program: 'dmsetup',
    });
    return { status, stdout, stderr };
  };
  const text = (lines: string[]): string => lines.map((line) => `${line}\n`).join('');

  it.each([
    [['info', '-c', '-S', 'major=x'], ['Failed to parse numeric value for selection field major.', "Selection syntax error at 'major=x'.", SYNTAX_HELP]],
    [['info', '--json', '-S', '(name=a'], ["Syntax error: right parenthesis expected at ''"]],
    [['remove', '-S', 'major=~1'], ['dm_report: incompatible comparison type for selection field major']],
    [['table', '-S', 'name>1', '-o', 'name'], [...selectionHelpLines(), 'Operator can be used only with number, size, time or percent fields: name>1', "Selection syntax error at 'name>1'.", SYNTAX_HELP]],
  ])('%j', async (argv, lines) => {
    expect(await run(argv)).toEqual({ status: 1, stdout: '', stderr: text(lines) });
  });
});
