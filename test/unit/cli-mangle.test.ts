/**
 * cli/mangle.ts: the run's mangling mode (--manglename, the environment, `mangle`) and the
 * MangledName/UnmangledName field values per mode (dm_task_get_name_mangled and _unmangled).
 */
import { describe, expect, it } from 'vitest';
import { mangledField, manglingRefusal, runNameMangling, unmangledField } from '../../cli/mangle.js';

describe('runNameMangling', () => {
  it('takes --manglename, else DM_DEFAULT_NAME_MANGLING_MODE, else auto; mangle looks up in none', () => {
    expect(runNameMangling({ manglename: 'HEX' } as never, 'info', {})).toBe('hex');
    expect(runNameMangling({ manglename: 'auto' } as never, 'info', { DM_DEFAULT_NAME_MANGLING_MODE: 'none' })).toBe('auto');
    expect(runNameMangling({} as never, 'info', { DM_DEFAULT_NAME_MANGLING_MODE: 'None' })).toBe('none');
    expect(runNameMangling({} as never, 'info', { DM_DEFAULT_NAME_MANGLING_MODE: 'x' })).toBe('auto');
    expect(runNameMangling({ manglename: 'hex' } as never, 'mangle', {})).toBe('none');
  });
});

describe('report field values', () => {
  it('mangled_*: the shown value mangled in the mode, none as auto', () => {
    expect(mangledField('raw space', 'name', 'none')).toEqual({ value: 'raw\\x20space' });
    expect(mangledField('a\\x20b', 'name', 'hex')).toEqual({ value: 'a\\x5cx20b' });
    expect(mangledField('a b\\x20', 'UUID', 'auto')).toEqual({
      lines: [
        'The UUID "a b\\x20" contains mixed mangled and unmangled characters or it\'s already mangled improperly.',
        'Failed to mangle device uuid "a b\\x20".',
      ],
    });
  });

  it('unmangled_*: unmangled in none mode only (the other modes unmangled the reply already)', () => {
    expect(unmangledField('U\\x2fX', 'UUID', 'none')).toBe('U/X');
    expect(unmangledField('U\\x2fX', 'UUID', 'auto')).toBe('U\\x2fX');
    expect(unmangledField('raw x', 'name', 'none')).toBe('raw x');
  });

  it("manglingRefusal gives libdm's setter lines, or nothing in none mode", () => {
    expect(manglingRefusal('a b\\x20', 'new name', 'none')).toBeUndefined();
    expect(manglingRefusal('ok', 'name', 'auto')).toBeUndefined();
    expect(manglingRefusal('a\\x5cx', 'new UUID', 'auto')).toEqual([
      'The new UUID "a\\x5cx" seems to be mangled more than once. This is not allowed in auto mode.',
    ]);
  });
});
