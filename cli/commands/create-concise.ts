/**
 * `create --concise [<spec>]` (spec from the argument or all of stdin): devices separated by `;`,
 * each `<name>,<uuid>,<minor>,<flags>,<table>[,<table line>…]`, `\` escaping the next character.
 * Devices are created one after the other; the first error stops (dmsetup's _create_concise).
 */
import { atoi } from '../c-numbers.js';
import type { CliContext } from '../context.js';
import { createOne } from './create.js';

/** One device of a concise spec, as parsed. */
export interface ConciseEntry {
  name: string;
  uuid: string;
  minor: string;
  flags: string;
  table: string;
}

/** A parse step: a complete entry, or dmsetup's error lines. */
export type ConciseStep = { entry: ConciseEntry } | { errors: string[] };

const C_SPACE = /[ \t\n\v\f\r]/;

/** Walks a concise spec as dmsetup does, yielding each device as soon as it is complete. */
export function* parseConcise(spec: string): Generator<ConciseStep> {
  let fields: string[] = [''];
  let at = 0;
  const parsed = (): string => {
    const shown = [0, 1, 2, 3, 4].map((index) => fields[index] ?? '(null)');
    return `Parsed ${fields.length} fields: name: ${shown[0]} uuid: ${shown[1]} minor: ${shown[2]} flags: ${shown[3]} table: ${shown[4]}`;
  };
  let entryStarted = false;
  while (at < spec.length) {
    const char = spec[at]!;
    if (char === '\\') {
      at++;
      if (at >= spec.length) {
        yield { errors: ['Backslash must be followed by another character at end of string.', parsed()] };
        return;
      }
      fields[fields.length - 1] += spec[at]!;
      entryStarted = true;
      at++;
      continue;
    }
    if (char === ',' && fields.length < 5) {
      fields.push('');
      entryStarted = true;
      at++;
      while (at < spec.length && C_SPACE.test(spec[at]!)) at++;
      continue;
    }
    if (char === ',') {
      fields[4] += '\n';
      at++;
      continue;
    }
    if (char === ';' || at + 1 === spec.length) {
      if (char !== ';') fields[fields.length - 1] += char;
      at++;
      if (fields.length !== 5) {
        yield { errors: ['Five comma-separated fields are required for each device', parsed()] };
        return;
      }
      const [name, uuid, minor, flags, table] = fields as [string, string, string, string, string];
      yield { entry: { name, uuid, minor, flags, table } };
      fields = [''];
      entryStarted = false;
      while (at < spec.length && C_SPACE.test(spec[at]!)) at++;
      continue;
    }
    fields[fields.length - 1] += char;
    entryStarted = true;
    at++;
  }
  if (entryStarted) {
    yield { errors: ['Incomplete entry: five comma-separated fields are required for each device', parsed()] };
  }
}

/** Creates the devices of `spec` (or of stdin), stopping at the first failure. */
export function createConcise(context: CliContext, spec: string | undefined): void {
  const { options } = context;
  if (options.table !== undefined || options.minor !== undefined || options.uuid !== undefined || options.notable || options.inactive) {
    context.fail('--concise is incompatible with --[no]table, --minor, --uuid and --inactive.');
  }
  for (const step of parseConcise(spec ?? context.stdin())) {
    if ('errors' in step) return context.fail(...step.errors);
    const { name, uuid, minor, flags, table } = step.entry;
    if (flags !== '' && flags !== 'ro' && flags !== 'rw') {
      context.fail(`Invalid flags parameter '${flags}' must be 'ro' or 'rw' or empty.`);
    }
    createOne(context, name, {
      uuid: uuid !== '' ? uuid : undefined,
      minor: minor !== '' ? atoi(minor) : undefined,
      readOnly: flags === 'ro' || undefined,
      table,
    });
  }
}
