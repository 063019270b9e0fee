/* fsync_rate: how many durable 4 KiB writes per second the disk under DIR takes.
 *
 *   fsync_rate DIR [SECONDS]
 *
 * Writes 4 KiB at the end of a fresh file in DIR and calls fdatasync, in a loop, for
 * SECONDS (default 3), then prints one line:
 *
 *   fsync_rate: N fsyncs in S s = R fsyncs/s, mean M ms, max X ms
 *
 * A group commit costs about one such write + fdatasync (SQLite's WAL append and sync),
 * so R is the ceiling on commits per second on this disk: the benchmark's registrations/s
 * divided by R tells how many registrations each commit must carry. The file is removed
 * afterwards. Measured in the same run as the benchmark so that figures taken on a noisy
 * day can be compared. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: fsync_rate DIR [SECONDS]\n");
    return 2;
  }
  double secs = argc == 3 ? atof(argv[2]) : 3.0;
  if (secs <= 0 || secs > 60) {
    fprintf(stderr, "fsync_rate: SECONDS must be in (0, 60]\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/fsync_rate.%ld.tmp", argv[1], (long)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    fprintf(stderr, "fsync_rate: cannot create %s: %s\n", path, strerror(errno));
    return 1;
  }
  char buf[4096];
  memset(buf, 'x', sizeof buf);
  /* one warm-up write so that the file's creation is not in the figure */
  if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fsync(fd) != 0) {
    fprintf(stderr, "fsync_rate: write failed: %s\n", strerror(errno));
    close(fd);
    unlink(path);
    return 1;
  }
  long n = 0;
  double worst = 0, t0 = now_s(), end = t0 + secs, t = t0;
  while (t < end) {
    double a = now_s();
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fdatasync(fd) != 0) {
      fprintf(stderr, "fsync_rate: write failed: %s\n", strerror(errno));
      close(fd);
      unlink(path);
      return 1;
    }
    t = now_s();
    if (t - a > worst)
      worst = t - a;
    n++;
    /* keep the file small: the WAL also rewrites the same region after a checkpoint */
    if (n % 1024 == 0 && lseek(fd, 0, SEEK_SET) < 0)
      break;
  }
  double el = t - t0;
  close(fd);
  unlink(path);
  printf("fsync_rate: %ld fsyncs in %.2f s = %.0f fsyncs/s, mean %.3f ms, max %.3f ms\n", n, el,
         (double)n / el, el * 1e3 / (double)n, worst * 1e3);
  return 0;
}
