/* Static files of the web application (see static.h for what is answered and why).
 *
 * Safety rests on three checks, each enough on its own for the common attacks:
 *   1. the decoded path may hold no "." or ".." segment, backslash or control character
 *      (400), and no hidden segment (".git": 404);
 *   2. the file's real path (realpath: "..", "//" and symbolic links resolved) must lie
 *      under the directory's own real path, taken once at start;
 *   3. only regular files are opened, with O_NOFOLLOW on the resolved path.
 * libmicrohttpd decodes %XX before tousu sees the path, so "%2e%2e" arrives as ".." and is
 * refused by the first check. A "%00" ends the path there (libmicrohttpd's decoding, the
 * same for the API): what is left is an ordinary, shorter path and is checked like any
 * other, so a NUL can drop the end of a path but never reach outside the directory. */
#include "http/static.h"

#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ts_err.h"
#include "util/log.h"

struct ts_static {
  size_t root_len;
  char root[]; /* the directory's real path, without a trailing slash */
};

/* Content types by extension; anything else is application/octet-stream (never sniffed:
 * every answer carries X-Content-Type-Options: nosniff). */
static const struct {
  const char *ext;
  const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},
};

/* The headers of an HTML document. Scripts only from the origin (Vite emits no inline
 * script); styles may be inline because Element Plus positions popups with style
 * attributes; charts draw on canvas; icons may be data: URLs. Evidence is fetched with the
 * session's token and shown from blob: URLs (images, the audio player, a PDF in a frame). */
static const char *const html_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
     "img-src 'self' data: blob:; media-src 'self' blob:; frame-src 'self' blob:; "
     "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "same-origin"},
};

#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"
#define ASSETS_PREFIX "/assets/" /* Vite's content-hashed output */

/* ---- opening the directory ---------------------------------------------------------------- */

int ts_static_open(const char *dir, ts_static **out) {
  char real[PATH_MAX], index[PATH_MAX + 16];
  struct stat sb;
  *out = NULL;
  if (!dir || !*dir) {
    ts_log(TS_LOG_INFO, "web application not served",
           json_pack("{s:s}", "reason", "web_dir is empty"));
    return TS_OK;
  }
  if (!realpath(dir, real) || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    ts_log(TS_LOG_INFO, "web application not served",
           json_pack("{s:s,s:s}", "reason", "web_dir is not a directory (build it: make web)",
                     "web_dir", dir));
    return TS_OK;
  }
  if (strcmp(real, "/") == 0) { /* the root of the file system: never */
    ts_log(TS_LOG_WARN, "web application not served",
           json_pack("{s:s,s:s}", "reason", "web_dir is /", "web_dir", dir));
    return TS_OK;
  }
  snprintf(index, sizeof index, "%s/index.html", real);
  if (stat(index, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    ts_log(TS_LOG_INFO, "web application not served",
           json_pack("{s:s,s:s}", "reason", "web_dir has no index.html (build it: make web)",
                     "web_dir", dir));
    return TS_OK;
  }
  size_t n = strlen(real);
  ts_static *st = malloc(sizeof *st + n + 1);
  if (!st)
    return TS_ERR_NOMEM;
  st->root_len = n;
  memcpy(st->root, real, n + 1);
  ts_log(TS_LOG_INFO, "web application", json_pack("{s:s}", "web_dir", st->root));
  *out = st;
  return TS_OK;
}

void ts_static_free(ts_static *st) {
  free(st);
}

int ts_static_claims(const char *url) {
  if (strncmp(url, "/api", 4) == 0 && (url[4] == '\0' || url[4] == '/'))
    return 0;
  return strcmp(url, "/healthz") != 0 && strcmp(url, "/metrics") != 0;
}

/* ---- paths ------------------------------------------------------------------------------ */

/* TS_OK: a path that may name a file; TS_ERR_MALFORMED: never one (400: ".", "..",
 * backslash, control character, too long, not absolute); TS_ERR_NOT_FOUND: a hidden
 * segment (".git", ".env": never served). */
static int check_path(const char *url) {
  size_t n = strlen(url);
  int hidden = 0;
  if (n == 0 || url[0] != '/' || n > TS_STATIC_MAX_PATH)
    return TS_ERR_MALFORMED;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)url[i];
    if (c < 0x20 || c == 0x7f || c == '\\')
      return TS_ERR_MALFORMED;
  }
  for (const char *seg = url + 1;;) {
    const char *end = strchr(seg, '/');
    size_t len = end ? (size_t)(end - seg) : strlen(seg);
    if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
      return TS_ERR_MALFORMED;
    if (len > 0 && seg[0] == '.')
      hidden = 1;
    if (!end)
      break;
    seg = end + 1;
  }
  return hidden ? TS_ERR_NOT_FOUND : TS_OK;
}

/* The extension of the path's last segment ("js" of "/assets/a.js"), or NULL. */
static const char *extension(const char *url) {
  const char *last = strrchr(url, '/');
  const char *dot = strrchr(last ? last : url, '.');
  return dot && dot[1] ? dot + 1 : NULL;
}

static const char *content_type(const char *ext) {
  for (size_t i = 0; ext && i < sizeof content_types / sizeof content_types[0]; i++)
    if (strcasecmp(ext, content_types[i].ext) == 0)
      return content_types[i].type;
  return "application/octet-stream";
}

/* Opens the regular file that url names under the directory: TS_OK with *fd (the caller
 * closes it) and *sb; TS_ERR_NOT_FOUND when there is none, it is not a regular file, it
 * lies outside the directory or it is over TS_STATIC_MAX_FILE. */
static int open_file(const ts_static *st, const char *url, int *fd, struct stat *sb) {
  char path[PATH_MAX], real[PATH_MAX];
  struct stat pre;
  int n = snprintf(path, sizeof path, "%s%s", st->root, url);
  if (n < 0 || (size_t)n >= sizeof path || !realpath(path, real))
    return TS_ERR_NOT_FOUND;
  if (strcmp(real, st->root) == 0)
    return TS_ERR_NOT_FOUND; /* the directory itself */
  if (strncmp(real, st->root, st->root_len) != 0 || real[st->root_len] != '/') {
    ts_log(TS_LOG_WARN, "static file outside web_dir refused", json_pack("{s:s}", "path", url));
    return TS_ERR_NOT_FOUND;
  }
  /* stat first: opening a FIFO would block */
  if (stat(real, &pre) != 0 || !S_ISREG(pre.st_mode))
    return TS_ERR_NOT_FOUND;
  int f = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (f < 0)
    return TS_ERR_NOT_FOUND;
  if (fstat(f, sb) != 0 || !S_ISREG(sb->st_mode)) {
    close(f);
    return TS_ERR_NOT_FOUND;
  }
  if ((uint64_t)sb->st_size > TS_STATIC_MAX_FILE) {
    ts_log(TS_LOG_WARN, "static file too large, not served",
           json_pack("{s:s,s:I}", "path", url, "bytes", (json_int_t)sb->st_size));
    close(f);
    return TS_ERR_NOT_FOUND;
  }
  *fd = f;
  return TS_OK;
}

/* ---- precompressed variants ------------------------------------------------------------- */

/* The build writes FILE.br and FILE.gz next to each compressible file (web/vite.config.js);
 * they are served in its place to a client that accepts the coding. */
static const struct {
  const char *coding, *suffix;
} codings[] = {{"br", ".br"}, {"gzip", ".gz"}};

/* Whether an Accept-Encoding value accepts coding: a list element naming it
 * (case-insensitive) or "*", without a weight of zero ("gzip;q=0", RFC 9110 §12.5.3). */
static int accepts(const char *header, const char *coding) {
  size_t clen = strlen(coding);
  for (const char *p = header; p;) {
    p += strspn(p, " \t,");
    size_t len = strcspn(p, " \t,;");
    size_t elem = strcspn(p, ",");
    if ((len == clen && strncasecmp(p, coding, clen) == 0) || (len == 1 && *p == '*')) {
      const char *q = p + len;
      while ((q = strchr(q, ';')) && q < p + elem) {
        q += 1 + strspn(q + 1, " \t");
        if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
          return strtod(q + 2, NULL) > 0;
      }
      return 1;
    }
    p = p[elem] ? p + elem + 1 : NULL;
  }
  return 0;
}

/* Replaces *fd and *sb (the file url names) with its precompressed variant when the client
 * accepts one and it is there, no older than the file; *coding is then its name, else
 * NULL. A variant that cannot be opened is simply not used. */
static void pick_variant(const ts_static *st, struct MHD_Connection *conn, const char *url,
                         int *fd, struct stat *sb, const char **coding) {
  char vurl[TS_STATIC_MAX_PATH + 8];
  const char *ae =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
  *coding = NULL;
  for (size_t i = 0; ae && i < sizeof codings / sizeof codings[0]; i++) {
    int vfd;
    struct stat vsb;
    if (!accepts(ae, codings[i].coding))
      continue;
    int n = snprintf(vurl, sizeof vurl, "%s%s", url, codings[i].suffix);
    if (n < 0 || (size_t)n >= sizeof vurl || open_file(st, vurl, &vfd, &vsb) != TS_OK)
      continue;
    if (vsb.st_mtim.tv_sec < sb->st_mtim.tv_sec) { /* left over from an older build */
      close(vfd);
      continue;
    }
    close(*fd);
    *fd = vfd;
    *sb = vsb;
    *coding = codings[i].coding;
    return;
  }
}

/* ---- replies ------------------------------------------------------------------------------ */

/* Whether an If-None-Match value ("*" or a list of entity tags, weak or strong) holds etag.
 * Weak comparison (RFC 9110 §13.1.2): "W/" prefixes are ignored. */
static int etag_matches(const char *header, const char *etag) {
  size_t elen = strlen(etag);
  const char *p = header;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    if (*p == '*')
      return 1;
    if (p[0] == 'W' && p[1] == '/')
      p += 2;
    if (strncmp(p, etag, elen) == 0 && strchr(" \t,", p[elen]))
      return 1; /* strchr also finds the terminating NUL */
    if (*p == '"') {
      const char *q = strchr(p + 1, '"');
      if (!q)
        return 0;
      p = q + 1;
    } else {
      while (*p && *p != ',')
        p++;
    }
  }
  return 0;
}

static int add_common(struct MHD_Response *resp, const char *cache) {
  return MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache) == MHD_YES &&
         MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES;
}

/* An error in the API's shape: {"error":{"code","message","details"}}; allow (may be
 * NULL) is the Allow header and details of a 405. */
static int reply_error(unsigned code_status, const char *code, const char *message,
                       const char *allow, unsigned *status, struct MHD_Response **out) {
  char body[320];
  int n;
  if (allow)
    n = snprintf(body, sizeof body,
                 "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"details\":{\"allow\":\"%s\"}}}",
                 code, message, allow);
  else
    n = snprintf(body, sizeof body,
                 "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"details\":{}}}", code, message);
  if (n < 0 || (size_t)n >= sizeof body)
    return TS_ERR_NOMEM; /* cannot happen: the messages are ours and short */
  struct MHD_Response *resp =
      MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
  if (!resp)
    return TS_ERR_NOMEM;
  if (!add_common(resp, "no-store") ||
      MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                              "application/json; charset=utf-8") != MHD_YES ||
      (allow && MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES)) {
    MHD_destroy_response(resp);
    return TS_ERR_NOMEM;
  }
  *status = code_status;
  *out = resp;
  return TS_OK;
}

/* The file fd (taken over: closed here or by the response) as 200, or 304 when the
 * client's copy is current; coding (NULL: none) is the Content-Encoding of its bytes, and
 * part of its ETag (each representation has its own). */
static int reply_file(struct MHD_Connection *conn, int fd, const struct stat *sb, const char *ctype,
                      const char *coding, const char *cache, unsigned *status,
                      struct MHD_Response **out) {
  char etag[80];
  struct MHD_Response *resp;
  unsigned code = 200;
  int is_html = strncmp(ctype, "text/html", 9) == 0, ok;
  snprintf(etag, sizeof etag, "\"%llx-%llx%s%s\"", (unsigned long long)sb->st_size,
           (unsigned long long)sb->st_mtim.tv_sec * 1000000000ULL +
               (unsigned long long)sb->st_mtim.tv_nsec,
           coding ? "-" : "", coding ? coding : "");
  const char *inm =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
  int fresh = inm && etag_matches(inm, etag);
  if (fresh || sb->st_size == 0) { /* no body to send */
    code = fresh ? 304 : 200;
    close(fd);
    resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  } else {
    resp = MHD_create_response_from_fd((uint64_t)sb->st_size, fd); /* closes fd when done */
    if (!resp)
      close(fd);
  }
  if (!resp)
    return TS_ERR_NOMEM;
  ok = add_common(resp, cache) &&
       MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag) == MHD_YES &&
       MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding") == MHD_YES &&
       (!coding ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, coding) == MHD_YES) &&
       (code == 304 ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) == MHD_YES);
  for (size_t i = 0; ok && is_html && i < sizeof html_headers / sizeof html_headers[0]; i++)
    ok = MHD_add_response_header(resp, html_headers[i][0], html_headers[i][1]) == MHD_YES;
  if (!ok) {
    MHD_destroy_response(resp);
    return TS_ERR_NOMEM;
  }
  *status = code;
  *out = resp;
  return TS_OK;
}

int ts_static_respond(const ts_static *st, struct MHD_Connection *conn, const char *method,
                      const char *url, unsigned *status, struct MHD_Response **resp) {
  struct stat sb;
  int fd = -1;
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    return reply_error(405, "method_not_allowed", "only GET and HEAD are answered here",
                       "GET, HEAD", status, resp);
  int rc = check_path(url);
  if (rc == TS_ERR_MALFORMED)
    return reply_error(400, ts_err_code(rc), "not a file path", NULL, status, resp);
  if (rc == TS_ERR_NOT_FOUND) /* hidden: not even the application's page */
    return reply_error(404, ts_err_code(rc), "no such file", NULL, status, resp);
  const char *ext = extension(url);
  rc = strcmp(url, "/") != 0 ? open_file(st, url, &fd, &sb) : TS_ERR_NOT_FOUND; /* "/": the page */
  const char *coding;
  if (rc == TS_OK) {
    int hashed = strncmp(url, ASSETS_PREFIX, sizeof ASSETS_PREFIX - 1) == 0;
    pick_variant(st, conn, url, &fd, &sb, &coding);
    return reply_file(conn, fd, &sb, content_type(ext), coding,
                      hashed ? CACHE_IMMUTABLE : CACHE_REVALIDATE, status, resp);
  }
  if (ext) /* a file that is not there */
    return reply_error(404, ts_err_code(TS_ERR_NOT_FOUND), "no such file", NULL, status, resp);
  /* A route of the single-page application: its page, which routes on the client. */
  if (open_file(st, "/index.html", &fd, &sb) != TS_OK)
    return reply_error(404, ts_err_code(TS_ERR_NOT_FOUND), "the web application is not built", NULL,
                       status, resp);
  pick_variant(st, conn, "/index.html", &fd, &sb, &coding);
  return reply_file(conn, fd, &sb, content_type("html"), coding, CACHE_REVALIDATE, status, resp);
}
