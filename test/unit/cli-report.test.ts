/**
 * The -c report engine against dmsetup 1.02.185's output: column widths and padding, number
 * alignment, --noheadings/--separator/--nameprefixes/--unquoted/--rows, `-o +f`, `<section>_all`,
 * sorting, the field list (`-o help`), the field values of a device, libdm's dependency tree,
 * LVM name splitting and auto mangling.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from '../../lib/index.js';
import { liveDevice } from '../helpers/device-info.js';
import type { CliOptions } from '../../cli/options.js';
import { DepTree } from '../../cli/report/dep-tree.js';
import { deviceFieldValue, splitName } from '../../cli/report/device-fields.js';
import { fieldHelpLines } from '../../cli/report/fields.js';
import { DEFAULT_FIELDS, fieldList, Report, ReportInitError, reportLayout } from '../../cli/report/report.js';
import { mangleName } from '../../cli/mangle.js';

const device = liveDevice;

const DEVICES = [
  device('tsdmt-bad2', 7, { liveTable: false, targetCount: 0 }),
  device('tsdmt-e', 0, { liveTable: false, targetCount: 0 }),
  device('tsdmt-n', 1, { eventNr: 1, uuid: 'UU2' }),
  device('tsdmt-u1', 2, { uuid: 'UU1' }),
];

/** Renders a report of `devices` for command-line switches, as `info -c` would. */
function render(options: Partial<CliOptions>, devices = DEVICES): string[] {
  const all: CliOptions = { verbose: 0, other: {}, ...options };
  const warnings: string[] = [];
  const report = new Report(fieldList(all.options), all.sort, reportLayout(all), (line) => warnings.push(line));
  for (const info of devices) {
    report.addRow(report.columns.map((column) => deviceFieldValue(column.def, { info, readAhead: () => 256 }, () => {})!));
  }
  expect(warnings).toEqual([]);
  return report.output();
}

describe('report layouts (dmsetup info -c)', () => {
  it('aligned by default: every column padded, numbers right-aligned, the header too', () => {
    expect(render({})).toEqual([
      'Name             Maj Min Stat Open Targ Event  UUID                            ',
      'tsdmt-bad2       254   7 ---w    0    0      0                                 ',
      'tsdmt-e          254   0 ---w    0    0      0                                 ',
      'tsdmt-n          254   1 L--w    0    1      1 UU2                             ',
      'tsdmt-u1         254   2 L--w    0    1      0 UU1                             ',
    ]);
  });

  it('--noheadings: colon-separated, unaligned, an empty uuid leaves a trailing colon', () => {
    expect(render({ noheadings: true }, [DEVICES[0]!])).toEqual(['tsdmt-bad2:254:7:---w:0:0:0:']);
  });

  it('--separator: unaligned, headings kept', () => {
    expect(render({ separator: ',' }, DEVICES.slice(2))).toEqual([
      'Name,Maj,Min,Stat,Open,Targ,Event,UUID',
      'tsdmt-n,254,1,L--w,0,1,1,UU2',
      'tsdmt-u1,254,2,L--w,0,1,0,UU1',
    ]);
  });

  it('--nameprefixes (and --unquoted, --noheadings)', () => {
    expect(render({ nameprefixes: true }, [DEVICES[2]!])).toEqual([
      'Name Maj Min Stat Open Targ Event UUID',
      "DM_NAME='tsdmt-n' DM_MAJOR='254' DM_MINOR='1' DM_ATTR='L--w' DM_OPEN='0' DM_SEGMENTS='1' DM_EVENTS='1' DM_UUID='UU2'",
    ]);
    expect(render({ nameprefixes: true, unquoted: true, noheadings: true }, [DEVICES[2]!])).toEqual([
      'DM_NAME=tsdmt-n:DM_MAJOR=254:DM_MINOR=1:DM_ATTR=L--w:DM_OPEN=0:DM_SEGMENTS=1:DM_EVENTS=1:DM_UUID=UU2',
    ]);
  });

  it('--rows: one line per field, never aligned', () => {
    expect(render({ rows: true })).toEqual([
      'Name tsdmt-bad2 tsdmt-e tsdmt-n tsdmt-u1',
      'Maj 254 254 254 254',
      'Min 7 0 1 2',
      'Stat ---w ---w L--w L--w',
      'Open 0 0 0 0',
      'Targ 0 0 1 1',
      'Event 0 0 1 0',
      'UUID   UU2 UU1',
    ]);
    expect(render({ rows: true, noheadings: true, options: 'name,uuid' })).toEqual([
      'tsdmt-bad2:tsdmt-e:tsdmt-n:tsdmt-u1',
      '::UU2:UU1',
    ]);
  });

  it('the udev rule form: --nameprefixes --noheadings --rows -o name,uuid,suspended', () => {
    expect(render({ nameprefixes: true, noheadings: true, rows: true, options: 'name,uuid,suspended' }, [DEVICES[2]!])).toEqual([
      "DM_NAME='tsdmt-n'",
      "DM_UUID='UU2'",
      "DM_SUSPENDED='Active'",
    ]);
  });

  it('-o +devno appends to the defaults; columns grow to their longest value', () => {
    expect(fieldList('+devno')).toBe(`${DEFAULT_FIELDS},devno`);
    expect(render({ options: 'name,devno' }, [device('tsdmt-p', 100)])).toEqual(['Name             DevNo  ', 'tsdmt-p          254:100']);
  });

  it('info_all selects the Information section in table order; case does not matter', () => {
    const report = new Report('INFO_ALL,Name', undefined, reportLayout({ verbose: 0, other: {} }), () => {});
    expect(report.columns.map((column) => column.def.heading)).toEqual(
      ['BlkDevName', 'Stat', 'Tables', 'Suspended', 'Read-only', 'DevNo', 'Maj', 'Min', 'Open', 'Targ', 'Event', 'Name'],
    );
  });

  it('-O sorts (descending with -), by a hidden field when it is not shown', () => {
    expect(render({ options: 'name', sort: '-name' }, DEVICES).slice(1).map((line) => line.trim())).toEqual([
      'tsdmt-u1',
      'tsdmt-n',
      'tsdmt-e',
      'tsdmt-bad2',
    ]);
    expect(render({ options: 'name', sort: 'minor' }, DEVICES).slice(1).map((line) => line.trim())).toEqual([
      'tsdmt-e',
      'tsdmt-n',
      'tsdmt-u1',
      'tsdmt-bad2',
    ]);
  });

  it('output() empties the report for the next --count cycle; the widths stay', () => {
    const report = new Report('name', undefined, reportLayout({ verbose: 0, other: {} }), () => {});
    report.addRow([{ text: 'a-rather-long-name', sort: 'a-rather-long-name' }]);
    expect(report.output()).toHaveLength(2);
    expect(report.isEmpty()).toBe(true);
    report.addRow([{ text: 'x', sort: 'x' }]);
    expect(report.output()).toEqual(['Name              ', 'x                 ']);
  });

  it('an empty report prints nothing, not even headings', () => {
    expect(render({}, [])).toEqual([]);
  });
});

describe('report setup errors', () => {
  function refused(fields: string, sort?: string): { warnings: string[]; error: unknown } {
    const warnings: string[] = [];
    try {
      new Report(fields, sort, reportLayout({ verbose: 0, other: {} }), (line) => warnings.push(line));
    } catch (error) {
      return { warnings, error };
    }
    throw new Error('accepted');
  }

  it('an unknown field prints the field list, a " " line, then Unrecognised field', () => {
    const { warnings, error } = refused('name,bogus');
    expect(error).toBeInstanceOf(ReportInitError);
    expect(warnings.slice(-2)).toEqual([' ', 'Unrecognised field: bogus']);
    expect(warnings.slice(0, -2)).toEqual(fieldHelpLines());
  });

  it('a trailing comma makes an empty field, which libdm refuses; fields need their exact id', () => {
    expect(refused('name,').warnings.at(-1)).toBe('Unrecognised field: ');
    expect(refused('info_major').warnings.at(-1)).toBe('Unrecognised field: info_major');
  });

  it('an unknown sort key: dm_report: Unrecognised field', () => {
    expect(refused('name', '+bogus').warnings.at(-1)).toBe('dm_report: Unrecognised field: +bogus');
  });

  it('statistics fields are refused with a message', () => {
    expect((refused('name,read_count').error as Error).message).toContain('read_count');
  });

  it('-o help prints the list and reports nothing', () => {
    const warnings: string[] = [];
    const report = new Report('help', undefined, reportLayout({ verbose: 0, other: {}, options: 'help' }), (line) => warnings.push(line));
    expect(report.helpRequested).toBe(true);
    expect(warnings).toEqual([...fieldHelpLines(), ' ']);
  });
});

describe('fieldHelpLines', () => {
  it('matches dmsetup\'s list: sections, dashes, <prefix>all lines, ids padded to 21', () => {
    const lines = fieldHelpLines();
    expect(lines.slice(0, 4)).toEqual([
      'Mapped Device Name Fields',
      '-------------------------',
      '  name_all              - All fields in this section.',
      '  name                  - Name of mapped device.',
    ]);
    expect(lines).toContain('  writes_merged_per_sec - Write requests merged per second.');
    // deps and tree share one heading, as in dmsetup.
    const relationship = lines.indexOf('Mapped Device Relationship Information Fields');
    expect(lines.slice(relationship + 2, relationship + 5)).toEqual([
      '  deps_all              - All fields in this section.',
      '  device_count          - Number of devices used by this one.',
      '  devs_used             - List of names of mapped devices used by this one.',
    ]);
    expect(lines.slice(-6)).toEqual([
      ' ',
      'Special Fields',
      '--------------',
      '  selected              - Set if item passes selection criteria.',
      '  help                  - Show help.',
      '  ?                     - Show help.',
    ]);
    expect(lines).toHaveLength(110);
  });
});

describe('device field values', () => {
  const value = (id: string, info: DeviceInfo) => {
    const def = { id, heading: '', width: 0, numeric: false, section: 'info' as const, desc: '' };
    return deviceFieldValue(def, { info, readAhead: () => undefined }, () => {})?.text;
  };

  it('attr, tables_loaded, suspended, readonly, devno', () => {
    const info = device('x', 3, { inactiveTable: true, suspended: true, readOnly: true });
    expect(value('attr', info)).toBe('LIsr');
    expect(value('tables_loaded', info)).toBe('Both');
    expect(value('suspended', info)).toBe('Suspended');
    expect(value('readonly', info)).toBe('Read-only');
    expect(value('devno', info)).toBe('254:3');
    expect(value('read_ahead', info)).toBe('0');
  });
});

describe('splitName (LVM names)', () => {
  it('splits on single dashes, -- is a dash, only for LVM uuids', () => {
    expect(splitName('LVM-def', 'vg--x-lv-_mlog')).toEqual({ subsystem: 'LVM', vg_name: 'vg-x', lv_name: 'lv', lv_layer: '_mlog' });
    expect(splitName('LVM-abc', 'tsdmt-r')).toEqual({ subsystem: 'LVM', vg_name: 'tsdmt', lv_name: 'r', lv_layer: '' });
    expect(splitName('LVM-x', 'vg-')).toEqual({ subsystem: 'LVM', vg_name: 'vg-', lv_name: '', lv_layer: '' });
    expect(splitName('CRYPT-LUKS2-1', 'a-b')).toEqual({ subsystem: 'CRYPT', vg_name: '', lv_name: '', lv_layer: '' });
    expect(splitName('', 'a-b').subsystem).toBe('');
  });
});

describe('DepTree (libdm dm_tree order)', () => {
  // x on loop; a uses x and loop; p uses x; q uses p and a.
  const loop = { major: 7, minor: 5 };
  const [x, a, p, q] = [0, 1, 2, 3].map((minor) => ({ major: 254, minor }));
  const deps = new Map<number, { name: string; deps: { major: number; minor: number }[] }>([
    [0, { name: 'x', deps: [loop] }],
    [1, { name: 'a', deps: [loop, x!] }],
    [2, { name: 'p', deps: [x!] }],
    [3, { name: 'q', deps: [p!, a!] }],
  ]);
  const tree = new DepTree([a!, p!, q!, x!], (dev) => (dev.major === 254 ? deps.get(dev.minor) : undefined));

  it('children in deps order, parents in discovery order, top-level devices with no refs', () => {
    expect(tree.find(q!)!.uses.map((n) => n.name)).toEqual(['p', 'a']);
    expect(tree.find(x!)!.usedBy.map((n) => n.name)).toEqual(['a', 'p']);
    expect(tree.parentCount(tree.find(x!)!)).toBe(2);
    expect(tree.parentCount(tree.find(q!)!)).toBe(0);
    expect(tree.parentCount(tree.find(a!)!)).toBe(1);
    expect(tree.find(loop)!.name).toBe('');
  });
});

describe('mangleName (auto)', () => {
  it('keeps whitelisted names, encodes others, keeps \\x sequences, refuses a mixture', () => {
    expect(mangleName('a:b=c@d#e+f.g_h-i', 'name')).toEqual({ mangled: 'a:b=c@d#e+f.g_h-i' });
    expect(mangleName('x$y', 'name')).toEqual({ mangled: 'x\\x24y' });
    expect(mangleName('sp\\x20ace', 'name')).toEqual({ mangled: 'sp\\x20ace' });
    expect(mangleName('a b\\x20c', 'name')).toEqual({
      error: 'The name "a b\\x20c" contains mixed mangled and unmangled characters or it\'s already mangled improperly.',
    });
    expect(mangleName('u'.repeat(129), 'UUID')).toEqual({ error: `Mangled form of the UUID too long for "${'u'.repeat(129)}".` });
  });
});
