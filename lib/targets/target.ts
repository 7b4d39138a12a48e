/**
 * The shape of a typed target: `TargetType<Params, Status>` (the kernel's type name, its module,
 * `format`/`parse` between params and kernel text, an optional status parser, its secret fields)
 * and `defineTarget`, which turns one into a builder: `linear({ device, offset })` gives a
 * `Target` that `row()`/`table()` make table rows of. Counterpart: lvm2's libdm-deptree.c, whose
 * `_emit_segment_line` formats each segment type, and libdm-targets.c's status parsers.
 */
import { inspect } from 'node:util';
import type { TableRow } from '../table/table.js';
import { invalidArgument } from '../errors.js';
import { exactSectors, SECTOR_MAX, type Sectors } from './units.js';
import { keyStandIn, SecretKey } from './secret-key.js';
import { SecretParams, type ParamsPart, type SecretSpan } from './secret-params.js';

/** What every target file implements. */
export interface TargetType<Params = unknown, Status = never> {
  /** The kernel's type name (`linear`, `thin-pool`). */
  readonly type: string;
  /** The module that provides it (`dm-thin-pool`); null when built into dm-mod. */
  readonly module: string | null;
  /** Params → the kernel's params text; a bad field throws a DmError naming it. Secrets included. */
  format(params: Params): string;
  /** Kernel params text (as `table` shows it) → params; malformed text throws a DmError naming the field. */
  parse(text: string): Params;
  /** Status text → typed status; unknown or extra fields are kept raw, never refused. */
  parseStatus?(text: string): Status;
  /**
   * The params fields that hold secrets: every SecretKey in them (nested objects included) is shown
   * as `<hidden>` by JSON and inspect, and never made a string by toString or the builder's checks.
   */
  readonly secretFields?: readonly string[];
  /** Kernel params text with its secrets hidden, as `dmsetup table` shows it without --showkeys. */
  hideSecrets?(text: string): string;
  /**
   * Where the keys are in params as the kernel prints them (`bytes[start, end)`, a `table` reply):
   * the byte ranges of each key's hex, found without making a string, so `table()` reads them into
   * SecretKeys. A type with secretFields has one.
   */
  secretSpans?(bytes: Buffer, start: number, end: number): SecretSpan[];
}

/** The params of a target type. */
export type ParamsOf<T> = T extends TargetType<infer P, unknown> ? P : never;
/** The status of a target type. */
export type StatusOf<T> = T extends TargetType<unknown, infer S> ? S : never;

/** A status parser, required of a target type that declares a status. */
type WithStatus<Status> = [Status] extends [never] ? unknown : { parseStatus(text: string): Status };

/** The builder's arguments: params may be left out when every field is optional (`zero()`). */
type BuilderArgs<Params> = {} extends Params ? [params?: Params] : [params: Params];

/** A target type that is also its own builder: `linear({ device, offset })`. */
export type TargetKind<Params, Status = never> = TargetType<Params, Status> & WithStatus<Status> & ((...args: BuilderArgs<Params>) => Target<Params>);

/** Anything that can become the type and params of a table row. */
export interface TargetLike {
  /** The target type of the row it becomes: `linear`, `thin-pool`, … */
  readonly type: string;
  /** Kernel params text. */
  text(): string;
}

/** Shown instead of a secret. */
export const HIDDEN = '<hidden>';

/**
 * One built target: its type, validated params, and the kernel text on demand (made when asked,
 * so a secret does not sit in a string longer than needed). toString, JSON and inspect hide
 * secret fields.
 */
export class Target<Params = unknown> implements TargetLike {
  /** The target type, `kind.type` (`linear`, `thin-pool`, …). */
  readonly type: string;

  /**
   * Checks `params` at once by formatting them with keys stood in for: a bad field throws DmError
   * kind 'invalid-argument' here, not at load time. Builders (`linear({…})`) call it; call it
   * yourself only with a TargetType of your own.
   */
  constructor(
    /** The target type that formats and parses these params (the builder, e.g. `thinPool`). */
    readonly kind: TargetType<Params, unknown>,
    /**
     * The params as given to the builder (SecretKeys still inside: never log them raw; `toJSON`
     * hides them).
     */
    readonly params: Readonly<Params>,
  ) {
    this.type = kind.type;
    // Validates now, so a bad field fails at the builder; with stand-ins, no key becomes a string.
    kind.format(this.withStandIns(() => (length) => '0'.repeat(length)));
  }

  /**
   * The kernel params text, secrets included: a key in it is a string the library cannot wipe.
   * Rows (`row()`, `table()`) do not use it for a target with keys; they carry `secretParams()`.
   */
  text(): string {
    return this.kind.format(this.params);
  }

  /**
   * The params as text and key parts (each SecretKey of the params itself, not a copy), or
   * undefined when the params hold no SecretKey. The codec writes it without a string of a key.
   */
  secretParams(): SecretParams | undefined {
    const keys: SecretKey[] = [];
    // NUL cannot occur in formatted params (every field refuses it), so it marks where keys go.
    const text = this.kind.format(
      this.withStandIns((key) => {
        keys.push(key);
        return () => `\0${keys.length - 1}\0`;
      }),
    );
    if (keys.length === 0) return undefined;
    const parts: ParamsPart[] = text.split('\0').map((part, index) => (index % 2 === 0 ? part : keys[Number(part)]!));
    return new SecretParams(parts.filter((part) => part !== ''));
  }

  /**
   * The kernel params text as bytes, each SecretKey written straight from its Buffer (no string
   * holds it). Zero the buffer once it was used (`buffer.fill(0)`).
   */
  toBuffer(): Buffer {
    const secret = this.secretParams();
    if (!secret) return Buffer.from(this.text());
    const buffer = Buffer.alloc(secret.byteLength());
    secret.write(buffer, 0);
    return buffer;
  }

  /** True when this target is of `kind` (narrows its params). */
  is<P>(kind: TargetType<P, unknown>): this is Target<P> {
    return this.type === kind.type;
  }

  /** `type params`, secrets hidden as dmsetup hides them (the key is never formatted). */
  toString(): string {
    const text = this.kind.format(this.withStandIns(() => (length) => '0'.repeat(length)));
    return `${this.type} ${this.kind.hideSecrets ? this.kind.hideSecrets(text) : text}`;
  }

  /** `{ type, params }` with secret fields replaced by `<hidden>`. */
  toJSON(): { type: string; params: unknown } {
    return { type: this.type, params: this.shownParams() };
  }

  /** What console.log and util.inspect show: the type and params, secrets hidden. */
  [inspect.custom](): string {
    return `Target(${this.type}) ${inspect(this.shownParams(), { depth: 4 })}`;
  }

  /** The params with every SecretKey inside a secret field replaced by `standIn(key)`'s stand-in. */
  private withStandIns(standIn: (key: SecretKey) => (length: number) => string): Params {
    return this.replaceKeys((key) => keyStandIn(key, standIn(key))) as Params;
  }

  /** The params as shown: every SecretKey inside a secret field is `<hidden>`. */
  private shownParams(): unknown {
    return this.replaceKeys(() => HIDDEN);
  }

  /** A copy of the params with each SecretKey found in a secret field (nested up to 4 levels) replaced. */
  private replaceKeys(by: (key: SecretKey) => unknown): unknown {
    const secret = this.kind.secretFields ?? [];
    if (secret.length === 0 || typeof this.params !== 'object' || this.params === null) return this.params;
    const replace = (value: unknown, depth: number): unknown => {
      if (value instanceof SecretKey) return by(value);
      if (depth > 3 || typeof value !== 'object' || value === null) return value;
      if (Array.isArray(value)) return value.map((item) => replace(item, depth + 1));
      if (Object.getPrototypeOf(value) !== Object.prototype) return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replace(item, depth + 1)]));
    };
    const copy: Record<string, unknown> = { ...(this.params as object) };
    for (const field of secret) if (field in copy) copy[field] = replace(copy[field], 0);
    return copy;
  }
}

/** Makes a target type its own builder. */
export function defineTarget<Params, Status = never>(type: TargetType<Params, Status> & WithStatus<Status>): TargetKind<Params, Status> {
  // Every entry point checks the shape of what it is given, so a wrong type is a DmError, not a TypeError.
  const checked: TargetType<Params, Status> = {
    ...type,
    format(params) {
      if (typeof params !== 'object' || params === null) throw invalidArgument(`${type.type}: params must be an object`);
      return type.format(params);
    },
    parse(text) {
      if (typeof text !== 'string') throw invalidArgument(`${type.type}: params text must be a string`);
      return type.parse(text);
    },
  };
  if (type.parseStatus) {
    const parseStatus = type.parseStatus;
    checked.parseStatus = (text) => {
      if (typeof text !== 'string') throw invalidArgument(`${type.type}: status text must be a string`);
      return parseStatus(text);
    };
  }
  if (type.hideSecrets) {
    const hide = type.hideSecrets;
    checked.hideSecrets = (text) => {
      if (typeof text !== 'string') throw invalidArgument(`${type.type}: params text must be a string`);
      return hide(text);
    };
  }
  const build = (params: Params = {} as Params): Target<Params> => new Target(checked, params);
  return Object.assign(build, checked) as TargetKind<Params, Status>;
}

/** A target of a type this library does not model: its params text as it is. */
export function rawTarget(type: string, params: string): TargetLike & { readonly params: string } {
  return { type, params, text: () => params };
}

/**
 * A table row from a start, a length and a target. A target with keys (crypt, a keyed integrity)
 * gives a row whose `params` shows the keys as zeros and whose `secret` carries the SecretKeys
 * themselves: loading it sends the keys without ever making a string of them.
 */
export function row(start: Sectors, length: Sectors, target: TargetLike): TableRow {
  if (typeof target !== 'object' || target === null || typeof target.text !== 'function') {
    throw invalidArgument('A table row needs a target made by a builder (linear({...}), …) or rawTarget()');
  }
  const place = { start: exactSectors(start, 'start'), length: exactSectors(length, 'length'), type: target.type };
  const secret = target instanceof Target ? target.secretParams() : undefined;
  return secret ? { ...place, params: secret.hidden, secret } : { ...place, params: target.text() };
}

/** One segment of a table given to `table()`: how long it is and what maps it. */
export interface Segment {
  /** How many 512-byte sectors the segment maps (more than 0). */
  readonly length: Sectors;
  /** What maps it: a target from a builder, or `rawTarget(type, text)`. */
  readonly target: TargetLike;
}

/** Table rows from segments laid end to end from sector 0 (the starts are computed). */
export function table(segments: readonly Segment[]): TableRow[] {
  if (!Array.isArray(segments) || segments.length === 0) throw invalidArgument('A table needs at least one segment');
  let start = 0n;
  return segments.map((segment, index) => {
    if (typeof segment !== 'object' || segment === null) throw invalidArgument(`Segment ${index + 1} is not { length, target }`);
    const made = row(start, segment.length, segment.target);
    if (made.length === 0) throw invalidArgument(`Segment ${index + 1}: length must not be 0`);
    start += BigInt(made.length);
    if (start > SECTOR_MAX) throw invalidArgument(`Segment ${index + 1}: the table would end past sector 2^64-1`);
    return made;
  });
}
