/** Waiting, in both worlds: the sync API sleeps the thread, the async one yields to the event loop. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms` milliseconds (used only between sync retries). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
