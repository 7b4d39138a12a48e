/**
 * `npm test`: the unit and harness suites on the host, then the VM suite inside user-mode-linux
 * guests (one per host CPU, each running a shard), and one closing line `N passed, M failed`.
 *
 * A suite that crashes or reports nothing counts as a failure, never as zero tests: the VM suite
 * is the proof of every kernel claim, and it must not be skipped silently.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defaultVmOptions, findLinuxUml, INSTALL_COMMAND, parseVmArguments, repoRoot, runInVm } from './vm.js';

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Why the suite counts as failed although its tests may not say so. */
  problem?: string;
  /** What did not pass (failed or pending tests, files that failed to run), repeated in the summary: CI keeps only the tail of the output. */
  details: string[];
}

const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
const resultsDir = join(repoRoot, 'test-results');

interface JsonFileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
}

/** One line for each test that failed or never ran, and each file that failed outside its tests. */
function notPassed(files: JsonFileResult[]): string[] {
  const firstLine = (text: string | undefined): string => (text ?? '').trim().split('\n')[0]!.slice(0, 200);
  const lines: string[] = [];
  for (const file of files) {
    const where = file.name.replace(`${repoRoot}/`, '');
    for (const test of file.assertionResults) {
      if (test.status === 'passed') continue;
      lines.push(`${test.status}: ${where} > ${test.fullName}${test.failureMessages?.length ? `: ${firstLine(test.failureMessages[0])}` : ''}`);
    }
    if (file.status === 'failed' && file.message) lines.push(`file failed: ${where}: ${firstLine(file.message)}`);
  }
  return lines;
}

function readJsonReport(name: string, file: string, exitStatus: number): SuiteResult {
  if (!existsSync(file)) {
    return { name, passed: 0, failed: 0, skipped: 0, problem: `no report (exit status ${exitStatus})`, details: [] };
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTestSuites: number;
    numFailedTestSuites: number;
    testResults?: JsonFileResult[];
  };
  const result: SuiteResult = {
    name,
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
    details: notPassed(report.testResults ?? []),
  };
  if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) {
    result.problem = `${report.numFailedTestSuites} test file(s) failed to run`;
  } else if (exitStatus !== 0 && report.numFailedTests === 0) {
    result.problem = `vitest exited ${exitStatus}`;
  }
  return result;
}

function runHostSuites(): Promise<SuiteResult> {
  const report = join(resultsDir, 'host.json');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        vitest,
        'run',
        '--project',
        'unit',
        '--project',
        'harness',
        '--project',
        'vm-boot',
        '--reporter=default',
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      { cwd: repoRoot, stdio: 'inherit' },
    );
    child.on('close', (code) => resolve(readJsonReport('host (unit, harness, vm-boot)', report, code ?? 1)));
  });
}

async function runVmShard(index: number, count: number): Promise<SuiteResult> {
  const report = join(resultsDir, `vm-${index}.json`);
  const { options } = parseVmArguments([]);
  const argv = [
    process.execPath,
    vitest,
    'run',
    '--project',
    'vm',
    `--shard=${index}/${count}`,
    // A shard may get no file when there are few; the total is checked below.
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${report}`,
  ];
  const { status } = await runInVm(
    argv,
    // A shard runs many test files: it gets most of CI's 90 minutes, not one command's 10
    // (unless TSDM_VM_TIMEOUT says otherwise).
    {
      ...defaultVmOptions,
      ...options,
      timeoutSeconds: process.env['TSDM_VM_TIMEOUT'] ? options.timeoutSeconds : 60 * 60,
      cpu: (index - 1) % availableParallelism(),
    },
    // The guest's console is a terminal; CI=true keeps vitest's output to plain lines.
    { env: { ...process.env, CI: 'true' } },
  );
  return readJsonReport(`vm shard ${index}/${count}`, report, status);
}

async function main(): Promise<number> {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const started = Date.now();
  const results: SuiteResult[] = [await runHostSuites()];
  if (!findLinuxUml()) {
    console.error(`The VM suite needs linux.uml (the real-kernel test bed), which is not installed:\n  ${INSTALL_COMMAND}`);
    results.push({ name: 'vm', passed: 0, failed: 0, skipped: 0, problem: 'linux.uml is not installed', details: [] });
  } else {
    const shards = Math.max(1, Math.min(2, availableParallelism()));
    const shardResults = await Promise.all(Array.from({ length: shards }, (_, i) => runVmShard(i + 1, shards)));
    results.push(...shardResults);
    const vmTests = shardResults.reduce((sum, r) => sum + r.passed + r.failed, 0);
    if (vmTests === 0) results.push({ name: 'vm', passed: 0, failed: 0, skipped: 0, problem: 'the VM suite ran no test', details: [] });
  }
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  console.log(`\nTest summary (${((Date.now() - started) / 1000).toFixed(1)} s):`);
  for (const result of results) {
    passed += result.passed;
    failed += result.failed + (result.problem ? 1 : 0);
    skipped += result.skipped;
    console.log(
      `  ${result.name}: ${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ''}${
        result.problem ? ` (FAILED: ${result.problem})` : ''
      }`,
    );
    for (const line of result.details) console.log(`    ${line}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
