/**
 * Fuzzing the text parsers: the table parser (lib/table: dmsetup's table text), the CLI's getopt
 * clone and command-line parser (cli/getopt.ts, cli/options.ts) with random argv, and the
 * selection parser (cli/report/select-parse.ts) with random and mutated selections. Property:
 * a value or the parser's own error (TableSyntaxError, GetoptError, CommandLineError; a
 * selection error is a result, never a throw), nothing slow; a 1 MB table parses in linear time.
 */
import { describe, expect, it } from 'vitest';
import { GetoptError, getoptLong } from '../../../cli/getopt.js';
import { CommandLineError, LONG_OPTIONS, parseCommandLine, SHORT_OPTIONS } from '../../../cli/options.js';
import { parseSelection } from '../../../cli/report/select-parse.js';
import { DmError } from '../../../lib/errors.js';
import { parseTable, TableSyntaxError, validateTable } from '../../../lib/table/table.js';
import { int, mutateText, ODD, pick, randomText, rng, ROUNDS, Tally } from './support.js';

const TABLES = ['0 2048 linear /dev/loop0 0\n2048 8 zero\n', '# comment\n\n0 8 zero # trailing\n', '0 16 crypt aes-xts-plain64 :32:logon:k 0 7:0 0 1 allow_discards\n', '  0   8   error  '];
const TABLE_ALPHABET = [...ODD, '0', '1', '8', '+', '-', '9007199254740993', '18446744073709551616', 'zero', 'linear', 'x'.repeat(20), '\r\n'];

describe('fuzz: the table parser', () => {
  it('returns rows or throws TableSyntaxError; the rows are typed as validateTable expects', () => {
    const tally = new Tally('parseTable');
    const next = rng(0x7ab1e);
    for (let round = 0; round < ROUNDS; round++) {
      const text = next() < 0.8 ? mutateText(next, pick(next, TABLES), TABLE_ALPHABET) : randomText(next, TABLE_ALPHABET, 40);
      tally.run(
        () => {
          const rows = parseTable(text, 'fuzz');
          for (const row of rows) {
            expect([row.start, row.length].every((n) => Number.isSafeInteger(n) || typeof n === 'bigint'), JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(true);
            expect(row.type).not.toMatch(/[ \t\n\v\f\r\0]/); // C isspace: a no-break space is part of a word
          }
          // The checks after parsing throw only DmError too.
          try {
            validateTable(rows);
          } catch (error) {
            if (!(error instanceof DmError)) throw error;
          }
        },
        (error) => error instanceof TableSyntaxError,
        () => `parseTable(${JSON.stringify(text)})`,
      );
    }
    tally.report();
  });

  it('parses 1 MB of mutated lines in linear time (within 2 s)', () => {
    const next = rng(0x1b);
    const lines: string[] = [];
    for (let size = 0; size < 1 << 20; ) {
      const line = `${lines.length * 8} 8 zero ${randomText(next, [' ', '\t', 'x', '#', '  '], 30)}`;
      lines.push(line);
      size += line.length + 1;
    }
    const started = performance.now();
    const rows = parseTable(lines.join('\n'));
    const took = performance.now() - started;
    console.log(`fuzz parseTable: 1 MB (${rows.length} rows) in ${took.toFixed(0)} ms`);
    expect(rows).toHaveLength(lines.length);
    expect(took).toBeLessThan(2000);
  });
});

const OPTION_WORDS = [
  ...LONG_OPTIONS.map((option) => `--${option.name}`),
  ...LONG_OPTIONS.map((option) => `--${option.name.slice(0, 1 + (option.name.length >> 1))}`),
  ...LONG_OPTIONS.filter((option) => option.hasArg).map((option) => `--${option.name}=`),
  ...[...SHORT_OPTIONS.replace(/:/g, '')].map((letter) => `-${letter}`),
  '-', '--', '---', '-vvv', '-j', '-m', '-u', '--=', '-Z', '--nope', 'create', 'ls', 'info', 'table', 'remove', 'x', '',
];
const VALUE_WORDS = ['0', '-1', '1', '253', '4294967296', 'name,uuid', 'x', '', ' ', '\0', '0x10', '1e3', '+5', 'auto', 'none', ...ODD];

function randomArgv(next: () => number): string[] {
  return Array.from({ length: int(next, 8) }, () => {
    const word = next() < 0.6 ? pick(next, OPTION_WORDS) : pick(next, VALUE_WORDS);
    return word.endsWith('=') ? word + pick(next, VALUE_WORDS) : next() < 0.1 ? mutateText(next, word, ODD) : word;
  });
}

describe('fuzz: the command line', () => {
  it('getoptLong returns options or throws GetoptError; parseCommandLine throws only CommandLineError', () => {
    const tally = new Tally('getopt');
    const next = rng(0x6e7097);
    for (let round = 0; round < ROUNDS; round++) {
      const argv = randomArgv(next);
      tally.run(() => getoptLong('tsdmsetup', argv, SHORT_OPTIONS, LONG_OPTIONS), (e) => e instanceof GetoptError, () => `getoptLong(${JSON.stringify(argv)})`);
      tally.run(() => parseCommandLine('tsdmsetup', argv), (e) => e instanceof CommandLineError, () => `parseCommandLine(${JSON.stringify(argv)})`);
    }
    tally.report();
  });
});

const SELECTIONS = ['name=vg-lv', 'name=~"^vg" && open>0', '(uuid=~LVM-.*) || !(suspended=1)', 'major=253 && minor>=2', 'attr=~"s"', 'read_ahead>=1m', 'events!=0 or name=""', 'name=[a,b]', 'open<2k'];
const SELECT_ALPHABET = [...ODD, '&&', '||', '!', '(', ')', '=~', '!~', '<', '<=', '>=', '"', '[', ']', '{', '}', 'name', 'uuid', 'major', 'open', '1k', '-1', '18446744073709551616', '.*', '^', '$', '|', '*', '+', '?'];

describe('fuzz: the selection parser', () => {
  it('returns a selection, help or an error result; it never throws', () => {
    const tally = new Tally('parseSelection');
    const next = rng(0x5e1ec7);
    for (let round = 0; round < ROUNDS; round++) {
      const text = next() < 0.8 ? mutateText(next, pick(next, SELECTIONS), SELECT_ALPHABET) : randomText(next, SELECT_ALPHABET);
      tally.run(
        () => expect(['none', 'help', 'select', 'error']).toContain(parseSelection(text).kind),
        () => false,
        () => `parseSelection(${JSON.stringify(text)})`,
      );
    }
    tally.report();
  });
});
