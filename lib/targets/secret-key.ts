/**
 * Keys for crypt and integrity targets: `SecretKey` holds the bytes in a Buffer the library can
 * zero (a string cannot be wiped), wipes on `dispose()` / `using`, and never shows the bytes in
 * toString, JSON or inspect. `KeyringKey` names a key in the kernel keyring instead
 * (`:<size>:<type>:<description>`), which is no secret. (cryptsetup keeps keys in locked, wiped
 * `crypt_safe_alloc` memory; dmsetup hides them in `table` unless --showkeys, see libdm-facts.)
 */
import { inspect } from 'node:util';
import { invalidArgument } from '../errors.js';
import * as check from '../arguments/checks.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
/** ASCII codes of 0-9a-f. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Key bytes the library can wipe. What the library does with them: builders (`crypt`,
 * `integrity`) and `row()` keep the SecretKey itself in the row's `secret` (no copy, no string);
 * a load writes it into the ioctl buffer as hex byte by byte, marks the load secure and zeroes the
 * buffer after; `table()` reads keys from the reply into new SecretKeys and zeroes the reply.
 * What the caller must do: make the key with `random`, `adopt` or `from` (then zero your buffer),
 * never as a string (`fromHex` and `toKernelText` make strings nobody can wipe); `dispose()` it
 * (or `using`) once the device is loaded, and dispose `row.secret` of `table()` rows; do not use
 * `table({ showKeys: true })`, `Target.text()` or `--showkeys` unless the key must be shown.
 * Memory the garbage collector frees is not zeroed: a key dropped without dispose() stays in it.
 */
export class SecretKey {
  #bytes: Buffer | undefined;

  protected constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** A key from bytes, copied: zero your own buffer once this is made (`buffer.fill(0)`). */
  static from(bytes: Uint8Array): SecretKey {
    if (!(bytes instanceof Uint8Array)) throw invalidArgument('key: SecretKey.from needs a Buffer or Uint8Array');
    const copy = Buffer.alloc(bytes.length);
    copy.set(bytes);
    return new SecretKey(copy);
  }

  /**
   * A key that takes `bytes` over without a copy: the library zeroes that very buffer on dispose.
   * Do not keep using it yourself.
   */
  static adopt(bytes: Buffer): SecretKey {
    if (!Buffer.isBuffer(bytes)) throw invalidArgument('key: SecretKey.adopt needs a Buffer');
    return new SecretKey(bytes);
  }

  /** A new random key of `size` bytes (the Web Crypto CSPRNG), made in place: no other copy exists. */
  static random(size: number): SecretKey {
    check.whole(1, 1024 * 1024)(size, 'Argument 1 of SecretKey.random()');
    const bytes = Buffer.alloc(size);
    // getRandomValues fills at most 65 536 bytes a call. (globalThis.crypto, not node:crypto: the
    // CLI must not load that module at start-up, test/unit/bundle.test.ts.)
    for (let at = 0; at < size; at += 65_536) globalThis.crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
    return new SecretKey(bytes);
  }

  /** A key from hex text (`-` is the empty key). The string itself cannot be wiped: prefer `from`. */
  static fromHex(hex: string): SecretKey {
    if (typeof hex !== 'string') throw invalidArgument('key: must be hex text');
    if (hex === '-') return new SecretKey(Buffer.alloc(0));
    if (!HEX.test(hex)) throw invalidArgument('key: must be an even number of hex digits (or - for no key)');
    return new SecretKey(Buffer.from(hex, 'hex'));
  }

  /** The empty key (`-` in crypt params, for ciphers such as cipher_null). */
  static empty(): SecretKey {
    return new SecretKey(Buffer.alloc(0));
  }

  /** The key's length in bytes. */
  get length(): number {
    return this.bytes().length;
  }

  /** True once disposed. */
  get disposed(): boolean {
    return this.#bytes === undefined;
  }

  /**
   * The key as kernel text: hex, or `-` when empty. This string is a copy nobody can wipe: the
   * library itself never calls it on a real key (rows carry the key in `secret`).
   */
  toKernelText(): string {
    const bytes = this.bytes();
    return bytes.length === 0 ? '-' : bytes.toString('hex');
  }

  /**
   * Writes the kernel text (hex, or `-` when empty) into `target` at `offset` straight from the
   * bytes, without making a string; returns the bytes written. For a codec that carries keys in
   * Buffers it zeroes after the ioctl.
   */
  writeKernelText(target: Buffer, offset: number): number {
    const bytes = this.bytes();
    if (bytes.length === 0) return target.write('-', offset, 'latin1');
    if (offset + bytes.length * 2 > target.length) throw invalidArgument('key: the buffer is too small for the key');
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index]!;
      target[offset + index * 2] = HEX_DIGITS[byte >> 4]!;
      target[offset + index * 2 + 1] = HEX_DIGITS[byte & 15]!;
    }
    return bytes.length * 2;
  }

  /** The length of the kernel text: twice the key's bytes, or 1 for `-`. */
  get kernelTextLength(): number {
    return this.length === 0 ? 1 : this.length * 2;
  }

  /** Calls `use` with the key bytes themselves (not a copy). */
  withBytes<T>(use: (bytes: Buffer) => T): T {
    return use(this.bytes());
  }

  /** True when both keys hold the same bytes (compared in constant time). */
  equals(other: SecretKey): boolean {
    if (!(other instanceof SecretKey)) return false;
    const mine = this.bytes();
    const theirs = other.bytes();
    if (mine.length !== theirs.length) return false;
    // Constant time: every byte is looked at, whatever differs first.
    let difference = 0;
    for (let index = 0; index < mine.length; index++) difference |= mine[index]! ^ theirs[index]!;
    return difference === 0;
  }

  /** Zeroes the bytes; the key can no longer be used. */
  dispose(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }

  /** dispose(), for `using key = SecretKey.fromHex(…)`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `<hidden key>`: the bytes never reach a string this way (template literals, logs). */
  toString(): string {
    return '<hidden key>';
  }

  /** `<hidden key>`: JSON.stringify never shows the bytes. */
  toJSON(): string {
    return '<hidden key>';
  }

  /** What console.log and util.inspect show: the length, never the bytes. */
  [inspect.custom](): string {
    return this.disposed ? 'SecretKey <disposed>' : `SecretKey <hidden, ${this.length} bytes>`;
  }

  private bytes(): Buffer {
    if (!this.#bytes) throw invalidArgument('key: the SecretKey was disposed');
    return this.#bytes;
  }
}

/**
 * A stand-in for `key` whose kernel text is `shown(length of the key's text)`: lets a target be
 * checked or shown without the key ever becoming a string. A disposed key is returned as it is,
 * so formatting still refuses it.
 */
export function keyStandIn(key: SecretKey, shown: (textLength: number) => string): SecretKey {
  if (key.disposed) return key;
  return new StandInKey(shown(key.kernelTextLength), key.length);
}

/** See keyStandIn: the key's length without its bytes. */
class StandInKey extends SecretKey {
  constructor(
    private readonly shown: string,
    private readonly keyLength: number,
  ) {
    super(Buffer.alloc(0));
  }

  override get length(): number {
    return this.keyLength;
  }

  override get kernelTextLength(): number {
    return this.shown.length;
  }

  override toKernelText(): string {
    return this.shown;
  }

  override writeKernelText(target: Buffer, offset: number): number {
    return target.write(this.shown, offset, 'latin1');
  }
}

/** A key in the kernel keyring: `:<keySize>:<keyType>:<description>` in crypt params. */
export interface KeyringKey {
  /** The key's size in bytes. */
  readonly keySize: number;
  /** `logon`, `user`, `encrypted` or `trusted`. */
  readonly keyType: 'logon' | 'user' | 'encrypted' | 'trusted';
  /** The key's description in the keyring (what `keyctl add` was given). */
  readonly description: string;
}

/** True for a KeyringKey-shaped value. */
export function isKeyringKey(value: unknown): value is KeyringKey {
  return typeof value === 'object' && value !== null && 'keyType' in value && 'description' in value;
}

/** `text` with the word from `start` to the next space turned into zeros, as dmsetup hides a key. */
export function zeroWord(text: string, start: number): string {
  check.text(text, 'Argument 1 of zeroWord()');
  check.whole(0, Number.MAX_SAFE_INTEGER)(start, 'Argument 2 of zeroWord()');
  let end = text.indexOf(' ', start);
  if (end === -1) end = text.length;
  return text.slice(0, start) + '0'.repeat(end - start) + text.slice(end);
}
