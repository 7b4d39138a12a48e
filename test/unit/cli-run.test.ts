/**
 * runCli end to end where no kernel is needed: usage errors, option refusals, the checks commands
 * make before any ioctl, help and --help, exit statuses. stdout and stderr are captured in memory;
 * expected texts are dmsetup 1.02.185's (program name aside).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { usageText } from '../../cli/usage.js';
import { parseCommandLine } from '../../cli/options.js';
import { libraryOptionsFrom } from '../../cli/library-options.js';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, {
    stdout: { write: (text) => void (stdout += text) },
    stderr: { write: (text) => void (stderr += text) },
    stdin: () => stdin,
    program: 'dmsetup',
  });
  return { status, stdout, stderr };
}

const USAGE = usageText('dmsetup');

describe('usage errors', () => {
  it('no command: the usage, exit 1', async () => {
    expect(await run([])).toEqual({ status: 1, stdout: '', stderr: USAGE });
  });

  it('unknown command', async () => {
    expect(await run(['frobnicate'])).toEqual({ status: 1, stdout: '', stderr: `Unknown command.\n${USAGE}` });
  });

  it.each([[['remove_all', 'x']], [['rename']], [['setgeometry', 'a', '1', '2', '3']], [['message', 'a']], [['wait', 'a', '1', '2']], [['target-version']]])(
    '%j: Incorrect number of arguments.',
    async (argv) => {
      expect(await run(argv)).toEqual({ status: 1, stdout: '', stderr: `Incorrect number of arguments.\n${USAGE}` });
    },
  );

  it('an option refusal ends with Couldn\'t process command line.', async () => {
    expect(await run(['-x', 'info'])).toEqual({
      status: 1,
      stdout: '',
      stderr: "dmsetup: invalid option -- 'x'\nCouldn't process command line.\n",
    });
    expect((await run(['--table', 'x', '-n', 'create', 'a'])).stderr).toBe(
      "--table and --notable are incompatible.\nCouldn't process command line.\n",
    );
  });

  it('-o words for deps/ls are checked after the command is known', async () => {
    expect(await run(['deps', '-o', 'bogus'])).toEqual({
      status: 1,
      stdout: '',
      stderr: "Option not recognised: bogus.\nCouldn't process command line.\n",
    });
  });

  it('a bad -c field: the field list and Unrecognised field, no Command failed', async () => {
    const result = await run(['info', '-c', '-o', 'name,nope']);
    expect(result.status).toBe(1);
    expect(result.stderr.startsWith('Mapped Device Name Fields\n')).toBe(true);
    expect(result.stderr.endsWith(' \nUnrecognised field: nope\n')).toBe(true);
  });

  it('--sort with table or status', async () => {
    expect((await run(['table', '-c', '-O', 'name'])).stderr).toBe('--sort is not yet supported with status and table.\n');
  });
});

describe('help', () => {
  it('help and --help print the usage to stderr and exit 0', async () => {
    expect(await run(['help'])).toEqual({ status: 0, stdout: '', stderr: USAGE });
    expect(await run(['--help', 'info', 'nope'])).toEqual({ status: 0, stdout: '', stderr: USAGE });
  });

  it('help -c adds the field list and a " " line', async () => {
    const { stderr } = await run(['help', '-c']);
    expect(stderr.startsWith(`${USAGE}Mapped Device Name Fields\n`)).toBe(true);
    expect(stderr.endsWith('  ?                     - Show help.\n \n')).toBe(true);
  });
});

describe('command checks before any ioctl', () => {
  const failed = (lines: string) => ({ status: 1, stdout: '', stderr: `${lines}\nCommand failed.\n` });

  it.each([
    [['create'], 'Please provide a name for the new device.'],
    [['create', 'a/b', '--table', '0 1 zero'], 'Name "a/b" invalid. It contains "/".'],
    [['create', 'n'.repeat(128), '--table', '0 1 zero'], `Name "${'n'.repeat(128)}" too long.`],
    [['create', 'x', '--table', 'foo'], 'Invalid format on line 1 of table .'],
    [['create', 'x', '--table', '0 8 zero\n\n# c\n0 8'], 'Invalid format on line 4 of table .'],
    [['create', 'x', '--table', '0 8 abcdefghijklmnopq'], 'Target type name abcdefghijklmnopq is too long.'],
    [['create', 'x', '/nonexistent/table'], "Couldn't open '/nonexistent/table' for reading."],
    [['create', '--concise', 'a', 'b'], 'dmsetup create --concise takes at most one argument'],
    [['create', '--concise', '-u', 'u', 'a,,,,0 8 zero'], '--concise is incompatible with --[no]table, --minor, --uuid and --inactive.'],
    [['create', '--concise', 'a,,,rx,0 8 zero'], "Invalid flags parameter 'rx' must be 'ro' or 'rw' or empty."],
    [['create', '--concise', 'a,,'], 'Incomplete entry: five comma-separated fields are required for each device\nParsed 3 fields: name: a uuid:  minor:  flags: (null) table: (null)'],
    [['create', '--concise', 'a\\'], 'Backslash must be followed by another character at end of string.\nParsed 1 fields: name: a uuid: (null) minor: (null) flags: (null) table: (null)'],
    [['create', '--concise', 'a;'], 'Five comma-separated fields are required for each device\nParsed 1 fields: name: a uuid: (null) minor: (null) flags: (null) table: (null)'],
    [['load', '--notable', 'x'], '--notable only available when creating new device.'],
    [['load'], 'Please specify device.'],
    [['load', '-u', 'u', 'a', 'b'], 'Too many command line arguments.'],
    [['reload', 'x', '--table', '0 x zero'], 'Invalid format on line 1 of table .'],
    [['rename', 'a', 'b/c'], 'Name "b/c" invalid. It contains "/".'],
    [['rename', 'a', ''], 'Non empty new name is required.'],
    [['rename', 'a', 'n'.repeat(128)], `Name "${'n'.repeat(128)}" too long`],
    [['rename', 'a', '--setuuid', 'u'.repeat(129)], `Uuid "${'u'.repeat(129)}" too long`],
    [['rename', 'a'], 'No device specified.'],
    [['message', 'a', 'x', 'hello'], 'Invalid sector.'],
    [['message', 'a', '1 ', 'hello'], 'Invalid sector.'],
    [['message', 'a', '18446744073709551616', 'hello'], 'Invalid sector.'],
    [['wait'], 'No device specified.'],
    [['info', 'n'.repeat(128)], `Name "${'n'.repeat(128)}" too long.`],
    [['info', '/nonexistent/dev'], 'Device /nonexistent/dev not found'],
    [['info', 'x/y'], 'Device x/y not found'],
    [['target-version', 'n'.repeat(128)], `Name "${'n'.repeat(128)}" too long.`],
  ])('%j', async (argv, lines) => {
    expect(await run(argv)).toEqual(failed(lines));
  });

  it('a table from stdin is named "on stdin"', async () => {
    expect(await run(['create', 'x'], '0 8 zero\nbad\n')).toEqual(failed('Invalid format on line 2 of table on stdin.'));
  });

  it('a repeatable command stops at the first failing device', async () => {
    expect(await run(['info', 'a/b', 'n'.repeat(200)])).toEqual(failed('Device a/b not found'));
  });
});

describe('splitname (no kernel)', () => {
  it('splits an LVM name into VG, LV and layer, as a report', async () => {
    expect(await run(['splitname', 'vg--x-lv-_mlog'])).toEqual({
      status: 0,
      stdout: 'VG   LV   LVLayer\nvg-x lv   _mlog  \n',
      stderr: '',
    });
  });

  it('splits only for subsystem LVM; -o all means the name-component fields', async () => {
    expect((await run(['splitname', 'vg-lv', 'FOO'])).stdout).toBe('VG   LV   LVLayer\n                 \n');
    expect((await run(['splitname', '-o', 'all', 'a-b'])).stdout).toBe('Subsys VG   LV   LVLayer\nLVM    a    b           \n');
  });

  it('a field of another section has no data', async () => {
    expect(await run(['splitname', '-o', 'name', 'a-b'])).toEqual({
      status: 1,
      stdout: '',
      stderr: '_do_report_object: no data assigned to field name\nCommand failed.\n',
    });
  });
});

describe('options accepted but not acted on yet', () => {
  // Issue 10 made --manglename work (test/vm/cli-differential-mangle.test.ts); it no longer warns.
  it('--manglename auto|hex|none is accepted without a warning, as dmsetup accepts it', async () => {
    for (const mode of ['auto', 'hex', 'none']) {
      const result = await run(['--manglename', mode, 'splitname', 'vg-lv']);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('VG   LV   LVLayer\nvg   lv          \n');
      expect(result.stderr).toBe('');
    }
  });

  // Issue 8 made --udevcookie work (the kernel tests join cookies); it no longer warns.
  it('--udevcookie is accepted without a warning, as dmsetup accepts it', async () => {
    const result = await run(['--udevcookie', '0x0d4d0001', 'splitname', 'vg-lv']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('a prefix shared with a dmsetup option stays dmsetup’s (--udev is --udevcookie); ours need more letters', async () => {
    expect((await run(['--udev', '0x0d4d0001', 'splitname', 'vg-lv'])).stderr).toBe('');
    expect((await run(['--udevt', '5', 'splitname', 'vg-lv'])).status).toBe(0);
    const bad = await run(['--udevtimeout', 'soon', 'splitname', 'vg-lv']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--udevtimeout takes a whole number of seconds (1 or more), not "soon".');
    const mode = await run(['--udevsync=sometimes', 'splitname', 'vg-lv']);
    expect(mode.stderr).toContain('--udevsync is cookie, monitor or off, not "sometimes".');
  });

  it('--udevtimeout, --udevsync, --noudevsync, --verifyudev, --noudevrules and --udevcookie reach the library', () => {
    const parsed = parseCommandLine('dmsetup', ['--udevtimeout', '7', '--udevsync=monitor', '--verifyudev', '--noudevrules', '--udevcookie', '0xd4d0001', 'ls']);
    expect(libraryOptionsFrom(parsed.options, {})).toMatchObject({
      udevTimeoutMs: 7000,
      udevSync: 'monitor',
      verifyUdev: true,
      noUdevRules: true,
      udevCookie: 0xd4d0001,
    });
    expect(libraryOptionsFrom(parseCommandLine('dmsetup', ['--noudevsync', 'ls']).options, {}).udevSync).toBe('off');
    expect(libraryOptionsFrom(parseCommandLine('dmsetup', ['ls']).options, { DM_UDEV_COOKIE: '0xd4d0002' }).udevCookie).toBe(0xd4d0002);
  });
});
