/* Delivery of one outbox message through libcurl: e-mail over SMTP and webhooks as an
 * HTTP(S) POST of JSON signed with HMAC-SHA256. No store access and no retries here: the
 * outbox job (jobs/) decides what to send, when to try again and when to give up.
 *
 * Thread-safety: ts_send_init once before any thread starts (curl_global_init), then
 * the send functions may be called from any thread (each uses its own easy handle).
 * Secrets (SMTP password, webhook secret) are never written to logs or to `err`. */
#ifndef TS_SEND_H
#define TS_SEND_H

#include <stddef.h>
#include <stdint.h>

int ts_send_init(void);
void ts_send_cleanup(void);

typedef struct ts_smtp_conf_s {
  const char *url;      /* "smtp://127.0.0.1:2525" or "smtps://mail.example.com"; NULL/"": no mail */
  const char *from;     /* envelope and From: address, "tousu@example.com" */
  const char *from_name;/* display name for From:, UTF-8, may be NULL */
  const char *user;     /* SMTP AUTH user, may be NULL */
  const char *password; /* SMTP AUTH password, may be NULL; never logged */
  long timeout_ms;      /* whole transfer (default 10000 when 0) */
} ts_smtp_conf;

typedef struct {
  const char *to;         /* one address */
  const char *subject;    /* UTF-8; sent RFC 2047 encoded */
  const char *text;       /* UTF-8 plain text body (required) */
  const char *html;       /* UTF-8 HTML alternative, may be NULL */
  const char *message_id; /* stable id of the event, e.g. "outbox-42@tousu": the same id on
                             every retry, so receivers can drop duplicates */
  int64_t date;           /* Date: header, UTC seconds */
} ts_mail;

/* Sends one message. TS_OK when the SMTP server accepted it; otherwise an error code and
 * a one-line reason in err (TS_ERR_INVALID: not configured or bad address — no use
 * retrying; TS_ERR_BUSY: connection or server failure — worth retrying). */
int ts_send_mail(const ts_smtp_conf *conf, const ts_mail *m, char *err, size_t errsz);

/* POSTs body (JSON text) to url with headers
 *   Content-Type: application/json; charset=utf-8
 *   X-Tousu-Event: <event>
 *   X-Tousu-Delivery: <delivery_id>          (the same on every retry)
 *   X-Tousu-Timestamp: <unix seconds of ts>
 *   X-Tousu-Signature: sha256=<hex HMAC-SHA256 over "<timestamp>.<body>" with secret>
 * TS_OK on a 2xx answer; TS_ERR_BUSY on connection failures, timeouts, 5xx and 429;
 * TS_ERR_INVALID on other 4xx (err says the status). timeout_ms 0 = 10000. */
int ts_send_webhook(const char *url, const char *secret, const char *event,
                    const char *delivery_id, int64_t ts, const char *body, long timeout_ms,
                    char *err, size_t errsz);

/* The signature value ("sha256=<64 hex>") for body at ts; out must hold 72 bytes. */
void ts_webhook_sign(const char *secret, int64_t ts, const char *body, char out[72]);

#endif
