#include "util/clock.h"

#include <stdatomic.h>
#include <time.h>

#include "core/ts_err.h"

static atomic_int test_mode;
static _Atomic int64_t pinned; /* 0: follow the real clock */

int64_t ts_now(void) {
  if (atomic_load(&test_mode)) {
    int64_t p = atomic_load(&pinned);
    if (p)
      return p;
  }
  return (int64_t)time(NULL);
}

int64_t ts_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ts_clock_set_test_mode(int on) { atomic_store(&test_mode, on ? 1 : 0); }
int ts_clock_test_mode(void) { return atomic_load(&test_mode); }

int ts_clock_set(int64_t t) {
  if (!atomic_load(&test_mode))
    return TS_ERR_FORBIDDEN;
  atomic_store(&pinned, t);
  return TS_OK;
}
