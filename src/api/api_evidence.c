/* Evidence (证据): files attached to a case — call recordings, letters, photos, repair
 * orders. Kept outside the database, named by their SHA-256 (so never altered, and the
 * same file uploaded twice is stored once), written and fsync'd before the row that
 * records the upload is committed. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "core/caseno.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "util/clock.h"
#include "util/log.h"

/* What may be uploaded: the kinds of evidence the seeds mention. */
static const char *const allowed_types[] = {
  "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
  "audio/mpeg", "audio/wav", "audio/x-wav", "audio/amr", "audio/mp4", "audio/aac", "audio/ogg",
  "video/mp4", "application/pdf", "text/plain",
  "application/msword", "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "message/rfc822", NULL};

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size) {
  ts_api_upload *u = cls;
  (void)kind;
  (void)transfer_encoding;
  if (strcmp(key, "file") != 0) {
    if (!u->unknown[0])
      snprintf(u->unknown, sizeof u->unknown, "%s", ts_utf8_valid(key, strlen(key)) ? key : "?");
    return MHD_YES;
  }
  if (off == 0 && u->len == 0) {
    u->files++;
    snprintf(u->filename, sizeof u->filename, "%s", filename ? filename : "");
    snprintf(u->content_type, sizeof u->content_type, "%s",
             content_type ? content_type : "application/octet-stream");
  }
  if (u->files > 1 || u->too_big || size == 0)
    return MHD_YES;
  if (u->len + size > u->max) {
    u->too_big = 1;
    return MHD_YES;
  }
  if (u->len + size > u->cap) {
    size_t cap = u->cap ? u->cap : 65536;
    while (cap < u->len + size)
      cap *= 2;
    char *g = realloc(u->data, cap);
    if (!g)
      return MHD_NO;
    u->data = g;
    u->cap = cap;
  }
  memcpy(u->data + u->len, data, size);
  u->len += size;
  return MHD_YES;
}

int ts_api_upload_read(ts_req *r, ts_api_upload *u) {
  const char *ct = ts_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0 || !r->body_len) {
    ts_reply_error_status(r, 400, "malformed", "send multipart/form-data with a field 'file'",
                          NULL);
    return 1;
  }
  struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 65536, on_part, u);
  if (!pp || MHD_post_process(pp, r->body, r->body_len) != MHD_YES) {
    if (pp)
      MHD_destroy_post_processor(pp);
    ts_reply_error_status(r, 400, "malformed", "the multipart body cannot be read", NULL);
    return 1;
  }
  if (MHD_destroy_post_processor(pp) != MHD_YES) {
    ts_reply_error_status(r, 400, "malformed", "the multipart body is incomplete", NULL);
    return 1;
  }
  if (u->too_big) {
    ts_reply_error(r, TS_ERR_TOO_LARGE, "the file is too large",
                   json_pack("{s:I}", "max_bytes", (json_int_t)u->max));
    return 1;
  }
  return 0;
}

/* Writes data to dir/ab/<sha> unless it is there; fsyncs file and folder. */
static int store_file(const char *dir, const char *sha, const char *data, size_t len) {
  char sub[600], path[700], tmp[720];
  int fd = -1, rc = TS_ERR_STORE;
  snprintf(sub, sizeof sub, "%s/%.2s", dir, sha);
  snprintf(path, sizeof path, "%s/%s", sub, sha);
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
  if ((mkdir(dir, 0750) && errno != EEXIST) || (mkdir(sub, 0750) && errno != EEXIST))
    return TS_ERR_STORE;
  struct stat st;
  if (stat(path, &st) == 0 && (size_t)st.st_size == len)
    return TS_OK; /* content-addressed: the same bytes are there */
  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
    return TS_ERR_STORE;
  for (size_t done = 0; done < len;) {
    ssize_t w = write(fd, data + done, len - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      goto out;
    done += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    fd = -1;
    goto out;
  }
  fd = -1;
  if (rename(tmp, path) != 0)
    goto out;
  int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  rc = TS_OK;
out:
  if (fd >= 0)
    close(fd);
  if (rc)
    unlink(tmp);
  return rc;
}

int ts_api_evidence_file(const char *dir, const char *data, size_t len, char sha256[65]) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, (const unsigned char *)data, len);
  sodium_bin2hex(sha256, 65, hash, sizeof hash);
  if (store_file(dir, sha256, data, len)) {
    ts_log(TS_LOG_ERROR, "cannot store evidence", json_pack("{s:s}", "dir", dir));
    return TS_ERR_STORE;
  }
  return TS_OK;
}

typedef struct {
  char case_no[TS_CASENO_MAX];
  ts_api_caller me; /* initialised in place: never copy the struct */
  ts_evidence e;
} evidence_write;

static int apply_evidence(ts_tx *tx, void *arg) {
  evidence_write *w = arg;
  ts_case *c = NULL;
  int rc = ts_api_tx_case(tx, w->case_no, &w->me.p, &c);
  if (rc)
    return rc;
  w->e.case_id = c->id;
  ts_case_free(c);
  if ((rc = ts_tx_evidence_add(tx, &w->e)))
    return rc;
  json_t *changes = json_pack("{s:[n,{s:s,s:s,s:I,s:s}]}", "evidence", "filename", w->e.filename,
                              "content_type", w->e.content_type, "size", (json_int_t)w->e.size,
                              "sha256", w->e.sha256);
  if (!changes)
    return TS_ERR_NOMEM;
  rc = ts_tx_history_add(tx, w->e.case_id, w->e.at, w->me.username, "evidence", changes);
  json_decref(changes);
  return rc;
}

static json_t *evidence_json(const ts_evidence *e) {
  return json_pack("{s:I,s:o,s:s,s:s,s:s,s:I,s:s}", "id", (json_int_t)e->id, "at",
                   ts_api_time_json(e->at), "by", e->by, "filename", e->filename, "content_type",
                   e->content_type, "size", (json_int_t)e->size, "sha256", e->sha256);
}

static void finish_evidence(ts_req *r, int rc) {
  evidence_write *w = r->wctx;
  if (rc)
    ts_reply_error(r, rc, "the evidence could not be recorded", NULL);
  else
    ts_reply_json(r, 201, evidence_json(&w->e));
}

/* The base name of a client's file name, cleaned; "upload" if nothing usable. */
void ts_api_clean_filename(const char *in, char *out, size_t outsz) {
  const char *base = in;
  for (const char *p = in; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  if (!*base || !ts_utf8_valid(base, strlen(base)) || !ts_text_clean(base, 0) ||
      ts_utf8_len(base) > 200 || strlen(base) >= outsz)
    snprintf(out, outsz, "upload");
  else
    snprintf(out, outsz, "%s", base);
}

void ts_api_evidence_upload(ts_req *r) {
  ts_case *c = NULL;
  ts_api_upload u;
  evidence_write *w = NULL;
  memset(&u, 0, sizeof u);
  u.max = r->app->max_upload;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return;
  if (ts_api_upload_read(r, &u))
    goto out;
  json_t *errors = json_object();
  char type[128];
  snprintf(type, sizeof type, "%s", u.content_type);
  char *semi = strchr(type, ';');
  if (semi)
    *semi = '\0';
  for (char *p = type; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  if (u.unknown[0])
    json_object_set_new(errors, u.unknown, json_string("unknown field"));
  if (u.files == 0 || u.len == 0)
    json_object_set_new(errors, "file", json_string("is required and must not be empty"));
  else if (u.files > 1)
    json_object_set_new(errors, "file", json_string("one file per upload"));
  else if (!ts_enum_has(allowed_types, type))
    json_object_set_new(errors, "file", json_string("this type of file is not accepted"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    goto out;
  }
  json_decref(errors);
  if (!(w = calloc(1, sizeof *w))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_evidence_file(r->app->evidence_dir, u.data, u.len, w->e.sha256)) {
    ts_reply_error(r, TS_ERR_STORE, "the file could not be stored", NULL);
    goto out;
  }
  snprintf(w->case_no, sizeof w->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_api_caller_init(&w->me, r);
  snprintf(w->e.by, sizeof w->e.by, "%s", r->user.username);
  snprintf(w->e.content_type, sizeof w->e.content_type, "%s", type);
  ts_api_clean_filename(u.filename, w->e.filename, sizeof w->e.filename);
  w->e.size = (int64_t)u.len;
  w->e.at = ts_now();
  ts_req_defer(r, apply_evidence, w, free, finish_evidence);
  w = NULL;
out:
  free(u.data);
  free(w);
  ts_case_free(c);
}

void ts_api_evidence_list(ts_req *r) { ts_api_case_items(r, ts_store_evidence_list); }

/* RFC 5987 filename*=UTF-8''... so Chinese file names survive. */
static void disposition(const char *name, char *out, size_t outsz) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = (size_t)snprintf(out, outsz, "attachment; filename*=UTF-8''");
  for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < outsz; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        *p == '.' || *p == '-' || *p == '_') {
      out[n++] = (char)*p;
    } else {
      out[n++] = '%';
      out[n++] = hex[*p >> 4];
      out[n++] = hex[*p & 15];
    }
  }
  out[n] = '\0';
}

void ts_api_evidence_get(ts_req *r) {
  ts_case *c;
  ts_evidence e;
  char path[700], disp[512];
  int64_t id = 0;
  int id_ok = ts_api_parse_int(ts_req_param(r, 1), 1, INT64_MAX / 2, &id);
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return;
  int64_t case_id = c->id;
  ts_case_free(c);
  if (!id_ok || ts_store_evidence_get(r->app->store, case_id, id, &e)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such evidence", NULL);
    return;
  }
  snprintf(path, sizeof path, "%s/%.2s/%s", r->app->evidence_dir, e.sha256, e.sha256);
  FILE *f = fopen(path, "rb");
  char *buf = f ? malloc((size_t)e.size + 1) : NULL;
  size_t got = buf ? fread(buf, 1, (size_t)e.size, f) : 0;
  if (f)
    fclose(f);
  if (!buf || got != (size_t)e.size) {
    free(buf);
    ts_log(TS_LOG_ERROR, "evidence file missing", json_pack("{s:s}", "sha256", e.sha256));
    ts_reply_error(r, TS_ERR_STORE, "the file cannot be read", NULL);
    return;
  }
  disposition(e.filename, disp, sizeof disp);
  ts_req_add_header(r, "Content-Disposition", disp);
  ts_req_add_header(r, "X-Content-SHA256", e.sha256);
  ts_reply_take(r, 200, e.content_type, buf, got);
}
