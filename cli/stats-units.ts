/**
 * libdm's dm_size_to_string as dmstats calls it with its default `--units h`: sectors shown in
 * bytes with the largest power-of-1024 suffix (e, p, t, g, m, k, b), two decimals except bytes,
 * and `0` for nothing. Only `h` is implemented; main refuses other units.
 */
const SUFFIXES = ['e', 'p', 't', 'g', 'm', 'k', 'b'];
const U64 = (1n << 64n) - 1n;

/** `sectors` (a u64) as dmstats prints a size with `--units h`. */
export function humanSize(sectors: bigint): string {
  if (sectors === 0n) return '0';
  // libdm multiplies in uint64_t: a huge sector count wraps.
  const bytes = (sectors * 512n) & U64;
  let unit = 1024n ** 6n;
  let s = 0;
  while (s < 6 && bytes < unit) {
    unit /= 1024n;
    s++;
  }
  const value = Number(bytes) / Number(unit);
  return SUFFIXES[s] === 'b' ? `${value.toFixed(0)}b` : `${value.toFixed(2)}${SUFFIXES[s]}`;
}
