/**
 * native-defs/loop.ts against the C headers: a C probe compiled against <linux/loop.h> and
 * <linux/major.h> prints every ioctl number, flag, size and field offset, and each must equal
 * native-defs. Every LOOP_* / LO_* macro and every LO_FLAGS_* enumerator of the header must be
 * mirrored too (bar the obsolete encryption types), so one the header gains fails here.
 *
 * Without a C compiler this file fails (it never skips): the ABI would be unproven.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LO_KEY_SIZE,
  LO_NAME_SIZE,
  LoopConfigLayout,
  LoopControlIoctl,
  LoopFlag,
  LoopInfo64Layout,
  LoopIoctl,
  LoopNode,
  LoopSettableFlags,
} from '../../native-defs/index.js';
import { definedMacros, preprocessed, probeValues } from '../helpers/c-probe.js';

const HEADERS = ['linux/loop.h', 'linux/major.h'];

/** The fields of each structure, in header order. */
const STRUCT_FIELDS = {
  loop_info64: [
    'lo_device', 'lo_inode', 'lo_rdevice', 'lo_offset', 'lo_sizelimit', 'lo_number', 'lo_encrypt_type',
    'lo_encrypt_key_size', 'lo_flags', 'lo_file_name', 'lo_crypt_name', 'lo_encrypt_key', 'lo_init',
  ],
  loop_config: ['fd', 'block_size', 'info', '__reserved'],
} as const;
type StructName = keyof typeof STRUCT_FIELDS;
const LAYOUTS: Record<StructName, Record<string, number>> = { loop_info64: LoopInfo64Layout, loop_config: LoopConfigLayout };

/** Header macros native-defs deliberately does not mirror: encryption types the kernel ignores since 5.x. */
const UNMIRRORED = /^(LO_CRYPT_\w+|MAX_LO_CRYPT)$/;

/** Every LOOP_* / LO_* macro with the native-defs value it must equal. */
const MIRRORED_MACROS: Record<string, number> = {
  ...LoopIoctl,
  ...LoopControlIoctl,
  ...LoopSettableFlags,
  LO_NAME_SIZE,
  LO_KEY_SIZE,
};

let cached: Record<string, number> | undefined;

/** What the compiler says about every value above, compiled once (each test calls it, so no cc fails every test). */
function probe(): Record<string, number> {
  if (cached) return cached;
  const values: Record<string, string> = { LOOP_MAJOR: 'LOOP_MAJOR' };
  for (const name of Object.keys(MIRRORED_MACROS)) values[name] = name;
  for (const name of Object.keys(LoopFlag)) values[`LO_FLAGS_${name}`] = `LO_FLAGS_${name}`;
  for (const [struct, fields] of Object.entries(STRUCT_FIELDS)) {
    values[`sizeof_${struct}`] = `sizeof(struct ${struct})`;
    for (const field of fields) values[`${struct}.${field}`] = `offsetof(struct ${struct}, ${field})`;
  }
  values['sizeof_lo_file_name'] = 'sizeof(((struct loop_info64 *)0)->lo_file_name)';
  values['sizeof_lo_encrypt_key'] = 'sizeof(((struct loop_info64 *)0)->lo_encrypt_key)';
  cached = probeValues(HEADERS, values);
  return cached;
}

describe('loop structure layouts', () => {
  it.each(Object.keys(STRUCT_FIELDS) as StructName[])('struct %s: sizeof and every field offset', (struct) => {
    const { size, ...fields } = LAYOUTS[struct];
    expect(size).toBe(probe()[`sizeof_${struct}`]);
    // Same fields in the same order: one the header has and the layout lacks fails too.
    expect(Object.keys(fields)).toEqual([...STRUCT_FIELDS[struct]]);
    const compiled = Object.fromEntries(STRUCT_FIELDS[struct].map((f) => [f, probe()[`${struct}.${f}`]]));
    expect(fields).toEqual(compiled);
  });

  it('loop_config embeds a whole loop_info64, and the name and key arrays are LO_NAME_SIZE and LO_KEY_SIZE long', () => {
    expect(LoopConfigLayout.__reserved - LoopConfigLayout.info).toBe(LoopInfo64Layout.size);
    expect(probe()['sizeof_lo_file_name']).toBe(LO_NAME_SIZE);
    expect(probe()['sizeof_lo_encrypt_key']).toBe(LO_KEY_SIZE);
  });
});

describe('loop ioctl numbers, flags and macros', () => {
  it.each(Object.entries(MIRRORED_MACROS))('%s = %s', (name, value) => {
    expect(probe()[name]).toBe(value);
  });

  it.each(Object.entries(LoopFlag))('LO_FLAGS_%s = %s', (name, value) => {
    expect(probe()[`LO_FLAGS_${name}`]).toBe(value);
  });

  it('every LOOP_* and LO_* macro of <linux/loop.h> is mirrored, and every mirrored name is a macro', () => {
    const inHeader = [...definedMacros(['linux/loop.h'], /^(LOOP|LO|MAX_LO)_/).keys()].filter((name) => !UNMIRRORED.test(name));
    expect(inHeader.sort()).toEqual(Object.keys(MIRRORED_MACROS).sort());
  });

  it('every LO_FLAGS_* enumerator of the header is in LoopFlag, and each is a single distinct bit', () => {
    const enumerators = [...preprocessed(['linux/loop.h']).matchAll(/\bLO_FLAGS_(\w+)\s*=/g)].map((m) => m[1]!);
    expect(enumerators.sort()).toEqual(Object.keys(LoopFlag).sort());
    const bits = Object.values(LoopFlag);
    for (const bit of bits) expect(bit > 0 && (bit & (bit - 1)) === 0).toBe(true);
    expect(new Set(bits).size).toBe(bits.length);
  });

  it('LOOP_MAJOR from <linux/major.h>', () => {
    expect(LoopNode.LOOP_MAJOR).toBe(probe()['LOOP_MAJOR']);
  });

  it('LOOP_CTRL_MINOR is the minor the loop module registers for loop-control (its modules.devname)', () => {
    // Not in any uapi header (include/linux/miscdevice.h); the test bed's modules.devname says it.
    const modulesDir = '/usr/lib/uml/modules';
    if (!existsSync(modulesDir)) throw new Error(`No ${modulesDir} to read modules.devname from. Install: apt-get install -y user-mode-linux`);
    const lines = readdirSync(modulesDir).flatMap((release) => readFileSync(join(modulesDir, release, 'modules.devname'), 'utf8').split('\n'));
    expect(lines.find((line) => /^loop\s/.test(line))).toBe(`loop ${LoopNode.LOOP_CONTROL_NODE} c10:${LoopNode.LOOP_CTRL_MINOR}`);
  });
});
