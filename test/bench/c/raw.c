/*
 * The raw-ioctl reference of `npm run bench`: the same work as our library, straight ioctls on
 * /dev/mapper/control from C with one reused buffer. No user-space library can be faster, so this is
 * the floor both ours and libdevmapper are measured against.
 *
 * Node ops (create cycle): mknod + chown of /dev/mapper/NAME after resume, unlink after remove, the
 * least any node-keeping library does. Every reply is read (names, params, dev numbers) into `sink`.
 */
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bench.h"

static int fd;
static char *buf;
static size_t buf_size = 16384;
static const char *name, *uuid;

/* A fresh header (only the header is zeroed: the kernel reads no more than data_start). */
static struct dm_ioctl *header(const char *by_name, const char *by_uuid, __u32 flags) {
  struct dm_ioctl *io = (struct dm_ioctl *)buf;
  memset(io, 0, sizeof(*io));
  io->version[0] = DM_VERSION_MAJOR;
  io->data_size = buf_size;
  io->data_start = sizeof(*io);
  io->flags = flags;
  if (by_name) strncpy(io->name, by_name, DM_NAME_LEN - 1);
  if (by_uuid) strncpy(io->uuid, by_uuid, DM_UUID_LEN - 1);
  return io;
}

static void dm(unsigned long request, struct dm_ioctl *io, const char *what) {
  if (ioctl(fd, request, io)) die(what);
}

static void read_header(const struct dm_ioctl *io) {
  sink += io->dev + io->open_count + io->event_nr + io->flags + io->target_count + strlen(io->name) + strlen(io->uuid);
}

static void op_info(void) {
  struct dm_ioctl *io = header(name, NULL, 0);
  dm(DM_DEV_STATUS, io, "DM_DEV_STATUS");
  read_header(io);
}

static void read_targets(const struct dm_ioctl *io) {
  const char *data = (const char *)io + io->data_start;
  const struct dm_target_spec *spec = (const void *)data;
  for (__u32 i = 0; i < io->target_count; i++) {
    sink += spec->sector_start + spec->length + strlen(spec->target_type) + strlen((const char *)(spec + 1));
    spec = (const void *)(data + spec->next); /* status replies: offsets from the data start */
  }
}

static void op_status(void) {
  struct dm_ioctl *io = header(name, NULL, 0);
  dm(DM_TABLE_STATUS, io, "DM_TABLE_STATUS");
  read_header(io);
  read_targets(io);
}

static void op_table(void) {
  struct dm_ioctl *io = header(name, NULL, DM_STATUS_TABLE_FLAG);
  dm(DM_TABLE_STATUS, io, "DM_TABLE_STATUS");
  read_header(io);
  read_targets(io);
}

static void op_deps(void) {
  struct dm_ioctl *io = header(name, NULL, 0);
  dm(DM_TABLE_DEPS, io, "DM_TABLE_DEPS");
  read_header(io);
  const struct dm_target_deps *deps = (const void *)((char *)io + io->data_start);
  for (__u32 i = 0; i < deps->count; i++) sink += deps->dev[i];
}

/* LIST_DEVICES with uuids, as ours asks on 4.45+; the buffer grows once and keeps its size. */
static void op_list(void) {
  for (;;) {
    struct dm_ioctl *io = header(NULL, NULL, DM_UUID_FLAG);
    dm(DM_LIST_DEVICES, io, "DM_LIST_DEVICES");
    if (io->flags & DM_BUFFER_FULL_FLAG) {
      buf_size *= 2;
      if (!(buf = realloc(buf, buf_size))) die("realloc");
      continue;
    }
    const char *entry = (const char *)io + io->data_start;
    for (;;) {
      const struct dm_name_list *nl = (const void *)entry;
      if (!nl->dev) break; /* an empty list has one zeroed entry */
      size_t len = strlen(nl->name);
      const __u32 *extra = (const void *)(((unsigned long)nl->name + len + 1 + 7) & ~7UL);
      sink += nl->dev + len + extra[0];
      if (extra[1] & DM_NAME_LIST_FLAG_HAS_UUID) sink += strlen((const char *)(extra + 2));
      if (!nl->next) break;
      entry += nl->next;
    }
    return;
  }
}

static void op_message(void) {
  struct dm_ioctl *io = header(name, NULL, 0);
  struct dm_target_msg *msg = (void *)(buf + io->data_start);
  msg->sector = 0;
  strcpy(msg->message, "@stats_list");
  dm(DM_TARGET_MSG, io, "DM_TARGET_MSG");
  if (io->flags & DM_DATA_OUT_FLAG) sink += strlen(buf + io->data_start);
}

static void op_suspend_resume(void) {
  dm(DM_DEV_SUSPEND, header(name, NULL, DM_SUSPEND_FLAG), "suspend");
  dm(DM_DEV_SUSPEND, header(name, NULL, 0), "resume");
}

static void op_cycle(void) {
  char path[300];
  snprintf(path, sizeof(path), "/dev/mapper/%s", name);
  dm(DM_DEV_CREATE, header(name, NULL, 0), "DM_DEV_CREATE");
  struct dm_ioctl *io = header(name, NULL, 0);
  struct dm_target_spec *spec = (void *)(buf + io->data_start);
  memset(spec, 0, sizeof(*spec) + 8);
  spec->length = 2048;
  strcpy(spec->target_type, "zero");
  spec->next = sizeof(*spec) + 8; /* params "" padded to 8 */
  io->target_count = 1;
  dm(DM_TABLE_LOAD, io, "DM_TABLE_LOAD");
  io = header(name, NULL, 0);
  dm(DM_DEV_SUSPEND, io, "resume");
  if (mknod(path, S_IFBLK | 0660, io->dev)) die("mknod");
  if (chown(path, 0, 6)) die("chown");
  dm(DM_DEV_REMOVE, header(name, NULL, 0), "DM_DEV_REMOVE");
  if (unlink(path)) die("unlink");
}

/* Event latency: a thread blocks in DEV_WAIT (by uuid); the main thread renames the device, which
 * raises an event; the time from before the rename to the waiter's return is one sample. */
static double woke;
static __u32 wait_nr;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int phase; /* 0 idle, 1 go, 2 woken */

static void *waiter(void *unused) {
  (void)unused;
  char *own = malloc(16384);
  for (;;) {
    pthread_mutex_lock(&lock);
    while (phase != 1) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    struct dm_ioctl *io = (void *)own;
    memset(io, 0, sizeof(*io));
    io->version[0] = DM_VERSION_MAJOR;
    io->data_size = 16384;
    io->data_start = sizeof(*io);
    io->event_nr = wait_nr;
    strncpy(io->uuid, uuid, DM_UUID_LEN - 1);
    if (ioctl(fd, DM_DEV_WAIT, io)) die("DM_DEV_WAIT");
    pthread_mutex_lock(&lock);
    woke = now_ns();
    phase = 2;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static void run_events(int n, const char *other) {
  pthread_t thread;
  struct dm_ioctl *io = header(NULL, uuid, 0);
  dm(DM_DEV_STATUS, io, "DM_DEV_STATUS");
  wait_nr = io->event_nr;
  const char *names[2] = {io->name[0] ? strdup(io->name) : NULL, other};
  pthread_create(&thread, NULL, waiter, NULL);
  double total = 0;
  for (int i = 0; i < n; i++) {
    pthread_mutex_lock(&lock);
    phase = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    usleep(2000); /* let the waiter enter the kernel */
    double start = now_ns();
    io = header(names[i % 2], NULL, 0);
    strcpy(buf + io->data_start, names[(i + 1) % 2]);
    dm(DM_DEV_RENAME, io, "DM_DEV_RENAME");
    pthread_mutex_lock(&lock);
    while (phase != 2) pthread_cond_wait(&cond, &lock);
    phase = 0;
    pthread_mutex_unlock(&lock);
    total += woke - start;
    wait_nr++;
  }
  if (n % 2) { /* leave the device under its first name */
    io = header(names[1], NULL, 0);
    strcpy(buf + io->data_start, names[0]);
    dm(DM_DEV_RENAME, io, "DM_DEV_RENAME");
  }
  printf("%.0f\n", total / n);
}

int main(int argc, char **argv) {
  const char *what = arg(argc, argv, 1);
  int n = atoi(arg(argc, argv, 2));
  if ((fd = open("/dev/mapper/control", O_RDWR)) < 0) die("open /dev/mapper/control");
  if (!(buf = malloc(buf_size))) die("malloc");
  static const struct { const char *name; void (*op)(void); } cases[] = {
      {"info", op_info},       {"status", op_status},   {"table", op_table},
      {"deps", op_deps},       {"list", op_list},       {"message", op_message},
      {"suspend-resume", op_suspend_resume}, {"cycle", op_cycle},
  };
  if (!strcmp(what, "event")) {
    uuid = arg(argc, argv, 3);
    run_events(n, arg(argc, argv, 4));
    return 0;
  }
  if (strcmp(what, "list")) name = arg(argc, argv, 3);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    if (!strcmp(cases[i].name, what)) {
      time_loop(n, cases[i].op);
      return 0;
    }
  fprintf(stderr, "unknown case %s\n", what);
  return 2;
}
