/**
 * Name and uuid mangling, tsdmsetup against Debian's dmsetup 1.02.185 (libdm's mangle_string and
 * unmangle_string, `--manglename`, DM_DEFAULT_NAME_MANGLING_MODE, `mangle`): names with spaces,
 * backslashes, `\x20` sequences and UTF-8 made in each mode, the mixtures libdm refuses, and what
 * ls, info, table, rename and the report fields show of them. Same stdout, stderr and status for
 * every step (test/helpers/differential.ts); the /dev/mapper nodes made must match too.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DeviceMapper } from '../../lib/index.js';
import { runTsdmsetup } from '../helpers/cli.js';
import { deviceNames } from '../helpers/devices.js';
import { cmd, DIFFERENTIAL_ENV, Differential, type Step } from '../helpers/differential.js';

const names = deviceNames('mangle');
const dev = names.of;
const differential = new Differential(names.prefix);

const none = (...args: string[]): Step => cmd('--manglename', 'none', ...args);
const hex = (...args: string[]): Step => cmd('--manglename', 'hex', ...args);
const withEnv = (mode: string, ...args: string[]): Step => ({ args, env: { DM_DEFAULT_NAME_MANGLING_MODE: mode } });
const nodes: Step = { shell: `ls /dev/mapper | grep '^${names.prefix}' || true`, capture: true };
const zero = ['--table', '0 8 zero'];
const mangledFields = ['-c', '-o', 'name,mangled_name,unmangled_name,uuid,mangled_uuid,unmangled_uuid'];

afterEach(() => {
  differential.cleanUp();
});

afterAll(() => {
  differential.printTally('cli-differential-mangle');
});

// Each step starts a process per tool (node's start-up dominates): allow for a slow, shared guest.
describe('name mangling: tsdmsetup and dmsetup print the same', { timeout: 180_000 }, () => {
  it('create in auto (the default), hex and none; what ls, info, table and the fields show in each mode', () => {
    const results = differential.expectSameAsDmsetup([
      cmd('create', dev('a b'), '-u', 'MANGLE-U U', ...zero),
      cmd('create', dev('c\\x20d'), ...zero),
      cmd('create', dev('back\\slash'), ...zero),
      cmd('create', dev('zürich'), ...zero),
      hex('create', dev('h\\x20'), ...zero),
      cmd('--manglename', 'HEX', 'create', dev('h2 $'), ...zero),
      cmd('ls'),
      none('ls'),
      hex('ls'),
      nodes,
      cmd('info', dev('a b')),
      cmd('info', dev('a\\x20b')),
      none('info', dev('a b')),
      none('info', dev('a\\x20b')),
      cmd('info', '-u', 'MANGLE-U U'),
      cmd('info', '-u', 'MANGLE-U\\x20U'),
      cmd('info', `/dev/mapper/${dev('a\\x20b')}`),
      cmd('info', ...mangledFields),
      none('info', ...mangledFields),
      hex('info', ...mangledFields),
      cmd('info', '-c', '-o', 'name,uuid', '--noheadings', '-O', 'name'),
      cmd('table'),
      cmd('status', dev('zürich'), dev('a b')),
      none('table'),
      cmd('ls', '--tree', '-o', 'ascii,uuid'),
      cmd('remove', dev('a b')),
      hex('remove', dev('h\\x20')),
      cmd('remove', dev('h\\x20')),
      cmd('ls'),
    ]);
    // The sequence really made mangled names in the kernel.
    expect(results.find((r) => r.step === '--manglename none ls')?.stdout).toContain(`${dev('a\\x20b')}\t(`);
  });

  it('a raw name made in none mode: auto and hex refuse to list, mangle renames it', () => {
    const results = differential.expectSameAsDmsetup([
      none('create', dev('raw x'), ...zero),
      cmd('create', dev('ok'), ...zero),
      cmd('ls'),
      hex('ls'),
      cmd('info'),
      cmd('info', dev('ok')),
      cmd('info', '-c', '-o', 'name', dev('ok')),
      none('ls'),
      none('info', '-c', '-o', 'name,mangled_name,unmangled_name'),
      cmd('mangle', dev('ok')),
      cmd('mangle', dev('nope')),
      cmd('mangle'),
      nodes,
      cmd('ls'),
      cmd('mangle', '--manglename', 'none'),
      none('ls'),
      cmd('mangle', '--manglename', 'hex', dev('raw x')),
      cmd('mangle', '--manglename', 'auto', dev('raw x'), dev('ok')),
      none('ls'),
      nodes,
    ]);
    expect(results.find((r) => r.step === 'mangle')?.stdout).toContain('renaming to');
  });

  it("mangle: uuids in the wrong form, names mangled twice, hex's double backslash", () => {
    differential.expectSameAsDmsetup([
      none('create', dev('u'), '-u', 'MANGLE-RAW UUID', ...zero),
      hex('create', dev('twice x'), ...zero),
      none('ls'),
      cmd('mangle', dev('u')),
      cmd('mangle', '--manglename', 'none', dev('u')),
      none('info', '-c', '-o', 'name,uuid,mangled_uuid'),
      cmd('mangle', dev('twice\\x5cx20x')),
      cmd('mangle', '--manglename', 'none', dev('twice\\x5cx20x')),
      none('ls'),
    ]);
  });

  it('mixed and doubly mangled names and uuids, too-long mangled forms: libdm refuses before any ioctl', () => {
    differential.expectSameAsDmsetup([
      cmd('create', dev('mix\\x20 y'), ...zero),
      cmd('create', dev('mix y\\x20'), ...zero),
      cmd('create', dev('end\\x2'), ...zero),
      cmd('create', dev('again\\x5cx20'), ...zero),
      hex('create', dev('again\\x5cx20'), ...zero),
      cmd('create', dev('m'), '-u', 'U U\\x20', ...zero),
      cmd('create', dev(`${'l'.repeat(100)} `), ...zero),
      cmd('create', dev(`${'l'.repeat(110)}`), ...zero),
      hex('create', dev(`${'l'.repeat(109)} `), ...zero),
      cmd('create', dev('m'), '-u', ` ${'u'.repeat(125)}`, ...zero),
      cmd('info', dev('mix\\x20 y')),
      cmd('table', dev('mix\\x20 y')),
      cmd('remove', dev('mix\\x20 y')),
      cmd('create', dev('r'), ...zero),
      cmd('rename', dev('r'), dev('mix\\x20 y')),
      cmd('rename', dev('r'), dev('again\\x5cx20')),
      cmd('rename', dev('r'), '--setuuid', 'U U\\x20'),
      cmd('rename', dev('r'), '--setuuid', 'U\\x5cx20'),
      cmd('rename', dev('r'), dev(`${'l'.repeat(110)} `)),
      cmd('ls'),
    ]);
  });

  it('rename and --setuuid in each mode', () => {
    differential.expectSameAsDmsetup([
      cmd('create', dev('r'), ...zero),
      cmd('rename', dev('r'), dev('new name')),
      cmd('rename', dev('new name'), dev('next\\x20name')),
      none('ls'),
      nodes,
      hex('rename', dev('next name'), dev('hex\\x20name')),
      none('ls'),
      cmd('rename', dev('hex\\x20name'), '--setuuid', 'MANGLE-SET UUID'),
      cmd('info', '-c', '-o', 'name,uuid,mangled_uuid,unmangled_uuid'),
      none('rename', dev('hex\\x5cx20name'), dev('raw name')),
      none('ls'),
      nodes,
      cmd('ls'),
      cmd('mangle', dev('raw name')),
      cmd('ls'),
    ]);
  });

  it('DM_DEFAULT_NAME_MANGLING_MODE, and --manglename overriding it', () => {
    differential.expectSameAsDmsetup([
      withEnv('hex', 'create', dev('e\\x20'), ...zero),
      withEnv('NONE', 'create', dev('e raw'), ...zero),
      withEnv('none', 'ls'),
      withEnv('bogus', 'ls'),
      withEnv('none', '--manglename', 'auto', 'ls'),
      withEnv('auto', '--manglename', 'none', 'ls'),
      withEnv('hex', 'info', '-c', '-o', 'name,mangled_name'),
      withEnv('none', 'mangle', dev('e raw')),
      withEnv('none', 'ls'),
      withEnv('hex', 'mangle'),
    ]);
  });

  it('mknodes names nodes by the unmangled name too, in auto and hex, and leaves them as dmsetup does', () => {
    differential.expectSameAsDmsetup([
      cmd('create', dev('a b'), ...zero),
      cmd('create', dev('ok'), ...zero),
      nodes,
      cmd('mknodes'),
      nodes,
      { shell: `rm -f '/dev/mapper/${dev('a b')}'` },
      cmd('mknodes', dev('a b')),
      nodes,
      none('mknodes'),
      nodes,
      hex('mknodes', dev('a\\x20b')),
      nodes,
      cmd('mknodes'),
      cmd('remove', dev('a b')),
      nodes,
      none('create', dev('raw c'), ...zero),
      cmd('mknodes'),
      nodes,
      none('remove', dev('raw c')),
      cmd('mknodes'),
      nodes,
      none('mknodes'),
      nodes,
    ]);
  });

  it('bad --manglename values', () => {
    differential.expectSameAsDmsetup([
      cmd('--manglename', 'bogus', 'ls'),
      cmd('--manglename', '', 'ls'),
      cmd('--manglename'),
      cmd('--manglename=Auto', 'ls'),
      cmd('--manglen', 'hex', 'ls'),
      cmd('ls', '--manglename', 'none', '--manglename', 'wrong'),
      cmd('mangle', '--manglename', 'nope'),
    ]);
  });
});

describe('the library and --json show names as the mode says', () => {
  it('nameMangling: auto sends the mangled name, none reads the kernel name back, hex doubles the backslash', () => {
    using auto = DeviceMapper.open({ nameMangling: 'auto' });
    using raw = DeviceMapper.open({ nameMangling: 'none' });
    using hexed = DeviceMapper.open({ nameMangling: 'hex' });
    try {
      const made = auto.createDevice(dev('lib a'), [{ start: 0, length: 8, type: 'zero', params: '' }], { uuid: 'MANGLE-LIB U' });
      expect(made.name).toBe(dev('lib a'));
      expect(raw.info({ major: made.major, minor: made.minor })).toMatchObject({ name: dev('lib\\x20a'), uuid: 'MANGLE-LIB\\x20U' });
      expect(hexed.info({ uuid: 'MANGLE-LIB U' }).name).toBe(dev('lib a'));
      expect(auto.list().find((d) => d.major === made.major && d.minor === made.minor)?.name).toBe(dev('lib a'));
      hexed.rename({ name: dev('lib a') }, dev('lib\\x20b'));
      const number = { major: made.major, minor: made.minor };
      expect(raw.info(number).name).toBe(dev('lib\\x5cx20b'));
      expect(hexed.info(number).name).toBe(dev('lib\\x20b'));
      expect(hexed.nodePath(dev('lib\\x20b'))).toBe(`/dev/mapper/${dev('lib\\x5cx20b')}`);
      const json = JSON.parse(runTsdmsetup(['info', '--json', '--manglename', 'hex', dev('lib\\x20b')], { env: DIFFERENTIAL_ENV }).stdout);
      expect(json.devices[0]).toMatchObject({ name: dev('lib\\x20b'), uuid: 'MANGLE-LIB U' });
      const none = JSON.parse(runTsdmsetup(['info', '--json', '--manglename', 'none', dev('lib\\x5cx20b')], { env: DIFFERENTIAL_ENV }).stdout);
      expect(none.devices[0]).toMatchObject({ name: dev('lib\\x5cx20b'), uuid: 'MANGLE-LIB\\x20U' });
    } finally {
      differential.cleanUp();
    }
  });

  it('a raw kernel name makes an auto handle refuse the list with libdm’s line, as a DmError', () => {
    using raw = DeviceMapper.open({ nameMangling: 'none' });
    using auto = DeviceMapper.open({ nameMangling: 'auto' });
    try {
      raw.createDevice(dev('lib raw'), [{ start: 0, length: 8, type: 'zero', params: '' }]);
      expect(() => auto.list()).toThrow(
        expect.objectContaining({
          name: 'DmError',
          code: 'EINVAL',
          lines: [`The name "${dev('lib raw')}" should be mangled but it contains blacklisted characters.`],
        }),
      );
      expect(() => auto.create(dev('mix\\x20 y'))).toThrow(expect.objectContaining({ kind: 'invalid-argument', code: 'EINVAL' }));
    } finally {
      differential.cleanUp();
    }
  });
});
