/**
 * dmsetup's text formats, as pure functions: the info block, deps and ls lines, table/status lines
 * (with crypt and integrity keys hidden), target versions and `table --concise`.
 */
import { formatDev, type DeviceInfo, type DevNumber, type TargetReply, type TargetVersion } from '../lib/index.js';

/**
 * `dmsetup info`'s block for one device, blank line included. `name` is the kernel's name from
 * the reply; `readAhead` is left out when it could not be read, as dmsetup does.
 */
export function formatInfoBlock(info: DeviceInfo, readAhead: number | undefined): string {
  const lines = [`Name:              ${info.name}`, `State:             ${stateText(info)}`];
  if (readAhead !== undefined) lines.push(`Read Ahead:        ${readAhead}`);
  lines.push(`Tables present:    ${tablesText(info)}`);
  if (info.openCount !== -1) lines.push(`Open count:        ${info.openCount}`);
  lines.push(`Event number:      ${info.eventNr}`);
  lines.push(`Major, minor:      ${info.major}, ${info.minor}`);
  if (info.targetCount !== -1) lines.push(`Number of targets: ${info.targetCount}`);
  if (info.uuid) lines.push(`UUID: ${info.uuid}`);
  return `${lines.join('\n')}\n\n`;
}

/** `SUSPENDED` or `ACTIVE`, then ` (READ-ONLY)` and ` (DEFERRED REMOVE)` when they apply. */
function stateText(info: DeviceInfo): string {
  return (
    (info.suspended ? 'SUSPENDED' : 'ACTIVE') +
    (info.readOnly ? ' (READ-ONLY)' : '') +
    (info.deferredRemove ? ' (DEFERRED REMOVE)' : '')
  );
}

/** `None`, `LIVE`, `INACTIVE` or `LIVE & INACTIVE`. */
function tablesText(info: DeviceInfo): string {
  if (!info.liveTable && !info.inactiveTable) return 'None';
  return [info.liveTable ? 'LIVE' : '', info.inactiveTable ? 'INACTIVE' : ''].filter(Boolean).join(' & ');
}

/**
 * One `dmsetup deps` line: `[NAME: ]N dependencies\t: (M, m) …`; a dependency whose name is known
 * (from `-o devname|blkdevname`) is shown as `(name)`.
 */
export function formatDepsLine(prefix: string | undefined, deps: readonly DevNumber[], names: ReadonlyArray<string | undefined>): string {
  const items = deps.map((dev, index) => {
    const name = names[index];
    return name !== undefined ? ` (${name})` : ` (${dev.major}, ${dev.minor})`;
  });
  return `${prefix !== undefined ? `${prefix}: ` : ''}${deps.length} dependencies\t:${items.join('')}`;
}

/** A plain `dmsetup ls` line: `NAME\t(M:m)`, or `NAME\t(devname)` with `-o blkdevname|devname`. */
export function formatLsLine(name: string, dev: DevNumber, devName: string | undefined): string {
  return `${name}\t(${devName ?? formatDev(dev)})`;
}

/** An `ls --target` line (and dmsetup's old ls format): `NAME\t(M, m)`. */
export function formatLsTargetLine(name: string, dev: DevNumber): string {
  return `${name}\t(${dev.major}, ${dev.minor})`;
}

/** One table or status line, without its `NAME: ` prefix: `<start> <length> <type> <params>`. */
export function formatTargetLine(row: TargetReply): string {
  return `${row.start} ${row.length} ${row.type} ${row.params}`;
}

/** A `targets` / `target-version` line: the name padded to 16, then ` v1.4.0`. */
export function formatTargetVersion(target: TargetVersion): string {
  return `${target.name.padEnd(16)} v${target.version.join('.')}`;
}

/**
 * Table params as `dmsetup table` shows them without --showkeys: a crypt key becomes zeros (a
 * keyring reference, `:…`, is kept); integrity's `internal_hash:`, `journal_crypt:` and
 * `journal_mac:` keys likewise.
 */
export function hideKeys(type: string, params: string): string {
  if (type === 'crypt') {
    const space = params.indexOf(' ');
    if (space === -1) return params;
    const keyStart = space + 1;
    if (params[keyStart] === ':') return params;
    let keyEnd = params.indexOf(' ', keyStart);
    if (keyEnd === -1) keyEnd = params.length;
    return params.slice(0, keyStart) + '0'.repeat(keyEnd - keyStart) + params.slice(keyEnd);
  }
  if (type === 'integrity') {
    let hidden = params;
    for (const name of ['internal_hash:', 'journal_crypt:', 'journal_mac:']) hidden = hideIntegrityKey(hidden, name);
    return hidden;
  }
  return params;
}

/** dmsetup's hide_key: after the first `name`, an `alg:key` pair has its key zeroed. */
function hideIntegrityKey(params: string, name: string): string {
  const found = params.indexOf(name);
  if (found === -1) return params;
  let at = found + name.length;
  // strpbrk(" :"): the key is optional and follows the algorithm's colon.
  while (at < params.length && params[at] !== ' ' && params[at] !== ':') at++;
  if (params[at] !== ':') return params;
  const keyStart = at + 1;
  let keyEnd = keyStart;
  while (keyEnd < params.length && params[keyEnd] !== ' ') keyEnd++;
  return params.slice(0, keyStart) + '0'.repeat(keyEnd - keyStart) + params.slice(keyEnd);
}

/** `table --concise` quoting: `,`, `;` and `\` get a backslash. */
export function quoteConcise(text: string): string {
  return text.replace(/[,;\\]/g, (char) => `\\${char}`);
}

/** The `table --concise` text of one device (devices are joined with `;`, the line ends once). */
export function formatConciseDevice(name: string, info: DeviceInfo, rows: readonly TargetReply[], showKeys: boolean): string {
  const head = `${quoteConcise(name)},${quoteConcise(info.uuid)},${info.minor},${info.readOnly ? 'ro' : 'rw'}`;
  const targets = rows.map((row) => {
    const params = showKeys ? row.params : hideKeys(row.type, row.params);
    return `,${row.start} ${row.length} ${row.type} ${quoteConcise(params)}`;
  });
  return head + targets.join('');
}
