/**
 * parseConcise, the parser of `create --concise` specs (dmsetup's _create_concise without the
 * creating): entries, escapes, table lines, and dmsetup's error lines (checked against dmsetup
 * 1.02.185, whose parse errors come before it opens the control node).
 */
import { describe, expect, it } from 'vitest';
import { parseConcise, type ConciseStep } from '../../cli/commands/create-concise.js';

const steps = (spec: string): ConciseStep[] => [...parseConcise(spec)];
const entry = (name: string, uuid: string, minor: string, flags: string, table: string): ConciseStep => ({
  entry: { name, uuid, minor, flags, table },
});

describe('parseConcise: entries', () => {
  it('one device, five fields', () => {
    expect(steps('vol,LVM-1,7,ro,0 8 zero')).toEqual([entry('vol', 'LVM-1', '7', 'ro', '0 8 zero')]);
  });

  it('empty uuid, minor and flags stay empty', () => {
    expect(steps('vol,,,,0 8 zero')).toEqual([entry('vol', '', '', '', '0 8 zero')]);
  });

  it('a comma after the fifth field starts a new table line', () => {
    expect(steps('vol,,,,0 8 zero,8 8 error')).toEqual([entry('vol', '', '', '', '0 8 zero\n8 8 error')]);
  });

  it('devices are separated by ";" and white space after ";" and "," is skipped', () => {
    expect(steps('a,,,,0 8 zero;  b, u, 3, rw, 0 8 error')).toEqual([
      entry('a', '', '', '', '0 8 zero'),
      entry('b', 'u', '3', 'rw', '0 8 error'),
    ]);
  });

  it('a trailing ";" ends the last device; nothing after it is no entry', () => {
    expect(steps('a,,,,0 8 zero;')).toEqual([entry('a', '', '', '', '0 8 zero')]);
    expect(steps('')).toEqual([]);
  });

  it('"\\" makes the next character literal, "," and ";" included', () => {
    expect(steps('a\\,b,u\\;v,,,0 8 zero')).toEqual([entry('a,b', 'u;v', '', '', '0 8 zero')]);
    expect(steps('a,,,,0 8 linear /dev/x\\\\y 0')).toEqual([entry('a', '', '', '', '0 8 linear /dev/x\\y 0')]);
  });

  it('yields each device as soon as it is complete (create runs before the next is parsed)', () => {
    const parser = parseConcise('a,,,,0 8 zero;b,c');
    expect(parser.next().value).toEqual(entry('a', '', '', '', '0 8 zero'));
    expect(parser.next().value).toHaveProperty('errors');
  });
});

describe('parseConcise: dmsetup error lines', () => {
  it('fewer than five fields at ";" or the end', () => {
    expect(steps('a,b')).toEqual([
      { errors: ['Five comma-separated fields are required for each device', 'Parsed 2 fields: name: a uuid: b minor: (null) flags: (null) table: (null)'] },
    ]);
    expect(steps('a,,,,0 8 zero;b;')).toEqual([
      entry('a', '', '', '', '0 8 zero'),
      { errors: ['Five comma-separated fields are required for each device', 'Parsed 1 fields: name: b uuid: (null) minor: (null) flags: (null) table: (null)'] },
    ]);
  });

  it('a backslash at the very end', () => {
    expect(steps('a,,,,0 8 zero\\')).toEqual([
      { errors: ['Backslash must be followed by another character at end of string.', 'Parsed 5 fields: name: a uuid:  minor:  flags:  table: 0 8 zero'] },
    ]);
  });

  it('an entry cut short by the end of the spec', () => {
    expect(steps('a,,,,0 8 zero;b,')).toEqual([
      entry('a', '', '', '', '0 8 zero'),
      { errors: ['Incomplete entry: five comma-separated fields are required for each device', 'Parsed 2 fields: name: b uuid:  minor: (null) flags: (null) table: (null)'] },
    ]);
  });
});
