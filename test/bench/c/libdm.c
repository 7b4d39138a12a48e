/*
 * The libdevmapper reference of `npm run bench`: the same work as our library through libdm's
 * public API (dm_task_create / dm_task_run / dm_task_get_* / dm_task_destroy), one task per
 * operation as dmsetup and LVM do.
 *
 * Udev: sync off (dm_udev_set_sync_support(0), no cookies) and the runner sets DM_DISABLE_UDEV=1,
 * so libdm keeps /dev/mapper nodes itself, as ours does with `nodes: true`: NODE_ADD on resume
 * (stat + mknod + chown, root:disk 0660), NODE_DEL on remove (lstat + unlink), NODE_RENAME on
 * rename; the stacked node ops run at dm_task_update_nodes() after each task that queues some.
 */
#include <libdevmapper.h>
#include <pthread.h>
#include <unistd.h>

#include "bench.h"

static const char *name, *uuid;

static struct dm_task *task(int type, const char *by_name) {
  struct dm_task *dmt = dm_task_create(type);
  if (!dmt) die("dm_task_create");
  if (by_name && !dm_task_set_name(dmt, by_name)) die("dm_task_set_name");
  return dmt;
}

static void run_and_destroy(struct dm_task *dmt, const char *what) {
  if (!dm_task_run(dmt)) die(what);
  dm_task_destroy(dmt);
}

static void read_info(struct dm_task *dmt) {
  struct dm_info info;
  if (!dm_task_get_info(dmt, &info) || !info.exists) die("dm_task_get_info");
  sink += info.major + info.minor + info.open_count + info.event_nr + info.target_count + info.suspended;
  sink += strlen(dm_task_get_name(dmt)) + strlen(dm_task_get_uuid(dmt));
}

static void op_info(void) {
  struct dm_task *dmt = task(DM_DEVICE_INFO, name);
  if (!dm_task_run(dmt)) die("info");
  read_info(dmt);
  dm_task_destroy(dmt);
}

static void query_targets(int type) {
  struct dm_task *dmt = task(type, name);
  if (!dm_task_run(dmt)) die("status/table");
  read_info(dmt);
  void *next = NULL;
  uint64_t start, length;
  char *target_type, *params;
  do {
    next = dm_get_next_target(dmt, next, &start, &length, &target_type, &params);
    if (target_type) sink += start + length + strlen(target_type) + strlen(params);
  } while (next);
  dm_task_destroy(dmt);
}

static void op_status(void) { query_targets(DM_DEVICE_STATUS); }
static void op_table(void) { query_targets(DM_DEVICE_TABLE); }

static void op_deps(void) {
  struct dm_task *dmt = task(DM_DEVICE_DEPS, name);
  if (!dm_task_run(dmt)) die("deps");
  read_info(dmt);
  struct dm_deps *deps = dm_task_get_deps(dmt);
  for (uint32_t i = 0; i < deps->count; i++) sink += deps->device[i];
  dm_task_destroy(dmt);
}

static void op_list(void) {
  struct dm_task *dmt = task(DM_DEVICE_LIST, NULL);
  if (!dm_task_run(dmt)) die("list");
  struct dm_names *names = dm_task_get_names(dmt);
  if (names && names->dev) {
    for (;;) {
      sink += names->dev + strlen(names->name);
      if (!names->next) break;
      names = (struct dm_names *)((char *)names + names->next);
    }
  }
  dm_task_destroy(dmt);
}

static void op_message(void) {
  struct dm_task *dmt = task(DM_DEVICE_TARGET_MSG, name);
  if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, "@stats_list")) die("message setup");
  if (!dm_task_run(dmt)) die("message");
  const char *reply = dm_task_get_message_response(dmt);
  if (reply) sink += strlen(reply);
  dm_task_destroy(dmt);
}

static void op_suspend_resume(void) {
  run_and_destroy(task(DM_DEVICE_SUSPEND, name), "suspend");
  run_and_destroy(task(DM_DEVICE_RESUME, name), "resume");
  dm_task_update_nodes();
}

static void op_cycle(void) {
  run_and_destroy(task(DM_DEVICE_CREATE, name), "create");
  struct dm_task *dmt = task(DM_DEVICE_RELOAD, name);
  if (!dm_task_add_target(dmt, 0, 2048, "zero", "")) die("dm_task_add_target");
  run_and_destroy(dmt, "reload");
  run_and_destroy(task(DM_DEVICE_RESUME, name), "resume");
  dm_task_update_nodes();
  run_and_destroy(task(DM_DEVICE_REMOVE, name), "remove");
  dm_task_update_nodes();
}

/* Event latency, as raw.c: a thread waits (WAITEVENT by uuid), the main thread renames. */
static double woke;
static uint32_t wait_nr;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int phase; /* 0 idle, 1 go, 2 woken */

static void *waiter(void *unused) {
  (void)unused;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (phase != 1) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    struct dm_task *dmt = task(DM_DEVICE_WAITEVENT, NULL);
    if (!dm_task_set_uuid(dmt, uuid) || !dm_task_set_event_nr(dmt, wait_nr)) die("wait setup");
    if (!dm_task_run(dmt)) die("waitevent");
    read_info(dmt);
    dm_task_destroy(dmt);
    pthread_mutex_lock(&lock);
    woke = now_ns();
    phase = 2;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static void rename_device(const char *from, const char *to) {
  struct dm_task *dmt = task(DM_DEVICE_RENAME, from);
  if (!dm_task_set_newname(dmt, to)) die("dm_task_set_newname");
  run_and_destroy(dmt, "rename");
  dm_task_update_nodes();
}

static void run_events(int n, const char *other) {
  struct dm_task *dmt = task(DM_DEVICE_INFO, NULL);
  struct dm_info info;
  if (!dm_task_set_uuid(dmt, uuid) || !dm_task_run(dmt) || !dm_task_get_info(dmt, &info)) die("info by uuid");
  wait_nr = info.event_nr;
  const char *names[2] = {strdup(dm_task_get_name(dmt)), other};
  dm_task_destroy(dmt);
  pthread_t thread;
  pthread_create(&thread, NULL, waiter, NULL);
  double total = 0;
  for (int i = 0; i < n; i++) {
    pthread_mutex_lock(&lock);
    phase = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    usleep(2000); /* let the waiter enter the kernel */
    double start = now_ns();
    rename_device(names[i % 2], names[(i + 1) % 2]);
    pthread_mutex_lock(&lock);
    while (phase != 2) pthread_cond_wait(&cond, &lock);
    phase = 0;
    pthread_mutex_unlock(&lock);
    total += woke - start;
    wait_nr++;
  }
  if (n % 2) rename_device(names[1], names[0]);
  printf("%.0f\n", total / n);
}

int main(int argc, char **argv) {
  const char *what = arg(argc, argv, 1);
  int n = atoi(arg(argc, argv, 2));
  dm_udev_set_sync_support(0);
  static const struct { const char *name; void (*op)(void); } cases[] = {
      {"info", op_info},       {"status", op_status},   {"table", op_table},
      {"deps", op_deps},       {"list", op_list},       {"message", op_message},
      {"suspend-resume", op_suspend_resume}, {"cycle", op_cycle},
  };
  int status = 2;
  if (!strcmp(what, "event")) {
    uuid = arg(argc, argv, 3);
    run_events(n, arg(argc, argv, 4));
    status = 0;
  } else {
    if (strcmp(what, "list")) name = arg(argc, argv, 3);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
      if (!strcmp(cases[i].name, what)) {
        time_loop(n, cases[i].op);
        status = 0;
      }
    if (status) fprintf(stderr, "unknown case %s\n", what);
  }
  dm_lib_release();
  return status;
}
