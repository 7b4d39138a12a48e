/**
 * `dmsetup stats` (dmstats's command set), tsdmsetup against Debian's dmsetup 1.02.185: regions
 * made with each create option, list, print, counters after known O_DIRECT I/O, clear, group,
 * ungroup, delete, the error messages and exit codes; same stdout, stderr and status per step.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonSchemaFor } from '../../cli/json-schemas.js';
import { cliPath, runTsdmsetup } from '../helpers/cli.js';
import { validateJson } from '../helpers/json-schema.js';
import { cmd, DIFFERENTIAL_ENV, Differential, type Step } from '../helpers/differential.js';
import { deviceNames } from '../helpers/devices.js';

const names = deviceNames('stats');
const dev = names.of;
const differential = new Differential(names.prefix);
const stats = (...args: string[]): Step => cmd('stats', ...args);
const zero = ['--table', '0 2048 zero'];
const counters = ['-o', 'stats_name,region_id,obj_type,area_id,read_count,read_sector_count,write_count,write_sector_count,in_progress_count'];

afterEach(() => {
  differential.cleanUp();
});

describe('stats: tsdmsetup and dmsetup print the same', { timeout: 300_000 }, () => {
  it('create with each option, list, the kernel list, print, delete', () => {
    const a = dev('a');
    const results = differential.expectSameAsDmsetup([
      cmd('create', a, ...zero),
      stats('list'),
      stats('create', a),
      stats('create', a, '--start', '100', '--length', '200', '--areas', '4'),
      stats('create', a, '--areasize', '512', '--programid', 'myprog'),
      stats('create', a, '--bounds', '1ms,10ms', '--precise', '--userdata', 'mine'),
      stats('create', a, '--bounds', '1ms,10ms'),
      stats('create', a, '--start', '1k', '--length', '64k', '--areasize', '16k'),
      cmd('message', a, '0', '@stats_list'),
      stats('list'),
      stats('list', a),
      stats('list', '--allprograms'),
      stats('list', '--programid', 'myprog', a),
      stats('list', '--histogram', a),
      stats('list', '-v', a),
      stats('list', '-v', '--histogram', a),
      stats('report', '--noheadings', a),
      stats('report', '--group', a),
      stats('report', '--region', '--allprograms', '-o', 'stats_name,region_id,area_count,program_id,read_size_per_sec,util', a),
      stats('print', '--regionid', '1', a),
      stats('print', '--regionid', '3', a),
      stats('print', '--allregions', a),
      stats('print', a),
      stats('print', '--regionid', '9', a),
      stats('report', ...counters, a),
      stats('report', '--noheadings', '-o', 'region_id,region_start,region_len,area_count,area_len,precise,user_data', a),
      stats('delete', '--regionid', '9', a),
      stats('delete', a),
      stats('delete', '--regionid', '4', a),
      stats('delete', '--regionid', '0', '--groupid', '1', a),
      stats('list', a),
      stats('delete', '--allregions', a),
      stats('report', '-S', 'region_id=1', '-o', 'region_id,area_id,area_start', a),
      stats('report', '-S', 'area_id>1 && region_id=5', '-o', 'region_id,area_id', '-O', '-area_id', a),
      stats('report', '-o', 'region_id,bogus', a),
      stats('report', '--count', '2', '--interval', '1', '-o', 'region_id,area_id,read_count', '--region', a),
      stats('list', '--count', '2', '--interval', '1', a),
      stats('list', '--nameprefixes', '-o', 'stats_name,region_id,program_id,user_data', '--allprograms', a),
      stats('list', '--rows', '--group', a),
      stats('delete', '--allregions', '--allprograms', a),
      cmd('message', a, '0', '@stats_list'),
      stats('list'),
    ]);
    expect(results.find((r) => r.step.startsWith('message') && r.stdout)?.stdout).toContain('histogram:1000000,10000000');
  });

  it('counters after known O_DIRECT reads and writes; a report clears them (@stats_print_clear); clear, print --clear', () => {
    const a = dev('c');
    const read = (blocks: number, size: number): Step => ({ shell: `dd if=/dev/mapper/${a} of=/dev/null bs=${size} count=${blocks} iflag=direct status=none` });
    const results = differential.expectSameAsDmsetup([
      cmd('create', a, ...zero),
      stats('create', a, '--areas', '2'),
      read(3, 4096),
      { shell: `dd if=/dev/zero of=/dev/mapper/${a} bs=512 count=5 seek=1500 oflag=direct status=none` },
      stats('report', '--area', ...counters, a),
      stats('report', '--area', ...counters, a),
      read(4, 4096),
      stats('report', a),
      stats('report', '--raw', a),
      read(2, 512),
      stats('report', '--region', ...counters, a),
      read(1, 512),
      stats('print', '--regionid', '0', a),
      stats('print', '--clear', '--regionid', '0', a),
      stats('print', '--regionid', '0', a),
      read(4, 512),
      stats('clear', '--regionid', '0', a),
      stats('print', '--regionid', '0', a),
      stats('clear', '--regionid', '5', a),
      stats('clear', a),
      stats('delete', '--allregions', a),
    ]);
    expect(results.find((r) => r.step === `stats report ${a}`)?.stdout).toMatch(/area\s+0\s+0\s+512\.00k\s+0\.00\s+0\.00\s+4\.00\s+0\.00\s+16\.00k/);
    const [first, second] = results.filter((r) => r.step.startsWith('stats report --area')).map((r) => r.stdout ?? '');
    // 3 reads of 8 sectors in area 0; 5 writes of 1 sector at 1500, in area 1.
    expect(first).toMatch(/ 0\s+3\s+24\s+0\s+0\s+0$/m);
    expect(first).toMatch(/ 1\s+0\s+0\s+5\s+5\s+0$/m);
    expect(second).toMatch(/ 0\s+0\s+0\s+0\s+0\s+0$/m);
    expect(results.find((r) => r.step.startsWith('stats report --region'))?.stdout).toMatch(/region\s+0\s+2\s+2\s+0\s+0\s+0$/m);
  });

  it('histograms: counts, bounds, ranges and percentages of a --bounds region', () => {
    const a = dev('h');
    const read = (blocks: number): Step => ({ shell: `dd if=/dev/mapper/${a} of=/dev/null bs=512 count=${blocks} iflag=direct status=none` });
    const hist = 'region_id,area_id,hist_bins,hist_count,hist_count_bounds,hist_count_ranges,hist_percent,hist_percent_bounds,hist_percent_ranges,hist_bounds,hist_ranges';
    const results = differential.expectSameAsDmsetup([
      cmd('create', a, ...zero),
      // Reads of a zero device take far less than 10 ms: every count is in the first bin.
      stats('create', '--bounds', '10ms,1s,2s', '--areas', '2', a),
      stats('create', '--bounds', '500us', a),
      read(6),
      stats('print', '--regionid', '0', a),
      stats('report', '--histogram', '-o', 'region_id,area_id,hist_count_bounds', a),
      read(3),
      stats('report', '--histogram', '--relative', '-o', 'region_id,hist_percent_bounds', '--region', a),
      read(2),
      stats('report', '-o', hist, '--area', a),
      read(2),
      stats('report', '--noheadings', '-o', hist, '--region', a),
      stats('report', '--notimesuffix', '-o', 'region_id,hist_count_bounds,hist_ranges', a),
      stats('list', '--histogram', '-v', a),
      stats('delete', '--allregions', a),
    ]);
    expect(results.find((r) => r.step.startsWith('stats print'))?.stdout).toMatch(/^0\+1024 6 .* 6:0:0:0$/m);
    expect(results.find((r) => r.step.startsWith('stats report --histogram -o'))?.stdout).toMatch(/ 0\s+0\s+0s:\s+6,\s*10ms:\s+0,\s*1s:\s+0,\s*2s:\s+0/);
  });

  it('group and ungroup: aliases, overlap warnings, refusals', () => {
    const a = dev('g');
    differential.expectSameAsDmsetup([
      cmd('create', a, ...zero),
      stats('create', a),
      stats('create', a, '--start', '100', '--length', '200', '--areas', '4'),
      stats('create', a, '--start', '1024', '--length', '512'),
      stats('group', a),
      stats('group', '--regions', '0,1', a),
      cmd('message', a, '0', '@stats_list'),
      stats('list', a),
      stats('list', '-v', a),
      stats('report', a),
      stats('group', '--regions', '0,1', '--alias', 'grp', a),
      stats('group', '--regions', '2,7', a),
      stats('ungroup', a),
      stats('ungroup', '--groupid', '2', a),
      stats('ungroup', '--groupid', '0', a),
      stats('group', '--regions', '1-2', '--alias', 'grp', a),
      cmd('create', dev('seg'), '--table', '0 100 zero\n100 300 zero\n400 24 error'),
      stats('create', '--segments', dev('seg')),
      stats('create', '--segments', '--alias', 'parts', '--areas', '2', dev('seg')),
      stats('create', '--segments', '--nogroup', dev('seg')),
      stats('create', '--segments', '--nogroup', '--alias', 'x', dev('seg')),
      stats('list', dev('seg')),
      stats('delete', '--groupid', '0', dev('seg')),
      stats('delete', '--groupid', '0', dev('seg')),
      stats('list', dev('seg')),
      stats('delete', '--allregions', dev('seg')),
      cmd('message', a, '0', '@stats_list'),
      stats('list', a),
      stats('delete', '--regionid', '2', a),
      cmd('message', a, '0', '@stats_list'),
      stats('delete', '--allregions', a),
    ]);
  });

  it('addressed by uuid; several devices, --alldevices', () => {
    const a = dev('u');
    const b = dev('u2');
    differential.expectSameAsDmsetup([
      cmd('create', b, ...zero),
      stats('create', '--alldevices'),
      stats('print', '--regionid', '0', b, b),
      stats('delete', '--allregions', '--alldevices'),
      cmd('create', a, '-u', 'STATS-UUID-1', ...zero),
      stats('create', '--alldevices', '--areas', '2'),
      stats('list'),
      stats('report', '--raw', b, a),
      stats('group', '--regions', '0', '--alldevices'),
      stats('ungroup', '--groupid', '0', '--alldevices'),
      stats('delete', '--allregions', '--alldevices'),
      stats('create', '-u', 'STATS-UUID-1', '--areas', '3'),
      stats('list', '-u', 'STATS-UUID-1'),
      stats('print', '--regionid', '0', '-u', 'STATS-UUID-1'),
      stats('create', '-u', 'STATS-UUID-NONE'),
      stats('delete', '--allregions', '-u', 'STATS-UUID-1'),
    ]);
  });

  it('errors: no subcommand, unknown ones, conflicting options, missing devices', () => {
    differential.expectSameAsDmsetup([
      // No device at all: _process_all's line.
      stats('list'),
      stats('report'),
      stats('print', '--allregions'),
      stats('create', '--alldevices'),
      cmd('stats'),
      stats('foo'),
      stats('help'),
      stats('create'),
      stats('create', dev('nosuch')),
      stats('create', '--areas', '2', '--areasize', '8', dev('nosuch')),
      stats('create', '--allregions', dev('nosuch')),
      stats('create', '--allprograms', dev('nosuch')),
      stats('create', '--programid', '', dev('nosuch')),
      stats('list', '--allprograms', '--programid', 'x'),
      stats('print', '--allregions', '--regionid', '1', dev('nosuch')),
      stats('delete', '--regionid', '1', '--groupid', '1', dev('nosuch')),
      stats('group', dev('nosuch')),
      stats('ungroup', dev('nosuch')),
      stats('print', dev('nosuch')),
      stats('clear', dev('nosuch')),
    ]);
  });

  it('measure: the IMA text of each target (DM_IMA_MEASUREMENT_FLAG), missing devices', () => {
    const z = dev('mz');
    const l = dev('ml');
    const results = differential.expectSameAsDmsetup([
      cmd('create', z, ...zero),
      cmd('create', l, '--table', `0 1024 linear /dev/mapper/${z} 8`),
      cmd('measure', z),
      cmd('measure', l),
      cmd('measure', z, l),
      cmd('measure', '-v', l),
      cmd('measure', dev('nosuch')),
      cmd('measure', '-j', '254', '-m', '250'),
    ]);
    expect(results.find((r) => r.step === `measure ${z}`)?.stdout).toBe('0 2048 zero \n');
  });

  it('run as dmstats (a link of that name): the stats commands without `stats`', () => {
    const a = dev('ds');
    // The guest's /tmp is its own tmpfs: the link is made there.
    mkdirSync('/tmp', { recursive: true });
    const dir = mkdtempSync('/tmp/dmstats-');
    const link = join(dir, 'dmstats');
    symlinkSync(cliPath, link);
    const run = (file: string, args: string[]): unknown => {
      const result = spawnSync(file, args, { encoding: 'utf8', env: { ...process.env, ...DIFFERENTIAL_ENV } });
      return { args: args.join(' '), status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const lines = [['create', a], ['list'], ['list', a], ['bogus'], [], ['stats', 'list', a], ['delete', '--allregions', a]];
    try {
      differential.runStep('dmsetup', cmd('create', a, ...zero));
      const theirs = lines.map((args) => run('dmstats', args));
      const ours = lines.map((args) => run(link, args));
      expect(ours).toEqual(theirs);
      expect((theirs[1] as { stdout: string }).stdout).toContain(`${a} `);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--json: each stats document (and measure) against its schema, with the facts dmstats prints', () => {
    const a = dev('j');
    const json = (args: string[], subcommand?: string): { status: number; document: Record<string, unknown[]> } => {
      const result = runTsdmsetup([...args, '--json'], { env: DIFFERENTIAL_ENV });
      const lines = result.stdout.split('\n').filter(Boolean);
      expect(lines, args.join(' ')).toHaveLength(1);
      const document = JSON.parse(lines[0]!) as Record<string, unknown[]>;
      const schema = jsonSchemaFor(args[0]!, { ...(subcommand ? { subcommand } : {}) });
      expect(schema, args.join(' ')).toBeDefined();
      expect(validateJson(document, schema!), args.join(' ')).toEqual([]);
      return { status: result.status, document };
    };
    differential.runStep('dmsetup', cmd('create', a, ...zero));
    expect(json(['stats', 'create', '--areas', '2', a], 'create').document['regions']).toEqual([{ name: a, regionId: 0, areaCount: 2 }]);
    json(['stats', 'create', '--bounds', '1ms', a], 'create');
    differential.runStep('dmsetup', { shell: `dd if=/dev/mapper/${a} of=/dev/null bs=4096 count=2 iflag=direct status=none` });
    const printed = json(['stats', 'print', '--regionid', '0', a], 'print').document['regions'] as { areas: { counters: Record<string, unknown> }[] }[];
    expect(printed[0]!.areas.map((area) => [area.counters['reads'], area.counters['readSectors']])).toEqual([[2, 16], [0, 0]]);
    const listed = json(['stats', 'list', a], 'list').document['report'];
    const theirs = differential.runStep('dmsetup', cmd('stats', 'list', '--noheadings', '--separator', '|', '-o', 'region_id,area_count', a)).stdout!;
    expect(listed!.map((row) => { const r = row as Record<string, unknown>; return `${r['region_id']}|${r['area_count']}`; })).toEqual(theirs.trim().split('\n'));
    const report = json(['stats', 'report', '-o', 'region_id,area_id,read_count,reads_per_sec', '--area', a], 'report').document['report'];
    expect(report).toEqual([
      { region_id: 0, area_id: 0, read_count: 2, reads_per_sec: '2.00' },
      { region_id: 0, area_id: 1, read_count: 0, reads_per_sec: '0.00' },
      { region_id: 1, area_id: 0, read_count: 2, reads_per_sec: '2.00' },
    ]);
    expect(json(['stats', 'group', '--regions', '0,1', a], 'group').document['groups']).toEqual([{ name: a, groupId: 0, alias: '', regions: '0,1' }]);
    expect(json(['stats', 'clear', '--regionid', '1', a], 'clear').document['cleared']).toEqual([{ name: a, regionId: 1 }]);
    expect(json(['stats', 'ungroup', '--groupid', '0', a], 'ungroup').document['ungrouped']).toEqual([{ name: a, groupId: 0 }]);
    expect(json(['stats', 'delete', '--allregions', a], 'delete').document['deleted']).toEqual([{ name: a, regionId: 0 }, { name: a, regionId: 1 }]);
    expect(json(['measure', a]).document['devices']).toEqual([{ name: a, rows: [{ start: 0, length: 2048, type: 'zero', params: '' }] }]);
  });
});
