/**
 * libdevmapper's own regular expressions (libdm/regex: parse_rx.c and matcher.c), as `-S` uses
 * them for `=~` and `!~`: not POSIX and not JavaScript. The syntax is `.`, `[...]`/`[^...]`
 * (ranges, `\n` `\r` `\t` escapes), `\c`, `*` `+` `?`, `|`, `(...)`, and `^`/`$` as characters
 * that stand for the start and end of the text. libdm wraps the pattern as `(.*(PATTERN)\0)` and
 * reports a match as soon as the end marker `\0` can be reached, so a pattern matches anywhere in
 * the text; `.` and `[^...]` also match the start and end marks (`.abc` matches `abc`).
 *
 * Parsing mirrors parse_rx.c's recursive descent over the wrapped pattern, so malformed patterns
 * fail (or are accepted) where libdm's do, with its messages. Matching runs a Thompson NFA over
 * the bytes: time linear in the text for a given pattern, with no backtracking.
 */

/** libdm's marks for `^` and `$` (HAT_CHAR, DOLLAR_CHAR) and the end-of-pattern mark (TARGET_TRANS). */
const HAT = 0x02;
const DOLLAR = 0x03;
const TARGET = 0x00;

type Charset = Uint8Array;

type RxNode =
  | { type: 'charset'; set: Charset }
  | { type: 'cat' | 'or'; left: RxNode; right: RxNode }
  | { type: 'star' | 'plus' | 'quest'; left: RxNode };

/** A compiled pattern. */
export interface LibdmRegex {
  /** True when the pattern matches somewhere in `text` (dm_regex_match(...) >= 0). */
  test(text: string): boolean;
}

/**
 * Compiles `pattern`, or returns the lines libdm logs when it cannot (without the report's own
 * last line). libdm's parser can log an error and still succeed (`a||b` says "Badly formed 'or'
 * expression" and compiles to a pattern that matches everything): those lines come as `warnings`.
 */
export function compileLibdmRegex(pattern: string): { regex: LibdmRegex; warnings: string[] } | { errors: string[] } {
  const wrapped = Buffer.concat([Buffer.from('(.*('), Buffer.from(pattern), Buffer.from([0x29, TARGET, 0x29])]);
  const parser = new RxParser(wrapped);
  const root = parser.parse();
  if (!root) return { errors: [...parser.errors, 'Parse error in regex', "Couldn't parse regex"] };
  const nfa = new Nfa(root);
  return { regex: { test: (text) => nfa.matches(Buffer.from(text)) }, warnings: parser.errors };
}

/** parse_rx.c: tokens (type 0 is a charset, -1 the end, else the operator's character code). */
class RxParser {
  readonly errors: string[] = [];
  private cursor = 0;
  private type = 0;
  private charset: Charset = new Uint8Array(256);

  constructor(private readonly bytes: Buffer) {}

  parse(): RxNode | undefined {
    this.nextToken();
    return this.orTerm();
  }

  private at(index: number): number {
    return index < this.bytes.length ? this.bytes[index]! : 0;
  }

  private single(code: number, next: number): void {
    this.type = 0;
    this.cursor = next;
    this.charset = new Uint8Array(256);
    this.charset[code] = 1;
  }

  /** _rx_get_token. */
  private nextToken(): void {
    let ptr = this.cursor;
    const end = this.bytes.length;
    if (ptr === end) {
      this.type = -1;
      return;
    }
    const char = this.at(ptr);
    switch (char) {
      case 0x5b /* [ */:
        return this.charClass(ptr + 1);
      case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x3f: case 0x7c: // ( ) * + ? |
        this.type = char;
        this.cursor = ptr + 1;
        return;
      case 0x5e /* ^ */:
        return this.single(HAT, ptr + 1);
      case 0x24 /* $ */:
        return this.single(DOLLAR, ptr + 1);
      case 0x2e /* . */: {
        // "All but newline": also not \r and never the end mark.
        this.type = 0;
        this.cursor = ptr + 1;
        this.charset = new Uint8Array(256).fill(1);
        this.charset[0x0a] = this.charset[0x0d] = this.charset[0] = 0;
        return;
      }
      case 0x5c /* \ */: {
        ptr++;
        // (The wrapped pattern always ends in ')', so a backslash is never last.)
        return this.single(unescape(this.at(ptr)), ptr + 1);
      }
      default:
        return this.single(char, ptr + 1);
    }
  }

  /** `[...]` and `[^...]`: a range is `a-z` (either order); `\n` `\r` `\t` escapes, `\c` is c. */
  private charClass(start: number): void {
    let ptr = start;
    const end = this.bytes.length;
    const negate = this.at(ptr) === 0x5e;
    const set = new Uint8Array(256).fill(negate ? 1 : 0);
    if (negate) {
      set[0] = 0; // "never transition on zero"
      ptr++;
    }
    let last = 0;
    while (ptr < end && this.at(ptr) !== 0x5d /* ] */) {
      let code: number;
      let range = false;
      if (this.at(ptr) === 0x5c) {
        ptr++;
        code = unescape(this.at(ptr));
      } else if (this.at(ptr) === 0x2d /* - */ && last !== 0) {
        range = true;
        ptr++;
        code = this.at(ptr);
      } else {
        code = this.at(ptr);
      }
      const [from, to] = range ? [Math.min(last, code), Math.max(last, code)] : [code, code];
      for (let c = from; c <= to; c++) set[c] = negate ? 0 : 1;
      ptr++;
      last = code;
    }
    if (ptr >= end) {
      this.type = -1;
      return;
    }
    this.type = 0;
    this.cursor = ptr + 1;
    this.charset = set;
  }

  /** _term: a charset or `( or_term )`. */
  private term(): RxNode | undefined {
    if (this.type === 0) {
      const node: RxNode = { type: 'charset', set: this.charset };
      this.nextToken();
      return node;
    }
    if (this.type === 0x28) {
      this.nextToken();
      const inner = this.orTerm();
      // (orTerm moved the tokenizer on: TypeScript's narrowing of this.type does not know.)
      if ((this.type as number) !== 0x29) {
        this.errors.push("missing ')' in regular expression");
        return undefined;
      }
      this.nextToken();
      return inner;
    }
    return undefined;
  }

  /** _closure_term: a term and any number of `*`, `+`, `?`. */
  private closureTerm(): RxNode | undefined {
    let node = this.term();
    if (!node) return undefined;
    for (;;) {
      const kind = this.type === 0x2a ? 'star' : this.type === 0x2b ? 'plus' : this.type === 0x3f ? 'quest' : undefined;
      if (!kind) return node;
      node = { type: kind, left: node };
      this.nextToken();
    }
  }

  /** _cat_term, right-recursive in libdm; a loop here (a long pattern must not exhaust the stack). */
  private catTerm(): RxNode | undefined {
    const parts: RxNode[] = [];
    for (;;) {
      const part = this.closureTerm();
      if (!part) break;
      parts.push(part);
      if (this.type === 0x7c) break;
    }
    if (parts.length === 0) return undefined;
    return parts.reduceRight((right, left) => ({ type: 'cat', left, right }));
  }

  /**
   * _or_term: `cat | or_term`, right-recursive in libdm and a loop here. An alternative that fails
   * is "Badly formed", said once by each enclosing level of libdm's recursion.
   */
  private orTerm(): RxNode | undefined {
    const first = this.catTerm();
    if (!first) return undefined;
    const alternatives = [first];
    while (this.type === 0x7c) {
      this.nextToken();
      const next = this.catTerm();
      if (!next) {
        for (let level = 0; level < alternatives.length; level++) this.errors.push("Badly formed 'or' expression");
        return undefined;
      }
      alternatives.push(next);
    }
    return alternatives.reduceRight((right, left) => ({ type: 'or', left, right }));
  }
}

function unescape(code: number): number {
  if (code === 0x6e) return 0x0a; // \n
  if (code === 0x72) return 0x0d; // \r
  if (code === 0x74) return 0x09; // \t
  return code;
}

/** A Thompson NFA: states that read one byte of a set, or split without reading. */
type State = { set: Charset; out: number } | { split: [number, number] };

class Nfa {
  private readonly states: State[] = [];
  private readonly start: number;
  private marks: Uint32Array;
  private generation = 0;

  constructor(root: RxNode) {
    // Built from the end: a fragment is compiled with the state it continues to.
    const accept = this.add({ set: new Uint8Array(256), out: -1 });
    this.start = this.compile(root, accept);
    this.marks = new Uint32Array(this.states.length);
  }

  private add(state: State): number {
    this.states.push(state);
    return this.states.length - 1;
  }

  /** The entry state of `node` followed by `next` (recursive in the nesting of groups only). */
  private compile(node: RxNode, next: number): number {
    switch (node.type) {
      case 'charset':
        return this.add({ set: node.set, out: next });
      case 'cat': {
        // A long pattern is a long chain of cats: walk it without recursing along it.
        const chain: RxNode[] = [];
        let at: RxNode = node;
        while (at.type === 'cat') {
          chain.push(at.left);
          at = at.right;
        }
        let entry = this.compile(at, next);
        for (let index = chain.length - 1; index >= 0; index--) entry = this.compile(chain[index]!, entry);
        return entry;
      }
      case 'or':
        return this.add({ split: [this.compile(node.left, next), this.compile(node.right, next)] });
      case 'quest':
        return this.add({ split: [this.compile(node.left, next), next] });
      case 'star':
      case 'plus': {
        const loop = this.add({ split: [-1, next] });
        const body = this.compile(node.left, loop);
        (this.states[loop] as { split: [number, number] }).split[0] = body;
        return node.type === 'star' ? loop : body;
      }
    }
  }

  /** The reading states reachable from `roots` without reading. */
  private closure(roots: readonly number[]): number[] {
    this.generation++;
    const found: number[] = [];
    const stack = [...roots];
    while (stack.length > 0) {
      const index = stack.pop()!;
      if (index < 0 || this.marks[index] === this.generation) continue;
      this.marks[index] = this.generation;
      const state = this.states[index]!;
      if ('split' in state) stack.push(state.split[1], state.split[0]);
      else found.push(index);
    }
    return found;
  }

  /** dm_regex_match: the start mark, the bytes, the end mark; a match once the end mark could be read. */
  matches(text: Buffer): boolean {
    let current = this.closure([this.start]);
    const input = [HAT, ...text, DOLLAR];
    for (const byte of input) {
      const next: number[] = [];
      for (const index of current) {
        const state = this.states[index] as { set: Charset; out: number };
        if (state.set[byte]) next.push(state.out);
      }
      current = this.closure(next);
      if (current.some((index) => (this.states[index] as { set: Charset }).set[TARGET])) return true;
      if (current.length === 0) return false;
    }
    return false;
  }
}
