/**
 * tsdmsetup's own `--batch [FILE|-]` command line: `tsdmsetup [--json] --batch [FILE|-]` (also
 * `--batch=FILE`). dmsetup 1.02.185 has no `--batch` option (it refuses it as unrecognized) and
 * no meaning for a `-` argument, so neither shadows anything dmsetup does.
 */

/** What a batch run reads and how it reports. */
export interface BatchArgs {
  /** The command file; `-` (the default) is stdin. */
  file: string;
  /** One JSON object per line instead of the commands' own output. */
  json: boolean;
}

/** Whether `argv` asks for a batch run (main never sees these lines). */
export function isBatchLine(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--batch' || arg.startsWith('--batch='));
}

/** The batch run `argv` asks for, or the message for a line that does not fit the usage. */
export function parseBatchArgs(argv: readonly string[]): BatchArgs | { error: string } {
  let file: string | undefined;
  let json = false;
  let batch = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') {
      json = true;
    } else if (arg.startsWith('--batch=') && !batch) {
      batch = true;
      file = arg.slice('--batch='.length);
    } else if (arg === '--batch' && !batch) {
      batch = true;
      const next = argv[i + 1];
      if (next !== undefined && (next === '-' || !next.startsWith('-'))) file = argv[++i];
    } else {
      return { error: `Usage: tsdmsetup [--json] --batch [FILE|-] (not ${JSON.stringify(arg)})` };
    }
  }
  if (file === '') return { error: 'Usage: tsdmsetup [--json] --batch [FILE|-] (an empty file name)' };
  return { file: file ?? '-', json };
}
