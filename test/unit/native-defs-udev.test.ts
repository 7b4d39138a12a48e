/**
 * native-defs/udev.ts, sysv-sem.ts, netlink.ts and signal.ts against the C headers, the way
 * native-defs.test.ts checks the ioctl ABI: a C probe compiled with `cc` prints every constant
 * and layout, and every DM_UDEV_* / DM_SUBSYSTEM_UDEV_* / DM_COOKIE_* macro of libdm's
 * <libdevmapper.h> must have its value here. Fails (never skips) without cc or the headers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DM_COOKIE_AUTO_CREATE, DM_COOKIE_MAGIC, DM_UDEV_DEV_DIR, DM_UDEV_FLAGS_MASK, DM_UDEV_FLAGS_SHIFT, DmUdevFlag,
  IpcFlag, POLLIN, PollfdLayout, SA_RESETHAND, SEM_UNDO, SEMINFO_SIZE, SemCtl, SembufLayout, SemidDsLayout, SIG_DFL,
  SigactionLayout, SignalNumber, SockaddrNlLayout, Socket, TimespecLayout,
} from '../../native-defs/index.js';

const INSTALL_HINT = 'apt-get install -y gcc libc6-dev linux-libc-dev libdevmapper-dev';
const HEADERS = ['stddef.h', 'stdio.h', 'signal.h', 'poll.h', 'time.h', 'sys/ipc.h', 'sys/sem.h', 'sys/socket.h', 'linux/netlink.h', 'libdevmapper.h'];

/** The libdm macro each DmUdevFlag key mirrors. */
function udevFlagMacro(key: string): string {
  if (key.startsWith('SUBSYSTEM_')) return `DM_SUBSYSTEM_UDEV_FLAG${key.slice('SUBSYSTEM_'.length)}`;
  return key === 'DISABLE_LIBRARY_FALLBACK' ? 'DM_UDEV_DISABLE_LIBRARY_FALLBACK' : `DM_UDEV_${key}_FLAG`;
}

/** Every C expression the probe evaluates, with the native-defs value it must equal. */
const EXPECTED = new Map<string, number>([
  ['DM_COOKIE_MAGIC', DM_COOKIE_MAGIC],
  ['DM_UDEV_FLAGS_SHIFT', DM_UDEV_FLAGS_SHIFT],
  ['DM_UDEV_FLAGS_MASK', DM_UDEV_FLAGS_MASK],
  ['DM_COOKIE_AUTO_CREATE', DM_COOKIE_AUTO_CREATE],
  ...Object.entries(DmUdevFlag).map(([key, value]) => [udevFlagMacro(key), value] as [string, number]),
  ...Object.entries(IpcFlag),
  ...Object.entries(SemCtl),
  ['SEM_UNDO', SEM_UNDO],
  ['sizeof(struct seminfo)', SEMINFO_SIZE],
  ...Object.entries(Socket).filter(([key]) => key !== 'NETLINK_KOBJECT_UEVENT'),
  ['NETLINK_KOBJECT_UEVENT', Socket.NETLINK_KOBJECT_UEVENT],
  ['POLLIN', POLLIN],
  ...Object.entries(SignalNumber),
  ['SA_RESETHAND', SA_RESETHAND],
  ['(long)SIG_DFL', SIG_DFL],
  ['sizeof(key_t)', 4],
  ['sizeof(socklen_t)', 4],
  ['sizeof(nfds_t)', 8],
]);

const LAYOUTS: Record<string, { layout: Record<string, number>; fields: Record<string, string> }> = {
  'struct sembuf': { layout: SembufLayout, fields: { sem_num: 'sem_num', sem_op: 'sem_op', sem_flg: 'sem_flg' } },
  'struct timespec': { layout: TimespecLayout, fields: { tv_sec: 'tv_sec', tv_nsec: 'tv_nsec' } },
  'struct semid_ds': {
    layout: SemidDsLayout,
    fields: { key: 'sem_perm.__key', mode: 'sem_perm.mode', sem_otime: 'sem_otime', sem_ctime: 'sem_ctime', sem_nsems: 'sem_nsems' },
  },
  'struct sockaddr_nl': { layout: SockaddrNlLayout, fields: { nl_family: 'nl_family', nl_pid: 'nl_pid', nl_groups: 'nl_groups' } },
  'struct pollfd': { layout: PollfdLayout, fields: { fd: 'fd', events: 'events', revents: 'revents' } },
  'struct sigaction': {
    layout: SigactionLayout,
    fields: { sa_handler: 'sa_handler', sa_mask: 'sa_mask', sa_flags: 'sa_flags', sa_restorer: 'sa_restorer' },
  },
};

function cc(args: string[], input?: string): string {
  try {
    return execFileSync('cc', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`No C compiler (cc) to check the ABI. Install one: ${INSTALL_HINT}`);
    throw new Error(`cc failed (missing headers? ${INSTALL_HINT}):\n${e.stderr ?? String(error)}`);
  }
}

let dir: string | undefined;
let probed: Record<string, number> | undefined;

/** Compiles and runs the probe once: a JSON object of expression → value. */
function probe(): Record<string, number> {
  if (probed) return probed;
  const expressions = [...EXPECTED.keys()];
  for (const [struct, { fields }] of Object.entries(LAYOUTS)) {
    expressions.push(`sizeof(${struct})`, ...Object.values(fields).map((field) => `offsetof(${struct}, ${field})`));
  }
  const lines = expressions.map((e, i) => `  printf("${i ? ',' : ''}\\"%s\\": %lld\\n", ${JSON.stringify(e)}, (long long)(${e}));`);
  const source = ['#define _GNU_SOURCE', ...HEADERS.map((h) => `#include <${h}>`), 'int main(void) {', '  printf("{");', ...lines, '  printf("}");', '  return 0;', '}', ''];
  dir ??= mkdtempSync(join(tmpdir(), 'tsdm-udev-probe-'));
  writeFileSync(join(dir, 'probe.c'), source.join('\n'));
  cc(['-std=gnu11', '-Wall', '-Werror', '-o', join(dir, 'probe'), join(dir, 'probe.c')]);
  probed = JSON.parse(execFileSync(join(dir, 'probe'), { encoding: 'utf8' })) as Record<string, number>;
  return probed;
}

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('constants', () => {
  it.each([...EXPECTED])('%s = %d', (expression, value) => {
    expect(probe()[expression]).toBe(value);
  });

  it('every DM_UDEV_* / DM_SUBSYSTEM_UDEV_* / DM_COOKIE_* macro of <libdevmapper.h> is mirrored', () => {
    const text = cc(['-dM', '-E', '-x', 'c', '-'], '#include <libdevmapper.h>\n');
    const macros = [...text.matchAll(/^#define ((?:DM_UDEV_|DM_SUBSYSTEM_UDEV_|DM_COOKIE_)\w+) (.*)$/gm)].map((m) => m[1]!);
    const mirrored = [...EXPECTED.keys()].filter((key) => /^DM_/.test(key));
    // DM_UDEV_DEV_DIR is a string: checked below.
    expect(macros.filter((m) => m !== 'DM_UDEV_DEV_DIR').sort()).toEqual(mirrored.sort());
    expect(text).toContain(`#define DM_UDEV_DEV_DIR "${DM_UDEV_DEV_DIR}"`);
  });
});

describe('layouts', () => {
  it.each(Object.keys(LAYOUTS))('%s: sizeof and offsets', (struct) => {
    const { layout, fields } = LAYOUTS[struct]!;
    expect(layout['size']).toBe(probe()[`sizeof(${struct})`]);
    for (const [key, field] of Object.entries(fields)) expect([key, layout[key]]).toEqual([key, probe()[`offsetof(${struct}, ${field})`]]);
    expect(Object.keys(layout).filter((key) => key !== 'size').sort()).toEqual(Object.keys(fields).sort());
  });
});
