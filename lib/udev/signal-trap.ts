/**
 * SIGINT/SIGTERM during a blocking udev wait. JavaScript listeners cannot run while the main
 * thread blocks, so the wait installs, for its duration, a one-shot C-level disposition
 * (SA_RESETHAND) whose handler is libc's harmless getpid: a signal interrupts the semtimedop
 * (EINTR; never restarted) and resets the disposition to SIG_DFL, which the wait reads back to
 * learn which signal came. Then it removes its semaphore, puts the process's own dispositions
 * back (Node's handlers, if it listens) and raises the signal again, so it takes effect as if we
 * had not been there: a listener runs, or the process ends by that signal.
 */
import { SA_RESETHAND, SIG_DFL, SigactionLayout, SignalNumber } from '../../native-defs/index.js';
import { signalLibc } from '../sys/libc.js';

const TRAPPED = [SignalNumber.SIGINT, SignalNumber.SIGTERM];

export interface SignalTrap {
  /** The first trapped signal that arrived since the trap was set, if any. */
  caught(): number | undefined;
  /** Restores the previous dispositions and raises a caught signal again. */
  release(): void;
}

/** Sets the trap; a no-op trap when libc's getpid cannot be found. */
export function trapTerminationSignals(): SignalTrap {
  const libc = signalLibc();
  const handler = libc.functionAddress('getpid');
  if (handler === 0n) return { caught: () => undefined, release: () => {} };
  const saved = new Map<number, Buffer>();
  for (const signal of TRAPPED) {
    const act = Buffer.alloc(SigactionLayout.size);
    act.writeBigUInt64LE(handler, SigactionLayout.sa_handler);
    act.writeUInt32LE(SA_RESETHAND, SigactionLayout.sa_flags);
    const old = Buffer.alloc(SigactionLayout.size);
    if (libc.sigaction(signal, act, old) === 0) saved.set(signal, old);
  }
  let arrived: number | undefined;
  const caught = (): number | undefined => {
    if (arrived !== undefined) return arrived;
    const current = Buffer.alloc(SigactionLayout.size);
    for (const signal of saved.keys()) {
      if (libc.sigaction(signal, null, current) === 0 && current.readBigUInt64LE(SigactionLayout.sa_handler) === BigInt(SIG_DFL)) {
        arrived = signal;
        break;
      }
    }
    return arrived;
  };
  const release = (): void => {
    const signal = caught();
    for (const [number, old] of saved) libc.sigaction(number, old, null);
    saved.clear();
    if (signal !== undefined) libc.kill(process.pid, signal);
  };
  return { caught, release };
}
