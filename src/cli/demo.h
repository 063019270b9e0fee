/* `tousu demo`: loads the demo organisation, users and the seeds' complaints (compiled
 * in from data/demo.json) through the same validation as the API. */
#ifndef TS_DEMO_H
#define TS_DEMO_H

#include <stdio.h>

#include "store/store.h"

/* Loads the demo data; TS_ERR_CONFLICT if it is already there. Prints the users and
 * their passwords to out. */
int ts_demo_load(ts_store *s, const char *case_prefix, FILE *out);

#endif
