/**
 * A device transaction: new devices, new tables for live ones and devices to hold still, applied
 * in dependency order and rolled back on failure. It is the part of libdm's deptree LVM uses to
 * change a live stack, e.g. take a snapshot of a live origin (create `-real` with the origin's
 * table, the COW and the snapshot; reload the origin as snapshot-origin) or extend a stacked
 * volume. The order is libdm's: preload (create and load, what is used first; a new device that
 * other members use is resumed at once), suspend the live members holders first, resume what is
 * used first (new snapshots before their origin). On failure: live members get their old table
 * back (suspend, load it, resume; an unused inactive table is cleared), and new devices are
 * removed, holders first. Written once as steps, run blocking or not.
 */
import type { MapperVerbs } from '../handle/mapper-verbs.js';
import { byDev, byName, type DeviceId, type DevNumber } from '../device/device-id.js';
import type { DeviceInfo } from '../device/device-info.js';
import { formatDev } from '../device/devt.js';
import { describeDevice } from '../device/names.js';
import { DmError, invalidArgument } from '../errors.js';
import type { Steps } from '../ioctl/steps.js';
import type { CreateOptions, LoadOptions, SuspendOptions } from '../options.js';
import type { TableRow } from '../table/table.js';
import { planTransaction, type PlanMember } from './transaction-plan.js';
import { step } from './verb-steps.js';
import * as check from '../arguments/checks.js';

const rowsSource = check.either(check.func, check.rows, 'rows or a function that builds them');

/** Rows, or rows built from the device numbers (`"254:3"`) of members and other devices, by name. */
export type RowsSource = readonly TableRow[] | ((dev: (name: string) => string) => readonly TableRow[]);

/** Per-member options of a DeviceTransaction (create, reload), beside the create and load options. */
export interface MemberOptions {
  /** Resumed after lower priorities when the order leaves a choice (default 1 for snapshot-origin tables, else 0). */
  priority?: number;
}

interface Member extends PlanMember {
  label: string;
  id: DeviceId | undefined;
  source: RowsSource | undefined;
  createOptions: CreateOptions;
  loadOptions: LoadOptions;
  info: DeviceInfo | undefined;
  oldRows: TableRow[] | undefined;
  created: boolean;
  loaded: boolean;
  suspended: boolean;
  live: boolean;
}

/** How a commit went: the members' state at the end, in the order they were added. */
export interface TransactionResult {
  /** Each member's state after the commit (DeviceInfo), in the order the members were added. */
  devices: DeviceInfo[];
  /** The order of each phase, by name (for logs and tests). */
  order: { load: string[]; suspend: string[]; resume: string[] };
}

/** Collects members, then commits them at once. One commit per transaction. */
export class DeviceTransaction {
  private readonly members: Member[] = [];
  private used = false;

  /** An empty transaction on `dm`; `dm.transaction()` is the usual way to get one. */
  constructor(private readonly dm: MapperVerbs) {}

  /** A new device with this table. */
  create(name: string, rows: RowsSource, options: CreateOptions & LoadOptions & MemberOptions = {}): this {
    check.text(name, 'The name of transaction().create()');
    if (check.isPlainObject(options) && options.validate !== false) check.name(name, 'The name of transaction().create()');
    rowsSource(rows, 'The rows of transaction().create()');
    return this.add('create', name, undefined, rows, options, options);
  }

  /**
   * A new table for a live device, made live by the commit. Its live table is read first and kept
   * for the rollback (for crypt, key included: pass `secure` so the reload of either is wiped).
   */
  reload(device: DeviceId, rows: RowsSource, options: LoadOptions & MemberOptions = {}): this {
    check.device(device, 'The device of transaction().reload()');
    rowsSource(rows, 'The rows of transaction().reload()');
    return this.add('reload', describeDevice(device), device, rows, {}, options);
  }

  /** A live device held (suspended) while the others change, and resumed after. */
  suspend(device: DeviceId): this {
    check.device(device, 'The device of transaction().suspend()');
    return this.add('suspend', describeDevice(device), device, undefined, {}, {});
  }

  /** Applies the transaction, blocking; on failure rolls back and throws the first error. */
  commit(options: SuspendOptions = {}): TransactionResult {
    return this.dm.ioctl.perform(this.steps(options));
  }

  /** commit() without blocking the event loop. */
  commitAsync(options: SuspendOptions = {}): Promise<TransactionResult> {
    return this.dm.ioctl.performAsync(this.steps(options));
  }

  /** The commit as steps. */
  *steps(options: SuspendOptions = {}): Steps<TransactionResult> {
    if (this.used) throw invalidArgument('A transaction can be committed once');
    if (this.members.length === 0) throw invalidArgument('A transaction needs at least one device');
    this.used = true;
    const members = this.members;
    for (const member of members.filter((m) => m.id)) {
      member.info = yield* step.info(this.dm, member.id!);
      Object.assign(member, { major: member.info.major, minor: member.info.minor, name: member.info.name });
      if (member.kind === 'reload') member.oldRows = this.dm.table(byDev(member.info)).rows;
    }
    const existing = members.filter((m) => m.id);
    if (new Set(existing.map((m) => formatDev(m))).size !== existing.length) {
      throw invalidArgument('A transaction names one device twice');
    }
    let plan: ReturnType<typeof planTransaction<Member>> | undefined;
    try {
      for (const member of members.filter((m) => m.kind === 'create')) {
        member.info = yield* step.create(this.dm, member.name, member.createOptions);
        Object.assign(member, { major: member.info.major, minor: member.info.minor, created: true });
      }
      for (const member of members) member.rows = this.rowsOf(member);
      for (const member of members.filter((m) => m.kind !== 'create')) member.below = this.below(member.info!);
      plan = planTransaction(members);
      for (const member of plan.load) {
        member.info = yield* step.load(this.dm, byDev(member), member.rows!, member.loadOptions);
        member.loaded = true;
        if (plan.resumeEarly.includes(member)) {
          member.info = yield* step.resume(this.dm, byDev(member));
          member.live = true;
        }
      }
      for (const member of plan.suspend) {
        if (member.info!.suspended) continue;
        member.info = yield* step.suspend(this.dm, byDev(member), options);
        member.suspended = true;
      }
      for (const member of plan.resume) {
        if (member.kind === 'suspend' && !member.suspended) continue;
        member.info = yield* step.resume(this.dm, byDev(member), options);
        member.live = true;
      }
    } catch (error) {
      const problems = yield* this.rollback(plan, options);
      throw DmError.wrap(error, {
        addToSummary: problems.length
          ? `rolling the transaction back failed too: ${problems.join('; ')}`
          : 'the transaction was rolled back',
      });
    } finally {
      // The old tables were read for a rollback only: their keys (SecretKeys in row.secret) are wiped now.
      for (const member of members) for (const row of member.oldRows ?? []) row.secret?.dispose();
    }
    return {
      devices: members.map((member) => member.info!),
      order: {
        load: plan.load.map((m) => m.name),
        suspend: plan.suspend.filter((m) => m.suspended).map((m) => m.name),
        resume: [...plan.resumeEarly, ...plan.resume.filter((m) => m.live)].map((m) => m.name),
      },
    };
  }

  private add(
    kind: Member['kind'],
    label: string,
    id: DeviceId | undefined,
    source: RowsSource | undefined,
    createOptions: CreateOptions,
    options: LoadOptions & MemberOptions,
  ): this {
    if (this.used) throw invalidArgument('The transaction was committed already');
    if (kind === 'create' && this.members.some((m) => m.kind === 'create' && m.name === label)) {
      throw invalidArgument(`The transaction creates ${label} twice`);
    }
    const { priority, ...loadOptions } = options;
    this.members.push({
      kind,
      label,
      name: label,
      major: 0,
      minor: 0,
      id,
      source,
      createOptions: { uuid: createOptions.uuid, dev: createOptions.dev, readOnly: createOptions.readOnly, validate: createOptions.validate },
      loadOptions: { readOnly: loadOptions.readOnly, secure: loadOptions.secure, validate: loadOptions.validate },
      priority,
      info: undefined,
      oldRows: undefined,
      created: false,
      loaded: false,
      suspended: false,
      live: false,
    });
    return this;
  }

  /** The member's new rows, a function called with a lookup of device numbers by name. */
  private rowsOf(member: Member): readonly TableRow[] | undefined {
    if (typeof member.source !== 'function') return member.source;
    return member.source((name) => {
      const known = this.members.find((m) => m.name === name && (m.major || m.minor));
      return formatDev(known ?? this.dm.info(byName(name)));
    });
  }

  /** The device-mapper devices `info` uses now, directly or through others (non-DM ones end the walk). */
  private below(info: DeviceInfo): DevNumber[] {
    const found: DevNumber[] = [];
    const visit = (dev: DevNumber): void => {
      for (const dep of this.dm.deps(byDev(dev)).deps) {
        if (found.some((d) => d.major === dep.major && d.minor === dep.minor)) continue;
        found.push(dep);
        if (dep.major === info.major) visit(dep);
      }
    };
    visit(info);
    return found;
  }

  /**
   * Undoes what the commit did: live members back to their old tables (holders suspended first,
   * resumed what-is-used first), new devices removed (holders first). Returns what failed.
   */
  private *rollback(plan: ReturnType<typeof planTransaction<Member>> | undefined, options: SuspendOptions): Steps<string[]> {
    const problems: string[] = [];
    const dm = this.dm;
    const attempt = function* (what: string, member: Member, steps: Steps<unknown>): Steps<void> {
      try {
        yield* steps;
      } catch (error) {
        problems.push(`${what} ${member.name}: ${(error as Error).message}`);
      }
    };
    const existing = plan ? plan.suspend : this.members.filter((m) => m.kind !== 'create');
    for (const member of existing.filter((m) => m.kind === 'reload' && m.live)) {
      yield* attempt('suspending', member, step.suspend(dm, byDev(member), options));
      yield* attempt('loading the old table of', member, step.load(dm, byDev(member), member.oldRows!, {
        secure: member.loadOptions.secure,
        readOnly: member.info?.readOnly,
      }));
    }
    for (const member of existing.filter((m) => m.kind === 'reload' && m.loaded && !m.live)) {
      yield* attempt('clearing the new table of', member, step.clear(dm, byDev(member)));
    }
    for (const member of [...existing].reverse().filter((m) => m.suspended || (m.kind === 'reload' && m.live))) {
      yield* attempt('resuming', member, step.resume(dm, byDev(member), options));
    }
    const created = plan ? [...plan.load].reverse().filter((m) => m.created) : [];
    for (const member of [...created, ...this.members.filter((m) => m.created && !created.includes(m)).reverse()]) {
      yield* attempt('removing', member, step.remove(dm, byDev(member), { retry: true }));
    }
    return problems;
  }
}

/** A new, empty DeviceTransaction on `dm` (what `dm.transaction()` returns). */
export function transaction(dm: MapperVerbs): DeviceTransaction {
  check.mapper(dm, 'Argument 1 of transaction()');
  return new DeviceTransaction(dm);
}
