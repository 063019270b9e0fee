/* Request metrics: counters by route and status, a latency histogram by route. Lock-free
 * (C11 atomics); rendered in the Prometheus text format by ts_metrics_render. */
#ifndef TS_METRICS_H
#define TS_METRICS_H

#include <stdint.h>

#define TS_METRICS_MAX_ROUTES 128

/* route: index in the route table, or -1 for requests that matched none. */
void ts_metrics_observe(int route, int status, int64_t duration_ns);

#endif
