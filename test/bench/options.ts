/**
 * The flags of `npm run bench -- [flags]`, parsed the same way on the host and in the guest (the host
 * passes them through, plus --out and --bin).
 */

export interface BenchOptions {
  /** Interleaved rounds of every library case (samples per contender). */
  rounds: number;
  /** Rounds of every CLI row. */
  cliRounds: number;
  /** Multiplies every case's iteration count. */
  scale: number;
  /** Run only these case ids (e.g. info,list-1000,cli); undefined: all. */
  only: string[] | undefined;
  /** Largest device count of the list cases (10, 1 000 and 10 000 at most). */
  maxDevices: number;
  /** info() calls of the heap-flatness case; 0 skips it. */
  memoryCalls: number;
  /** Run the --cpu-prof pass of info() and list() and print where the time goes. */
  profile: boolean;
  json: string | undefined;
  /** Host CPU the guest is pinned to. */
  cpu: number;
  /** Guest only: where to write the results, and the compiled references' directory. */
  out: string | undefined;
  bin: string | undefined;
}

export const BENCH_USAGE = `usage: npm run bench -- [flags]
  --quick              3 rounds (2 of the CLI), a tenth of the iterations (~1.5 min on a quiet host)
  --rounds N           interleaved rounds per library case (default 5)
  --cli-rounds N       rounds per CLI row (default 3)
  --scale X            multiply every iteration count by X (default 1)
  --only ID,...        only these cases: info status table deps message suspend-resume cycle
                       event list-10 list-1000 list-10000 cli (guest CLI rows)
                       opens (files opened at CLI start-up, strace) host (host CLI rows)
                       udev (create + remove with udevd running: library, tsdmsetup, dmsetup)
                       batch (1 000 create+remove: one tsdmsetup --batch vs dmsetup processes)
  --max-devices N      largest list case (default 10000)
  --memory [N]         heap flatness over N info() calls (default N: 1000000)
  --profile            --cpu-prof pass over info() and list(), summarized
  --json FILE          write every sample and summary to FILE
  --cpu N              host CPU for the guest (default 0)
`;

/** Every id --only takes: the library cases, the list sizes, and the CLI groups. */
export const CASE_IDS = [
  'info', 'status', 'table', 'deps', 'message', 'suspend-resume', 'cycle', 'event',
  'list-10', 'list-1000', 'list-10000', 'cli', 'opens', 'host', 'udev', 'batch',
] as const;

export function parseBenchArguments(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    rounds: 5,
    cliRounds: 3,
    scale: 1,
    only: undefined,
    maxDevices: 10_000,
    memoryCalls: 0,
    profile: false,
    json: undefined,
    cpu: 0,
    out: undefined,
    bin: undefined,
  };
  const number = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < min) throw new Error(`bench: ${flag} needs a number ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--quick':
        options.rounds = 3;
        options.cliRounds = 2;
        options.scale = 0.1;
        break;
      case '--rounds': options.rounds = Math.round(number(flag, value(), 1)); break;
      case '--cli-rounds': options.cliRounds = Math.round(number(flag, value(), 1)); break;
      case '--scale': options.scale = number(flag, value(), 0.0001); break;
      case '--only': {
        options.only = (value() ?? '').split(',').filter(Boolean);
        const unknown = options.only.filter((id) => !(CASE_IDS as readonly string[]).includes(id));
        if (unknown.length > 0 || options.only.length === 0) throw new Error(`bench: --only takes ${CASE_IDS.join(',')}; not "${unknown.join(',')}"`);
        break;
      }
      case '--max-devices': options.maxDevices = Math.round(number(flag, value(), 10)); break;
      case '--memory':
        options.memoryCalls = /^\d+$/.test(argv[i + 1] ?? '') ? Number(value()) : 1_000_000;
        break;
      case '--profile': options.profile = true; break;
      case '--json': options.json = value(); break;
      case '--cpu': options.cpu = Math.round(number(flag, value(), 0)); break;
      case '--out': options.out = value(); break;
      case '--bin': options.bin = value(); break;
      default:
        throw new Error(`bench: unknown flag ${flag}`);
    }
  }
  return options;
}

/** Whether case `id` runs under --only. */
export function selected(options: BenchOptions, id: string): boolean {
  return options.only === undefined || options.only.includes(id);
}

/** A case's iteration count at the chosen scale (at least 1). */
export function scaled(options: BenchOptions, iterations: number): number {
  return Math.max(1, Math.round(iterations * options.scale));
}
