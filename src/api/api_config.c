/* Configured lists (read). Editing them arrives with the lifecycle work. */
#include "api/api.h"
#include "core/ts_err.h"

static void reply_list(ts_req *r, int (*fn)(ts_store *, json_t **)) {
  json_t *items;
  if (fn(r->app->store, &items))
    ts_reply_error(r, TS_ERR_STORE, "cannot read the list", NULL);
  else
    ts_api_reply_list(r, items);
}

void ts_api_channels_list(ts_req *r) { reply_list(r, ts_store_channel_list); }
void ts_api_categories_list(ts_req *r) { reply_list(r, ts_store_category_list); }
