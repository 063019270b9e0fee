/* The web application's files (web/dist, built by Vite), served by `tousu serve` on the
 * same origin as the API.
 *
 * Which paths: every GET or HEAD outside the API (/api and /api/...), /healthz and
 * /metrics for which the route table has nothing. A path names a regular file under the
 * directory (after libmicrohttpd has decoded its %XX escapes); it is refused with 400 when
 * it holds a "." or ".." segment, a backslash or a control character; a hidden segment
 * (".git") answers 404; a file whose real path (symbolic links resolved) lies outside the
 * directory is never served. A path that names no file answers index.html when its last
 * segment has no extension (a route of the single-page application, e.g.
 * /cases/TS20261100001), else 404.
 *
 * How: Content-Type by extension; Vite's content-hashed files under /assets/ are cached for
 * a year (immutable), everything else is revalidated on every use (no-cache); an ETag made
 * of size and modification time answers a matching If-None-Match with 304. HTML carries a
 * Content-Security-Policy (scripts only from the origin; inline styles allowed, Element Plus
 * sets them), X-Frame-Options DENY and Referrer-Policy same-origin. Files are read from disk
 * per request (at most TS_STATIC_MAX_FILE bytes), so a rebuilt web/dist is served at once.
 * Compression is done once, at build time: a client whose Accept-Encoding takes br or gzip
 * gets FILE.br or FILE.gz when the build wrote one (Content-Encoding, its own ETag,
 * Vary: Accept-Encoding on every file); nothing is compressed per request.
 */
#ifndef TS_STATIC_H
#define TS_STATIC_H

#include <stddef.h>

struct MHD_Connection;
struct MHD_Response;

#define TS_STATIC_MAX_FILE (16u << 20) /* larger files are not served (404, logged) */
#define TS_STATIC_MAX_PATH 1024        /* longer request paths answer 400 */

typedef struct ts_static ts_static;

/* Opens the directory of the web application. dir "" (not configured), a path that is not
 * a directory or a directory without index.html leave *out NULL — static serving is off —
 * and log why, once; that is not an error. Returns TS_OK, or TS_ERR_NOMEM. The result is
 * read-only and may be shared by every HTTP thread; free it with ts_static_free after the
 * server has stopped. */
int ts_static_open(const char *dir, ts_static **out);
void ts_static_free(ts_static *st);

/* Whether url (decoded path, no query) is one that static serving may answer: not /api,
 * /api/..., /healthz or /metrics. */
int ts_static_claims(const char *url);

/* The reply to method url: a file, index.html, 304, or an error (400, 404, 405 as the API's
 * JSON error shape). Sets *status and *resp (the caller queues it, then destroys it);
 * returns TS_OK, or TS_ERR_NOMEM with nothing set. conn is read for If-None-Match. */
int ts_static_respond(const ts_static *st, struct MHD_Connection *conn, const char *method,
                      const char *url, unsigned *status, struct MHD_Response **resp);

#endif
