/**
 * GNU getopt_long, as dmsetup calls it: options may stand anywhere (the operands are permuted to
 * the end), `--` ends the options, a long option may be abbreviated to any unambiguous prefix, and
 * errors read exactly as glibc prints them. Parsing only.
 */

/** One long option: its name and whether it takes a value (`required_argument`). */
export interface LongOption {
  name: string;
  hasArg: boolean;
  /**
   * tsdmsetup's own option: a prefix that also fits one of dmsetup's options means dmsetup's
   * (`--udev` stays `--udevcookie`), so our additions never break a dmsetup abbreviation.
   */
  own?: boolean;
}

/** One option as found on the command line, in order: its long name (or short letter) and value. */
export interface ParsedOption {
  key: string;
  value?: string;
}

export interface GetoptResult {
  options: ParsedOption[];
  /** The non-option arguments, in their order. */
  operands: string[];
}

/** A command line getopt refused; the message is glibc's line, without the newline. */
export class GetoptError extends Error {}

/**
 * Parses `argv` (without the program) like glibc's getopt_long with optstring `shortSpec`
 * (`c` a flag, `c:` a letter that takes a value) and `longOptions` in the program's table order
 * (the order glibc lists an ambiguous prefix's possibilities in). Throws GetoptError at the first
 * error, as dmsetup stops at getopt's first `?`. `visit` sees each option as it is found, so a
 * value it refuses (by throwing) stops the parse where dmsetup's option loop would stop.
 */
export function getoptLong(
  program: string,
  argv: readonly string[],
  shortSpec: string,
  longOptions: readonly LongOption[],
  visit: (option: ParsedOption) => void = () => {},
): GetoptResult {
  const found: ParsedOption[] = [];
  const options = { push: (option: ParsedOption) => (visit(option), found.push(option)) };
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const { option, next } = parseLong(program, argv, i, longOptions);
      options.push(option);
      i = next;
    } else if (arg.startsWith('-') && arg.length > 1) {
      i = parseShortCluster(program, argv, i, shortSpec, options);
    } else {
      operands.push(arg);
    }
  }
  return { options: found, operands };
}

function parseLong(
  program: string,
  argv: readonly string[],
  index: number,
  longOptions: readonly LongOption[],
): { option: ParsedOption; next: number } {
  const body = argv[index]!.slice(2);
  const equals = body.indexOf('=');
  const name = equals === -1 ? body : body.slice(0, equals);
  let found = longOptions.find((option) => option.name === name);
  if (!found) {
    const all = longOptions.filter((option) => option.name.startsWith(name));
    const dmsetups = all.filter((option) => !option.own);
    const candidates = dmsetups.length > 0 ? dmsetups : all;
    if (candidates.length === 0) throw new GetoptError(`${program}: unrecognized option '--${body}'`);
    if (candidates.length > 1) {
      const possibilities = candidates.map((option) => ` '--${option.name}'`).join('');
      throw new GetoptError(`${program}: option '--${body}' is ambiguous; possibilities:${possibilities}`);
    }
    found = candidates[0]!;
  }
  if (equals !== -1) {
    if (!found.hasArg) throw new GetoptError(`${program}: option '--${found.name}' doesn't allow an argument`);
    return { option: { key: found.name, value: body.slice(equals + 1) }, next: index };
  }
  if (!found.hasArg) return { option: { key: found.name }, next: index };
  if (index + 1 >= argv.length) throw new GetoptError(`${program}: option '--${found.name}' requires an argument`);
  return { option: { key: found.name, value: argv[index + 1]! }, next: index + 1 };
}

/** `-abc`, `-j254`, `-j 254`: returns the index of the last argv element it used. */
function parseShortCluster(
  program: string,
  argv: readonly string[],
  index: number,
  shortSpec: string,
  options: { push(option: ParsedOption): void },
): number {
  const arg = argv[index]!;
  for (let j = 1; j < arg.length; j++) {
    const letter = arg[j]!;
    const at = letter === ':' ? -1 : shortSpec.indexOf(letter);
    if (at === -1) throw new GetoptError(`${program}: invalid option -- '${letter}'`);
    if (shortSpec[at + 1] !== ':') {
      options.push({ key: letter });
      continue;
    }
    const rest = arg.slice(j + 1);
    if (rest !== '') {
      options.push({ key: letter, value: rest });
      return index;
    }
    if (index + 1 >= argv.length) throw new GetoptError(`${program}: option requires an argument -- '${letter}'`);
    options.push({ key: letter, value: argv[index + 1]! });
    return index + 1;
  }
  return index;
}
