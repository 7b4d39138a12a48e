/**
 * The orders a device transaction runs in, from what each member's new table names and what the
 * existing members use now (libdm's deptree: preload children first, suspend parents first,
 * activate children first; "resume snapshot origins after new snapshots"). Pure: the caller
 * gives the members with their device numbers and rows.
 */
import type { DevNumber } from '../device/device-id.js';
import { formatDev, sameDev } from '../device/devt.js';
import type { TableRow } from '../table/table.js';
import { tableDevices } from '../table/table-devices.js';
import { ordered } from './order.js';
import * as check from '../arguments/checks.js';

/** One device of a transaction as the plan sees it. */
export interface PlanMember extends DevNumber {
  /** The member's device name (for messages and the order lists). */
  name: string;
  /** create: a new device; reload: a new table for a live one; suspend: held around the change. */
  kind: 'create' | 'reload' | 'suspend';
  /** The new table (create, reload). */
  rows?: readonly TableRow[] | undefined;
  /** Devices the member uses now, directly or through others (existing members). */
  below?: readonly DevNumber[] | undefined;
  /** Resumed after lower ranks when free to choose (default 1 for snapshot-origin/-merge tables, else 0). */
  priority?: number | undefined;
}

/**
 * The order `planTransaction()` works out: which tables to load first, which new devices to resume
 * early, what to suspend and resume, and in which order.
 */
export interface TransactionPlan<M extends PlanMember> {
  /** Tables loaded in this order (what is used first); the new devices used by other members resumed at once. */
  load: M[];
  /** New devices resumed right after their load, since other members' tables use them. */
  resumeEarly: M[];
  /** Existing members suspended in this order (holders first). */
  suspend: M[];
  /** Then resumed in this order (what is used first; new snapshots before their origin). */
  resume: M[];
  /** The members each member uses, directly or through other members. */
  uses: Map<M, M[]>;
}

/** The member a table's device token names: by number, by `/dev/mapper/<name>` or by `/dev/dm-<minor>`. */
function memberNamed<M extends PlanMember>(members: readonly M[], text: string, dev: DevNumber | undefined): M | undefined {
  if (dev) return members.find((member) => sameDev(member, dev));
  const base = text.slice(text.lastIndexOf('/') + 1);
  if (text.startsWith('/dev/mapper/')) return members.find((member) => member.name === base);
  const dmMinor = /^\/dev\/dm-(\d+)$/.exec(text);
  return dmMinor ? members.find((member) => member.minor === Number(dmMinor[1])) : undefined;
}

/** The default resume priority: origins after their snapshots. */
export function defaultPriority(member: PlanMember): number {
  check.object(member, 'Argument 1 of defaultPriority()');
  return member.rows?.some((row) => row.type === 'snapshot-origin' || row.type === 'snapshot-merge') ? 1 : 0;
}

/** The orders for `members` (throws DmError invalid-argument on a dependency cycle). */
export function planTransaction<M extends PlanMember>(members: readonly M[]): TransactionPlan<M> {
  check.listOf(check.object)(members, 'Argument 1 of planTransaction()');
  const uses = new Map<M, M[]>();
  for (const member of members) {
    const named = tableDevices(member.rows ?? []).map((ref) =>
      memberNamed(members, ref.text, ref.kind === 'number' ? ref.dev : undefined),
    );
    const underneath = (member.below ?? []).map((dev) => members.find((other) => sameDev(other, dev)));
    const used = [...named, ...underneath].filter((other): other is M => other !== undefined && other !== member);
    uses.set(member, [...new Set(used)]);
  }
  // Through each other too: a member above a new device above another member is above that one.
  for (const member of members) {
    const all = uses.get(member)!;
    for (let i = 0; i < all.length; i++) {
      for (const next of uses.get(all[i]!)!) if (next !== member && !all.includes(next)) all.push(next);
    }
  }
  const usersOf = (member: M): M[] => members.filter((other) => uses.get(other)!.includes(member));
  const label = (member: M): string => `${member.name} (${formatDev(member)})`;
  const load = ordered(
    members.filter((member) => member.rows),
    (member) => uses.get(member)!,
    { label },
  );
  const resumeEarly = load.filter((member) => member.kind === 'create' && usersOf(member).length > 0);
  const existing = members.filter((member) => member.kind !== 'create');
  const suspend = ordered(existing, usersOf, { label });
  const resume = ordered(
    members.filter((member) => !resumeEarly.includes(member)),
    (member) => uses.get(member)!,
    { label, rank: (member) => member.priority ?? defaultPriority(member) },
  );
  return { load, resumeEarly, suspend, resume, uses };
}
