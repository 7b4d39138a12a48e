/**
 * Signal dispositions (`<signal.h>`, glibc on x86_64), for the blocking udev wait: it traps
 * SIGINT/SIGTERM with a one-shot (SA_RESETHAND) handler so it can remove its semaphore before the
 * signal takes effect. Checked against the C headers by test/unit/native-defs-udev.test.ts.
 */

export const SignalNumber = {
  SIGINT: 2,
  SIGTERM: 15,
} as const;

/** sa_flags: restore SIG_DFL when the handler runs (so the disposition tells that it ran). */
export const SA_RESETHAND = 0x80000000;
/** The default disposition, as a handler value. */
export const SIG_DFL = 0;

/** glibc's `struct sigaction`. */
export const SigactionLayout = {
  size: 152,
  sa_handler: 0, // function pointer (or SIG_DFL / SIG_IGN)
  sa_mask: 8, // sigset_t, 128 bytes
  sa_flags: 136, // int
  sa_restorer: 144,
} as const;

/** The libc functions the signal trap binds through koffi (sigaction, dlsym, kill), as prototype strings. */
export const SignalPrototypes = {
  sigaction: 'int sigaction(int signum, void *act, void *oldact)',
  /** dlsym(RTLD_DEFAULT, name): the address of a libc function, to use as a harmless handler. */
  dlsym: 'void *dlsym(void *handle, const char *name)',
  kill: 'int kill(int pid, int sig)',
} as const;
