/**
 * native-defs against the C headers: a small C probe is compiled with `cc` against
 * <linux/dm-ioctl.h>, <linux/fs.h>, <linux/major.h> and <sys/stat.h>, and every number in
 * native-defs is compared with what the compiler says. The probe also lists every `DM_*` macro of
 * the header (`cc -dM -E`), so a constant the header has and native-defs lacks fails too.
 *
 * Without a C compiler this file fails (it never skips): the ABI would be unproven.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BlockIoctl,
  DmCommand,
  DmCommandMinVersion,
  DmFlag,
  DmIoctlLayout,
  DmNameListFlag,
  DmNameListLayout,
  DmRequest,
  DmTargetDepsLayout,
  DmTargetMsgLayout,
  DmTargetSpecLayout,
  DmTargetVersionsLayout,
  DM_CONTROL_NODE,
  DM_DIR,
  DM_HEADER_VERSION,
  DM_IOCTL_TYPE,
  DM_MAX_TYPE_NAME,
  DM_NAME_LEN,
  DM_UUID_LEN,
  DM_VERSION_MAJOR,
  FileType,
  OpenFlag,
  LibcPrototypes,
  MiscDevice,
  type DmCommandName,
} from '../../native-defs/index.js';

const INSTALL_HINT = 'apt-get install -y gcc libc6-dev linux-libc-dev';

/** The fields of each structure, in header order, as the header declares them. */
const STRUCT_FIELDS = {
  dm_ioctl: ['version', 'data_size', 'data_start', 'target_count', 'open_count', 'flags', 'event_nr', 'padding', 'dev', 'name', 'uuid', 'data'],
  dm_target_spec: ['sector_start', 'length', 'status', 'next', 'target_type'],
  dm_target_deps: ['count', 'padding', 'dev'],
  dm_name_list: ['dev', 'next', 'name'],
  dm_target_versions: ['next', 'version', 'name'],
  dm_target_msg: ['sector', 'message'],
} as const;
type StructName = keyof typeof STRUCT_FIELDS;

const LAYOUTS: Record<StructName, Record<string, number>> = {
  dm_ioctl: DmIoctlLayout,
  dm_target_spec: DmTargetSpecLayout,
  dm_target_deps: DmTargetDepsLayout,
  dm_name_list: DmNameListLayout,
  dm_target_versions: DmTargetVersionsLayout,
  dm_target_msg: DmTargetMsgLayout,
};

const commandNames = Object.keys(DmCommand) as DmCommandName[];

/** Macros of <linux/dm-ioctl.h> that native-defs deliberately does not mirror. */
const UNMIRRORED_MACROS = new Set(['DM_VERSION_EXTRA']);

/** Every DM_* macro of the header, with the native-defs value it must equal. */
function expectedMacros(): Map<string, number | string> {
  const expected = new Map<string, number | string>([
    ['DM_DIR', DM_DIR],
    ['DM_CONTROL_NODE', DM_CONTROL_NODE],
    ['DM_MAX_TYPE_NAME', DM_MAX_TYPE_NAME],
    ['DM_NAME_LEN', DM_NAME_LEN],
    ['DM_UUID_LEN', DM_UUID_LEN],
    ['DM_IOCTL', DM_IOCTL_TYPE],
    ['DM_VERSION_MAJOR', DM_HEADER_VERSION[0]],
    ['DM_VERSION_MINOR', DM_HEADER_VERSION[1]],
    ['DM_VERSION_PATCHLEVEL', DM_HEADER_VERSION[2]],
    ['DM_NAME_LIST_FLAG_HAS_UUID', DmNameListFlag.HAS_UUID],
    ['DM_NAME_LIST_FLAG_DOESNT_HAVE_UUID', DmNameListFlag.DOESNT_HAVE_UUID],
  ]);
  for (const name of commandNames) expected.set(`DM_${name}`, DmRequest[name]);
  for (const [name, value] of Object.entries(DmFlag)) {
    if (name === 'EXISTS') continue; // libdevmapper-private, checked on its own below
    // The header spells this one without the _FLAG suffix.
    expected.set(name === 'DEFERRED_REMOVE' ? 'DM_DEFERRED_REMOVE' : `DM_${name}_FLAG`, value);
  }
  return expected;
}

/** What the compiler says, parsed from the probe's JSON. */
interface ProbeResult {
  sizeof: Record<string, number>;
  offsetof: Record<string, Record<string, number>>;
  commands: Record<string, number>;
  macros: Record<string, number | string>;
  other: Record<string, number>;
}

function cc(args: string[], input?: string): string {
  try {
    return execFileSync('cc', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`No C compiler (cc) to check the ABI against the kernel headers. Install one: ${INSTALL_HINT}`);
    throw new Error(`cc ${args.join(' ')} failed (missing headers? ${INSTALL_HINT}):\n${e.stderr ?? String(error)}`);
  }
}

/** The names of every DM_* macro that <linux/dm-ioctl.h> defines, with their raw definitions. */
function headerMacros(): Map<string, string> {
  const text = cc(['-dM', '-E', '-x', 'c', '-'], '#include <linux/dm-ioctl.h>\n');
  const macros = new Map<string, string>();
  for (const match of text.matchAll(/^#define (DM_\w+) (.*)$/gm)) macros.set(match[1]!, match[2]!);
  return macros;
}

/** C source that prints every size, offset, command and macro as one JSON object. */
function probeSource(macros: Map<string, string>): string {
  const lines: string[] = [];
  const section = (name: string, entries: string[]): void => {
    lines.push(`  printf("\\"${name}\\": {\\n");`);
    entries.forEach((entry, i) => lines.push(`  ${entry} printf("${i + 1 < entries.length ? ',' : ''}\\n");`));
    lines.push(`  printf("}");`);
  };
  const num = (key: string, expr: string): string => `printf("\\"${key}\\": %llu", (unsigned long long)(${expr}));`;
  const str = (key: string, expr: string): string => `printf("\\"${key}\\": \\"%s\\"", ${expr});`;

  lines.push('  printf("{\\n");');
  section('sizeof', Object.keys(STRUCT_FIELDS).map((s) => num(s, `sizeof(struct ${s})`)));
  lines.push('  printf(",\\n\\"offsetof\\": {\\n");');
  Object.entries(STRUCT_FIELDS).forEach(([s, fields], i, all) => {
    section(s, fields.map((f) => num(f, `offsetof(struct ${s}, ${f})`)));
    if (i + 1 < all.length) lines.push('  printf(",\\n");');
  });
  lines.push('  printf("},\\n");');
  section('commands', commandNames.map((c) => num(c, `DM_${c}_CMD`)));
  lines.push('  printf(",\\n");');
  section(
    'macros',
    [...macros].map(([name, definition]) => (definition.startsWith('"') ? str(name, name) : num(name, name))),
  );
  lines.push('  printf(",\\n");');
  section('other', [
    num('BLKRAGET', 'BLKRAGET'),
    num('BLKRASET', 'BLKRASET'),
    num('MISC_MAJOR', 'MISC_MAJOR'),
    num('S_IFMT', 'S_IFMT'),
    num('S_IFCHR', 'S_IFCHR'),
    num('S_IFBLK', 'S_IFBLK'),
    num('sizeof_dev_t', 'sizeof(dev_t)'),
    num('sizeof_mode_t', 'sizeof(mode_t)'),
    num('sizeof_uid_t', 'sizeof(uid_t)'),
    num('sizeof_unsigned_long', 'sizeof(unsigned long)'),
    num('O_PATH', 'O_PATH'),
    num('O_NOFOLLOW', 'O_NOFOLLOW'),
  ]);
  lines.push('  printf("}\\n");');
  return [
    '#define _GNU_SOURCE',
    '#include <fcntl.h>',
    '#include <stddef.h>',
    '#include <stdio.h>',
    '#include <sys/stat.h>',
    '#include <sys/types.h>',
    '#include <linux/dm-ioctl.h>',
    '#include <linux/fs.h>',
    '#include <linux/major.h>',
    '',
    'int main(void) {',
    ...lines,
    '  return 0;',
    '}',
    '',
  ].join('\n');
}

let workDir: string | undefined;
let cached: { probe: ProbeResult; macros: Map<string, string> } | undefined;

/**
 * Compiles and runs the probe once. Each test calls it, so without cc every test fails with the
 * install command (a failing beforeAll would only mark them skipped).
 */
function compiled(): { probe: ProbeResult; macros: Map<string, string> } {
  if (!cached) {
    workDir ??= mkdtempSync(join(tmpdir(), 'tsdm-abi-probe-'));
    const macros = headerMacros();
    const source = join(workDir, 'probe.c');
    const binary = join(workDir, 'probe');
    writeFileSync(source, probeSource(macros));
    cc(['-std=gnu11', '-Wall', '-Werror', '-o', binary, source]);
    cached = { probe: JSON.parse(execFileSync(binary, { encoding: 'utf8' })) as ProbeResult, macros };
  }
  return cached;
}

const probe = (): ProbeResult => compiled().probe;
const headerMacroNames = (): string[] => [...compiled().macros.keys()];

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('structure layouts (structs.ts)', () => {
  it.each(Object.keys(STRUCT_FIELDS) as StructName[])('struct %s: sizeof and every field offset', (struct) => {
    const layout = LAYOUTS[struct];
    const { size, ...fields } = layout;
    expect(size).toBe(probe().sizeof[struct]);
    // Same fields, in both directions: a field the header has and the layout lacks fails too.
    expect(Object.keys(fields)).toEqual([...STRUCT_FIELDS[struct]]);
    expect(fields).toEqual(probe().offsetof[struct]);
  });

  it('struct dm_ioctl is 312 bytes, the size every request number encodes', () => {
    expect(probe().sizeof['dm_ioctl']).toBe(312);
    expect(DmIoctlLayout.size).toBe(312);
  });
});

describe('request numbers and commands (dm-ioctl.ts)', () => {
  it('all 18 commands, numbered as the header’s enum', () => {
    expect(commandNames).toHaveLength(18);
    expect(DmCommand).toEqual(probe().commands);
  });

  it.each(commandNames)('DM_%s is _IOWR(0xfd, nr, struct dm_ioctl) as compiled', (name) => {
    expect(DmRequest[name]).toBe(probe().macros[`DM_${name}`]);
    // And it is what the comment on DmRequest promises.
    expect(DmRequest[name]).toBe((0xc138fd00 | DmCommand[name]) >>> 0);
  });

  it('DmRequest and DmCommandMinVersion cover exactly the commands', () => {
    expect(Object.keys(DmRequest).sort()).toEqual([...commandNames].sort());
    expect(Object.keys(DmCommandMinVersion).sort()).toEqual([...commandNames].sort());
  });

  it('no command asks for an interface newer than the header’s (the driver would refuse it)', () => {
    for (const [major, minor] of Object.values(DmCommandMinVersion)) {
      expect(major).toBe(DM_HEADER_VERSION[0]);
      expect(minor).toBeLessThanOrEqual(DM_HEADER_VERSION[1]);
    }
  });
});

describe('header macros (dm-ioctl.ts)', () => {
  it('every DM_* macro of <linux/dm-ioctl.h> has a native-defs value, and every value a macro', () => {
    const inHeader = headerMacroNames().filter((name) => !UNMIRRORED_MACROS.has(name)).sort();
    expect(inHeader).toEqual([...expectedMacros().keys()].sort());
  });

  it.each([...expectedMacros()])('%s = %s', (macro, value) => {
    expect(probe().macros[macro]).toBe(value);
  });

  it('DM_HEADER_VERSION is the header’s DM_VERSION_MAJOR.MINOR.PATCHLEVEL, and the library speaks its major', () => {
    expect(DM_HEADER_VERSION).toEqual([
      probe().macros['DM_VERSION_MAJOR'],
      probe().macros['DM_VERSION_MINOR'],
      probe().macros['DM_VERSION_PATCHLEVEL'],
    ]);
    expect(DM_VERSION_MAJOR).toBe(probe().macros['DM_VERSION_MAJOR']);
  });

  it('DmFlag.EXISTS (libdevmapper-private) is 1<<2, absent from the header, and collides with no header flag', () => {
    expect(DmFlag.EXISTS).toBe(1 << 2);
    expect(headerMacroNames().includes('DM_EXISTS_FLAG')).toBe(false);
    const headerFlags = [...expectedMacros()]
      .filter(([name]) => (name.endsWith('_FLAG') && !name.startsWith('DM_NAME_LIST_')) || name === 'DM_DEFERRED_REMOVE')
      .map(([name]) => probe().macros[name] as number);
    expect(headerFlags).toHaveLength(Object.keys(DmFlag).length - 1);
    for (const flag of headerFlags) expect(flag & DmFlag.EXISTS).toBe(0);
  });

  it('every DmFlag is a single bit, and no two share one', () => {
    const values = Object.values(DmFlag);
    for (const value of values) expect(value > 0 && (value & (value - 1)) === 0).toBe(true);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('libc and block-device constants (libc.ts)', () => {
  it('BLKRAGET and BLKRASET from <linux/fs.h>', () => {
    expect(BlockIoctl.BLKRAGET).toBe(probe().other['BLKRAGET']);
    expect(BlockIoctl.BLKRASET).toBe(probe().other['BLKRASET']);
  });

  it('O_PATH and O_NOFOLLOW from <fcntl.h>', () => {
    expect(OpenFlag).toEqual({ O_PATH: probe().other['O_PATH'], O_NOFOLLOW: probe().other['O_NOFOLLOW'] });
  });

  it('MISC_MAJOR from <linux/major.h>; S_IFMT, S_IFCHR, S_IFBLK from <sys/stat.h>', () => {
    expect(MiscDevice.MISC_MAJOR).toBe(probe().other['MISC_MAJOR']);
    expect(FileType).toEqual({ S_IFMT: probe().other['S_IFMT'], S_IFCHR: probe().other['S_IFCHR'], S_IFBLK: probe().other['S_IFBLK'] });
  });

  it('MAPPER_CTRL_MINOR is the minor that Debian’s dm_mod module registers for mapper/control', () => {
    // Not in any uapi header (it lives in the kernel's include/linux/miscdevice.h); the kernel's
    // own modules.devname (from user-mode-linux, the test bed) says it.
    const modulesDir = '/usr/lib/uml/modules';
    if (!existsSync(modulesDir)) throw new Error(`No ${modulesDir} to read modules.devname from. Install: apt-get install -y user-mode-linux`);
    const lines = readdirSync(modulesDir).flatMap((release) =>
      readFileSync(join(modulesDir, release, 'modules.devname'), 'utf8').split('\n'),
    );
    const entry = lines.find((line) => /^dm_mod\s+mapper\/control\s/.test(line));
    expect(entry).toBe(`dm_mod mapper/control c${MiscDevice.MISC_MAJOR}:${MiscDevice.MAPPER_CTRL_MINOR}`);
  });

  it('the koffi prototypes use the C types’ real widths (mode_t, dev_t, uid_t, unsigned long)', () => {
    expect(probe().other['sizeof_mode_t']).toBe(4);
    expect(probe().other['sizeof_dev_t']).toBe(8);
    expect(LibcPrototypes.mknod).toBe('int mknod(const char *path, uint32_t mode, uint64_t dev)');
    expect(probe().other['sizeof_uid_t']).toBe(4);
    // koffi's `unsigned long` follows the platform, like the ioctl request argument.
    expect(LibcPrototypes.ioctl).toContain('unsigned long request');
    expect(probe().other['sizeof_unsigned_long']).toBe(8);
  });
});
