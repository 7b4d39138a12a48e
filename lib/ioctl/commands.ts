/**
 * One record per device-mapper command: what the exchange loop needs to know about it, in one
 * place (libdevmapper spreads this over `_cmd_data_v4`, `_dm_task_run` and the udev code).
 *
 * Kernel numbers (request codes, minimum interface versions) stay in native-defs/, where the C
 * probe checks them against `<linux/dm-ioctl.h>`; this file only adds the library's knowledge.
 */
import { DmCommandMinVersion, DmFlag, DmRequest, type DmCommandName } from '../../native-defs/index.js';

/**
 * Everything the exchange loop knows of one device-mapper ioctl, as data: its number, the flags it
 * may carry, whether its reply can outgrow the buffer, the interface version it needs, and hints
 * for its errnos.
 */
export interface CommandRecord {
  /** The command's name without `DM_` and `_CMD` (`DEV_CREATE`, `TABLE_STATUS`, …). */
  readonly name: DmCommandName;
  /** The ioctl request number (`_IOWR(0xfd, nr, struct dm_ioctl)`). */
  readonly request: number;
  /** The interface version the request is sent with: the oldest driver that knows the command. */
  readonly minVersion: readonly [number, number, number];
  /** Flags the command accepts (PERSISTENT_DEV and SKIP_BDGET are accepted everywhere). */
  readonly flags: number;
  /** The reply can outgrow the buffer: the kernel then sets BUFFER_FULL and we resend, larger. */
  readonly growable: boolean;
  /**
   * The request carries a udev cookie in `event_nr` (libdm's create, remove, rename and resume;
   * DEV_SUSPEND only when it resumes, i.e. without the SUSPEND flag).
   */
  readonly udevCookie: boolean;
  /** `event_nr` is input to the kernel: the event to wait past (DEV_WAIT), or a udev cookie. */
  readonly eventNrInput: boolean;
  /**
   * The ioctl can block in the kernel (flushing I/O, waiting for an event, a target's message or
   * status doing I/O): its async form runs on one of the library's threads. The others answer at
   * once, and their async forms run them in place.
   */
  readonly blocking: boolean;
  /** errno name → why that errno happens for this command, in words (the kernel only says the number). */
  readonly hints: Readonly<Partial<Record<string, string>>>;
}

/** Flags accepted by every command. */
export const ALWAYS_ALLOWED_FLAGS = DmFlag.PERSISTENT_DEV | DmFlag.SKIP_BDGET;

type Knowledge = Omit<CommandRecord, 'name' | 'request' | 'minVersion' | 'growable' | 'udevCookie' | 'eventNrInput' | 'blocking' | 'hints'> &
  Partial<Pick<CommandRecord, 'growable' | 'udevCookie' | 'eventNrInput' | 'blocking' | 'hints'>>;

const NO_SUCH_DEVICE = 'no such device';

const knowledge: Readonly<Record<DmCommandName, Knowledge>> = {
  VERSION: { flags: 0 },
  REMOVE_ALL: { flags: DmFlag.DEFERRED_REMOVE, blocking: true },
  LIST_DEVICES: { flags: DmFlag.UUID, growable: true },
  DEV_CREATE: {
    flags: DmFlag.READONLY,
    udevCookie: true,
    hints: {
      EBUSY: 'a device with this name or uuid already exists',
      EINVAL: 'the kernel refused the name or uuid (empty, or not valid for this kernel)',
      ENXIO: 'the requested device number is not available',
    },
  },
  DEV_REMOVE: {
    flags: DmFlag.DEFERRED_REMOVE | DmFlag.NOFLUSH | DmFlag.SKIP_LOCKFS,
    udevCookie: true,
    blocking: true,
    hints: {
      EBUSY: 'the device is in use (open, mounted, or held by another device); close its users, retry, or use deferred removal',
      ENXIO: NO_SUCH_DEVICE,
    },
  },
  DEV_RENAME: {
    flags: DmFlag.UUID,
    udevCookie: true,
    hints: {
      EBUSY: 'a device with the new name or uuid already exists',
      EINVAL: 'the new name or uuid was refused; a device that already has a uuid cannot be given another one',
      ENXIO: NO_SUCH_DEVICE,
    },
  },
  DEV_SUSPEND: {
    flags: DmFlag.SUSPEND | DmFlag.NOFLUSH | DmFlag.SKIP_LOCKFS,
    udevCookie: true,
    blocking: true,
    hints: { ENXIO: NO_SUCH_DEVICE, EINVAL: 'the device has no table to activate (load one first)' },
  },
  // info --inactive: the kernel then reports the inactive table's target count and read-only flag.
  DEV_STATUS: { flags: DmFlag.QUERY_INACTIVE_TABLE },
  DEV_WAIT: {
    flags: DmFlag.NOFLUSH | DmFlag.QUERY_INACTIVE_TABLE | DmFlag.STATUS_TABLE,
    growable: true,
    eventNrInput: true,
    blocking: true,
    hints: { ENXIO: NO_SUCH_DEVICE, EINTR: 'the wait was interrupted' },
  },
  TABLE_LOAD: {
    flags: DmFlag.READONLY | DmFlag.SECURE_DATA,
    // A target's constructor can do I/O (a thin pool reads its metadata, integrity formats).
    blocking: true,
    hints: {
      EINVAL:
        "the kernel refused the table: a target's parameters are wrong, a device it names does not exist or is too small, or the rows leave gaps",
      EBUSY: 'a device in the table is held exclusively by someone else',
      ENXIO: NO_SUCH_DEVICE,
      ENOTBLK: 'a path in the table is not a block device',
      ENODEV: 'a device named in the table does not exist',
    },
  },
  TABLE_CLEAR: { flags: 0 },
  TABLE_DEPS: { flags: DmFlag.QUERY_INACTIVE_TABLE, growable: true },
  TABLE_STATUS: {
    flags: DmFlag.STATUS_TABLE | DmFlag.QUERY_INACTIVE_TABLE | DmFlag.NOFLUSH | DmFlag.IMA_MEASUREMENT,
    growable: true,
    // A status can do I/O (a thin pool commits its metadata first); `table` (STATUS_TABLE) cannot.
    blocking: true,
  },
  LIST_VERSIONS: { flags: 0, growable: true },
  TARGET_MSG: {
    flags: 0,
    growable: true,
    blocking: true,
    hints: {
      EINVAL: 'the target refused the message (unknown message, wrong arguments, or sector outside the table)',
      ENXIO: NO_SUCH_DEVICE,
    },
  },
  DEV_SET_GEOMETRY: {
    flags: 0,
    hints: {
      EINVAL: 'the geometry was refused: it needs four numbers, cylinders ≤ 65535, heads ≤ 255, sectors ≤ 255',
      ENXIO: NO_SUCH_DEVICE,
    },
  },
  DEV_ARM_POLL: { flags: 0 },
  GET_TARGET_VERSION: {
    flags: 0,
    growable: true,
    hints: { EINVAL: 'the kernel has no target of that type (its module may not be loaded)' },
  },
};

/** Every command's record, by name. */
export const COMMANDS: Readonly<Record<DmCommandName, CommandRecord>> = Object.fromEntries(
  (Object.keys(knowledge) as DmCommandName[]).map((name) => {
    const known = knowledge[name];
    const record: CommandRecord = {
      name,
      request: DmRequest[name],
      minVersion: DmCommandMinVersion[name],
      flags: known.flags,
      growable: known.growable ?? false,
      udevCookie: known.udevCookie ?? false,
      eventNrInput: (known.eventNrInput ?? false) || (known.udevCookie ?? false),
      blocking: known.blocking ?? false,
      hints: known.hints ?? {},
    };
    return [name, Object.freeze(record)];
  }),
) as Record<DmCommandName, CommandRecord>;

/** Does this request carry a udev cookie? (DEV_SUSPEND only when it resumes.) */
export function carriesUdevCookie(command: DmCommandName, flags: number): boolean {
  const record = COMMANDS[command];
  return record.udevCookie && !(command === 'DEV_SUSPEND' && flags & DmFlag.SUSPEND);
}

/** Can this request block in the kernel? (TABLE_STATUS only for a status, not for a table.) */
export function mayBlock(command: DmCommandName, flags: number): boolean {
  return COMMANDS[command].blocking && !(command === 'TABLE_STATUS' && flags & DmFlag.STATUS_TABLE);
}

/**
 * Can the reply carry a target's table line, keys included (a crypt or integrity table, a
 * message's answer)? Such a reply is wiped from the buffer once decoded, not left for the next
 * request to clear.
 */
export function replyMayCarrySecrets(command: DmCommandName, flags: number): boolean {
  return command === 'TARGET_MSG' || ((command === 'TABLE_STATUS' || command === 'DEV_WAIT') && (flags & DmFlag.STATUS_TABLE) !== 0);
}

/** A few words on why `command` failed with `code`; undefined when the errno speaks for itself. */
export function ioctlHint(command: DmCommandName, code: string): string | undefined {
  const specific = COMMANDS[command].hints[code];
  if (specific) return specific;
  if (code === 'ENXIO') return NO_SUCH_DEVICE;
  if (code === 'EACCES' || code === 'EPERM') return 'device-mapper ioctls need root (CAP_SYS_ADMIN)';
  return undefined;
}
