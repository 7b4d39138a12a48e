/**
 * System V semaphores as libdm's udev cookies use them (`<sys/ipc.h>`, `<sys/sem.h>`, glibc on
 * x86_64 and the other LP64 Linux ABIs): flags, semctl commands, structure layouts, and the koffi
 * prototypes. Checked against the C headers by test/unit/native-defs-udev.test.ts.
 */

/** `<sys/ipc.h>` flags (octal in the header) and the generic IPC commands. */
export const IpcFlag = {
  IPC_CREAT: 0o1000,
  IPC_EXCL: 0o2000,
  IPC_NOWAIT: 0o4000,
} as const;

/** semctl(2) commands: the generic IPC ones and the semaphore ones. */
export const SemCtl = {
  IPC_RMID: 0,
  IPC_SET: 1,
  IPC_STAT: 2,
  IPC_INFO: 3,
  GETPID: 11,
  GETVAL: 12,
  GETALL: 13,
  GETNCNT: 14,
  GETZCNT: 15,
  SETVAL: 16,
  SETALL: 17,
  /** Like IPC_STAT, but takes an index into the kernel's array and returns the semid. */
  SEM_STAT: 18,
  /** Fills a struct seminfo and returns the highest index in use. */
  SEM_INFO: 19,
  SEM_STAT_ANY: 20,
} as const;

/** semop(2) per-operation flag: undo on exit (libdm never sets it; IPC_NOWAIT is the other). */
export const SEM_UNDO = 0x1000;

/** `struct sembuf`: one operation. */
export const SembufLayout = {
  size: 6,
  sem_num: 0, // unsigned short
  sem_op: 2, // short
  sem_flg: 4, // short
} as const;

/** `struct timespec` (64-bit time_t and long). */
export const TimespecLayout = {
  size: 16,
  tv_sec: 0,
  tv_nsec: 8,
} as const;

/**
 * glibc's `struct semid_ds` (what IPC_STAT/SEM_STAT fill): the ipc_perm first (its `__key` at 0),
 * then the times as 64-bit time_t.
 */
export const SemidDsLayout = {
  size: 104,
  key: 0, // sem_perm.__key, key_t (int)
  mode: 20, // sem_perm.mode
  sem_otime: 48, // time of the last semop
  sem_ctime: 64, // time of the last change (creation, SETVAL, IPC_SET)
  sem_nsems: 80,
} as const;

/** `sizeof(struct seminfo)`: SEM_INFO writes that much. */
export const SEMINFO_SIZE = 40;

/**
 * The semaphore calls, as koffi prototypes. semctl is variadic in C; on the LP64 ABIs its fourth
 * argument (union semun: an int or a pointer) travels in an integer register like any long, so two
 * fixed prototypes stand for it (as ioctl does in libc.ts).
 */
export const SysvSemPrototypes = {
  semget: 'int semget(int key, int nsems, int semflg)',
  semop: 'int semop(int semid, void *sops, size_t nsops)',
  semtimedop: 'int semtimedop(int semid, void *sops, size_t nsops, void *timeout)',
  /** semctl with an int (SETVAL) or no argument (GETVAL, IPC_RMID). */
  semctlValue: 'int semctl(int semid, int semnum, int cmd, long arg)',
  /** semctl with a buffer (IPC_STAT, SEM_STAT, SEM_INFO). */
  semctlBuffer: 'int semctl(int semid, int semnum, int cmd, void *arg)',
} as const;
