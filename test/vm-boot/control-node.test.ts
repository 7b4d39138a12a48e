/**
 * /dev/mapper/control in every state a system can be in, each scenario in a freshly booted guest:
 * kernel autoload, node creation on a bare /dev, the modprobe fallback, wrong nodes replaced,
 * refusals, and a clean failure when there is no driver at all.
 */
import { describe, expect, it } from 'vitest';
import { bootAndRun, DISABLE_KERNEL_AUTOLOAD, PATH_WITHOUT_MODULES } from '../helpers/boot.js';

const DRIVER_LINE = 'Driver version:    4.47.0';
const STAT = 'stat -c "%F %t:%T %a %U:%G" /dev/mapper/control';
const DM_LOADED = 'lsmod | grep -q "^dm_mod " && echo dm_mod=loaded || echo dm_mod=absent';

describe('the control node', () => {
  it('devtmpfs /dev, dm-mod not loaded: tsdmsetup version works (the kernel autoloads dm-mod)', async () => {
    const result = await bootAndRun(`${DM_LOADED}; tsdmsetup version; echo rc=$?; ${DM_LOADED}`, { dm: false });
    expect(result.stdout).toContain('dm_mod=absent\nLibrary version:');
    expect(result.stdout).toContain(`${DRIVER_LINE}\nrc=0\ndm_mod=loaded`);
  });

  it('tmpfs /dev without the node, dm-mod loaded: the node is made as c 10:236, mode 0600', async () => {
    const result = await bootAndRun(`ls /dev/mapper 2>/dev/null | wc -l; tsdmsetup version; echo rc=$?; ${STAT}`, {
      dev: 'tmpfs',
    });
    expect(result.stdout).toBe(
      `0\nLibrary version:   ${result.stdout.split('Library version:   ')[1]!.split('\n')[0]}\n${DRIVER_LINE}\nrc=0\ncharacter special file a:ec 600 root:root\n`,
    );
  });

  it('tmpfs /dev, dm-mod not loaded, kernel autoload disabled: version works through the modprobe fallback', async () => {
    const result = await bootAndRun(
      `${DISABLE_KERNEL_AUTOLOAD}; ${DM_LOADED}; tsdmsetup version; echo rc=$?; ${DM_LOADED}; ${STAT}`,
      { dev: 'tmpfs', dm: false },
    );
    expect(result.stdout).toMatch(/^dm_mod=absent\n/);
    expect(result.stdout).toContain(`${DRIVER_LINE}\nrc=0\ndm_mod=loaded\ncharacter special file a:ec 600 root:root\n`);
  });

  it('a regular file at the control path is replaced by the right node', async () => {
    const result = await bootAndRun(
      `mkdir -p /dev/mapper; echo junk > /dev/mapper/control; chmod 644 /dev/mapper/control; tsdmsetup version; echo rc=$?; ${STAT}`,
      { dev: 'tmpfs' },
    );
    expect(result.stdout).toContain(`${DRIVER_LINE}\nrc=0\ncharacter special file a:ec 600 root:root\n`);
  });

  it('a char node with a wrong minor, and a block node, at the control path are replaced', async () => {
    const result = await bootAndRun(
      [
        'rm /dev/mapper/control; mknod -m 644 /dev/mapper/control c 10 200',
        'tsdmsetup version >/dev/null; echo rc=$?',
        STAT,
        'rm /dev/mapper/control; mknod -m 600 /dev/mapper/control b 10 236',
        'tsdmsetup version >/dev/null; echo rc=$?',
        STAT,
      ].join('; '),
    );
    expect(result.stdout).toBe(
      'rc=0\ncharacter special file a:ec 600 root:root\nrc=0\ncharacter special file a:ec 600 root:root\n',
    );
  });

  it('a directory, or a symlink out of /dev, at the control path is refused and left alone', async () => {
    const result = await bootAndRun(
      [
        'rm /dev/mapper/control; mkdir /dev/mapper/control',
        'tsdmsetup version; echo rc=$?; test -d /dev/mapper/control && echo still-a-dir',
        'rmdir /dev/mapper/control; mknod /tmp/ctl c 10 236; ln -s /tmp/ctl /dev/mapper/control',
        'tsdmsetup version; echo rc=$?; readlink /dev/mapper/control',
      ].join('; '),
    );
    expect(result.stdout).toContain('rc=1\nstill-a-dir\n');
    expect(result.stdout).toContain('rc=1\n/tmp/ctl\n');
    expect(result.stderr).toContain('/dev/mapper/control is a directory; refusing to use or remove it');
    expect(result.stderr).toContain('/dev/mapper/control is a symbolic link to /tmp/ctl, outside /dev; refusing');
  });

  it('no driver at all (autoload disabled, modules unreachable): exit 1, a clear message, no stack trace, nothing left', async () => {
    const result = await bootAndRun(
      `${DISABLE_KERNEL_AUTOLOAD}; ${PATH_WITHOUT_MODULES}; node dist/cli/bin.js version; echo rc=$?; ls /dev/mapper 2>&1`,
      { dev: 'tmpfs', dm: false },
    );
    expect(result.stdout).toMatch(/^Library version: .*\nrc=1\nls: cannot access '\/dev\/mapper': No such file or directory\n$/);
    // dmsetup's three lines, then what was tried and what to do.
    expect(result.stderr).toContain(
      '/dev/mapper/control: open failed: No such device\n' +
        'Failure to communicate with kernel device-mapper driver.\n' +
        'Check that device-mapper is available in the kernel.\n' +
        'The device-mapper driver is not available. Tried: opening /dev/mapper/control (c 10:236): No such device; ',
    );
    expect(result.stderr).toContain('modprobe dm-mod failed');
    expect(result.stderr).toMatch(/Load the dm-mod module \(modprobe dm-mod\) or use a kernel with device-mapper\.\nCommand failed\.\n$/);
    expect(result.stderr).toContain('Command failed.');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
