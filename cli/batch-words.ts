/**
 * `--batch`'s line reader: one command line into its words, as a POSIX shell splits a simple
 * command (no expansions): blanks separate words; '…' keeps everything literally; "…" keeps
 * everything but `\"`, `\\`, `\$` and `` \` ``, which lose their backslash; a backslash outside
 * quotes keeps the next character literally; a `#` that starts a word comments out the rest of
 * the line. dmsetup has no batch mode; the rules are sh's, so a line of a shell script that runs
 * dmsetup reads the same here.
 */

/** A line that cannot be split: an unterminated quote or a trailing backslash. */
export class BatchLineError extends Error {}

/** The characters sh treats as blanks between words. */
const BLANK = new Set([' ', '\t', '\r', '\v', '\f']);
/** What a backslash escapes inside double quotes. */
const DOUBLE_QUOTED_ESCAPES = new Set(['"', '\\', '$', '`']);

/**
 * The words of `line`; [] for a blank or comment-only line.
 * @throws BatchLineError when a quote is not closed or the line ends in a backslash
 */
export function splitBatchLine(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined; // undefined between words; '' is an empty word ('' or "")
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (BLANK.has(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new BatchLineError('unterminated single quote');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; ; i++) {
        if (i >= line.length) throw new BatchLineError('unterminated double quote');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && DOUBLE_QUOTED_ESCAPES.has(line[i + 1]!)) text += line[++i];
        else text += d;
      }
      word = (word ?? '') + text;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new BatchLineError('backslash at the end of the line');
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
