/**
 * SIGINT/SIGTERM during an asynchronous udev wait: the semaphore is removed first, then the
 * signal goes on as if we had not been there (the process's own listeners, or death by it).
 */

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `wait` with listeners for SIGINT and SIGTERM that call `cleanup` and abort `wait`'s signal.
 * Afterwards, a caught signal is raised again when nobody else listens for it (the default action:
 * the process ends by that signal, like a killed dmsetup but with nothing left behind).
 */
export async function guardTermination<T>(cleanup: () => void, wait: (aborted: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (caught) return;
    caught = signal;
    try {
      cleanup();
    } finally {
      controller.abort();
    }
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    return await wait(controller.signal);
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    if (caught && process.listenerCount(caught) === 0) process.kill(process.pid, caught);
  }
}
