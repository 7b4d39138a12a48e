/*
 * Shared by the two C references of `npm run bench` (raw.c, libdm.c): the clock, the argument
 * convention and the report line.
 *
 * Each program is run as `PROG CASE N [ARG...]`; it does CASE N times after a short warm-up and
 * prints the mean nanoseconds per operation on stdout, so process start-up is never measured.
 */
#ifndef TSDM_BENCH_H
#define TSDM_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Written by every loop so the compiler cannot drop work whose result nobody reads. */
static volatile unsigned long sink;

static inline void die(const char *what) {
  perror(what);
  exit(1);
}

static inline const char *arg(int argc, char **argv, int i) {
  if (i >= argc) {
    fprintf(stderr, "missing argument %d for %s\n", i, argv[1]);
    exit(2);
  }
  return argv[i];
}

/* Warm-up iterations before the clock starts: page faults and caches, as node's loop gets. */
static inline int warmup_count(int n) { return n < 50 ? n : 50; }

/* Runs op n times after the warm-up and prints the mean ns per call. */
static inline void time_loop(int n, void (*op)(void)) {
  for (int i = 0; i < warmup_count(n); i++) op();
  double start = now_ns();
  for (int i = 0; i < n; i++) op();
  printf("%.0f\n", (now_ns() - start) / n);
}

#endif
