/**
 * The command line's bytes. Node decodes argv as UTF-8 and puts U+FFFD in place of any byte that
 * is not, so `remove $'\xfe'` and `remove $'\xff'` would both reach the kernel as `ef bf bd` and
 * address the same (wrong) device. dmsetup passes argv's bytes on as they are; tsdmsetup cannot
 * (its strings are decoded), so it refuses such an argument instead, reading the bytes from
 * /proc/self/cmdline.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';

/**
 * The 1-based index in `argv` of the first argument whose bytes are not valid UTF-8, or undefined.
 * Only when `argv` is this process's own command line (its tail in /proc/self/cmdline decodes to
 * it); for an argv of a caller's (a test, a batch line) it says nothing.
 */
export function argumentNotUtf8(argv: readonly string[]): number | undefined {
  if (!argv.some((arg) => arg.includes('\ufffd'))) return undefined;
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return undefined;
  }
  const words: Buffer[] = [];
  for (let start = 0; start < raw.length; ) {
    const end = raw.indexOf(0, start);
    words.push(raw.subarray(start, end === -1 ? raw.length : end));
    start = end === -1 ? raw.length : end + 1;
  }
  const tail = words.slice(words.length - argv.length);
  if (tail.length !== argv.length || tail.some((word, i) => word.toString('utf8') !== argv[i])) return undefined;
  const index = tail.findIndex((word) => !isUtf8(word));
  return index === -1 ? undefined : index + 1;
}
