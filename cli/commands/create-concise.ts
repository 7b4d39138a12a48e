/**
 * The parser of `create --concise` specs (dmsetup's _create_concise, without the creating):
 * devices separated by `;`, each `<name>,<uuid>,<minor>,<flags>,<table>[,<table line>…]`, `\`
 * escaping the next character, white space after a `,` or `;` skipped. Pure: commands/create.ts
 * creates each device as the parser yields it, so an error later in the spec comes after the
 * devices before it were made, as in dmsetup.
 */

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
