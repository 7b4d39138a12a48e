/**
 * Target modules loaded before a table needs them, where the kernel's own request_module cannot:
 * each scenario in a freshly booted guest with the kernel's autoloader switched off.
 */
import { describe, expect, it } from 'vitest';
import { bootAndRun, DISABLE_KERNEL_AUTOLOAD } from '../helpers/boot.js';

const ZERO_LOADED = 'lsmod | grep -q "^dm_zero " && echo dm_zero=loaded || echo dm_zero=absent';

describe('target modules', () => {
  it('kernel autoload disabled, dm_zero not loaded: tsdmsetup create z --table "0 8 zero" works', async () => {
    const result = await bootAndRun(
      [
        DISABLE_KERNEL_AUTOLOAD,
        ZERO_LOADED,
        // Without our modprobe, the kernel cannot load dm_zero itself: dmsetup's create fails.
        'DM_DISABLE_UDEV=1 dmsetup create z0 --table "0 8 zero" 2>/dev/null; echo dmsetup=$?',
        'DM_DISABLE_UDEV=1 tsdmsetup create z --table "0 8 zero"; echo rc=$?',
        ZERO_LOADED,
        'dmsetup table z',
        'tsdmsetup remove z; dmsetup remove z0 2>/dev/null; true',
      ].join('; '),
    );
    expect(result.stdout).toBe('dm_zero=absent\ndmsetup=1\nrc=0\ndm_zero=loaded\n0 8 zero \n');
  });

  it('an unknown target type fails before any device exists, naming the target', async () => {
    const result = await bootAndRun(
      [
        DISABLE_KERNEL_AUTOLOAD,
        'DM_DISABLE_UDEV=1 tsdmsetup create y --table "0 8 nosuchtarget"; echo rc=$?',
        'dmsetup ls',
        'ls /dev/mapper',
      ].join('; '),
    );
    expect(result.stdout).toBe('rc=1\nNo devices found\ncontrol\n');
    expect(result.stderr).toContain('Target type "nosuchtarget" is not available in the kernel');
    expect(result.stderr).toContain('modprobe dm-nosuchtarget failed');
    expect(result.stderr).toContain('Command failed.');
  });

  it('the library loads thin-pool’s module (dm-thin-pool, no dm-thin alias) for a "thin" table', async () => {
    const result = await bootAndRun(
      [
        DISABLE_KERNEL_AUTOLOAD,
        `node --input-type=module -e "
          import { DeviceMapper } from '${process.cwd()}/dist/lib/index.js';
          const dm = DeviceMapper.open();
          console.log(dm.ensureTargets(['thin', 'thin-pool', 'linear']).map((t) => t.name).join(','));
          dm.close();"`,
        'lsmod | grep -c "^dm_thin_pool "',
      ].join('; '),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('thin,thin-pool,linear\n1\n');
  });
});
