/* Delivery through libcurl: one easy handle per call, nothing shared but the global
 * init, so any thread may send.
 *
 * Mail is built in memory as an RFC 5322 message (CRLF lines, every header ASCII: UTF-8
 * display names and subjects as RFC 2047 B encoded-words, bodies base64 in 76-character
 * lines) and handed to curl's SMTP upload through a read callback.
 *
 * Errors tell the outbox job what to do next:
 *   TS_ERR_INVALID  not configured, a bad address or header value, a URL curl refuses, a
 *                   permanent (5xx) SMTP reply, a webhook's non-retryable 3xx/4xx: retrying
 *                   the same message cannot help;
 *   TS_ERR_BUSY     connection failures, timeouts, 4xx SMTP replies, failed SMTP login
 *                   (the message is fine, the server or its settings are not), HTTP 5xx
 *                   and 429: worth trying again later;
 *   TS_ERR_NOMEM    allocation failed (also worth trying again).
 * `err` gets curl's one-line reason; it is checked for the password and secret before it
 * is returned (see scrub), although curl does not print them. */
#include "notify/send.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/ts_err.h"
#include "util/buf.h"

#define SEND_TIMEOUT_MS 10000L
#define MAIL_MAX ((size_t)16 << 20) /* the whole RFC 5322 message */
#define ADDR_MAX 254                /* RFC 5321 path limit */
#define TOKEN_MAX 200               /* message id, webhook event and delivery id */
#define B64_LINE_BYTES 57           /* 57 bytes are 76 base64 characters: the MIME limit */
/* 36 bytes are 48 base64 characters, an encoded-word of 60: with "Subject: " or a folding
 * space in front the line stays under 76. */
#define WORD_BYTES 36
#define PLAIN_HEADER_MAX 60 /* longer ASCII values are encoded, which folds them */
/* '_' is not in the base64 alphabet, so the boundary cannot occur in a base64 body. */
#define BOUNDARY "=_tousu_alternative_0"

int ts_send_init(void) {
  /* sodium_init only speeds up the hash; it is safe to call again elsewhere. */
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return TS_ERR_STORE; /* no fitting code: the library could not start, as in password.c */
  return TS_OK;
}

void ts_send_cleanup(void) {
  curl_global_cleanup();
}

/* ---- small helpers */

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errsz, const char *fmt,
                                                          ...) {
  if (!err || !errsz)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsz, fmt, ap);
  va_end(ap);
}

/* Belt and braces for "secrets never reach err": curl's reasons do not quote credentials
 * or server replies, but should one show up anyway, the whole reason is replaced. Secrets
 * shorter than 4 bytes are skipped: they would match ordinary words ("smtp" holds "p"). */
static void scrub(char *err, size_t errsz, const char *secret) {
  if (err && errsz && secret && strlen(secret) >= 4 && strstr(err, secret))
    set_err(err, errsz, "%s", "delivery failed (reason withheld: it contained a secret)");
}

/* 1 if s is a bare ASCII address local@domain that is safe inside "<...>" on the SMTP
 * envelope and in a header: no spaces, controls, CR/LF or specials, exactly one '@' with
 * text on both sides, at most ADDR_MAX bytes. */
static int addr_ok(const char *s) {
  size_t n = 0, at = 0, ats = 0;
  if (!s)
    return 0;
  for (; s[n]; n++) {
    unsigned char c = (unsigned char)s[n];
    if (c <= 0x20 || c >= 0x7F || strchr("<>()[],;:\\\"", c))
      return 0;
    if (c == '@') {
      at = n;
      ats++;
    }
  }
  return n <= ADDR_MAX && ats == 1 && at > 0 && at < n - 1;
}

/* 1 if s is 1..TOKEN_MAX printable ASCII bytes other than space, '<' and '>': safe as a
 * header value and inside Message-ID's angle brackets. */
static int token_ok(const char *s) {
  size_t n = 0;
  if (!s)
    return 0;
  for (; s[n]; n++)
    if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7F || s[n] == '<' || s[n] == '>')
      return 0;
  return n > 0 && n <= TOKEN_MAX;
}

/* 1 if s has no control character but tab: CR and LF in a header would start a new one. */
static int header_text_ok(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
      return 0;
  return 1;
}

/* 1 if url starts with one of the schemes (case-insensitive), each given with "://". */
static int scheme_ok(const char *url, const char *a, const char *b) {
  return strncasecmp(url, a, strlen(a)) == 0 || strncasecmp(url, b, strlen(b)) == 0;
}

/* ---- the message, built in a ts_buf with the MAIL_MAX ceiling ---- */

static void mbuf_base64_body(ts_buf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i += B64_LINE_BYTES) {
    char line[sodium_base64_ENCODED_LEN(B64_LINE_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    size_t k = n - i < B64_LINE_BYTES ? n - i : B64_LINE_BYTES;
    sodium_bin2base64(line, sizeof line, (const unsigned char *)s + i, k,
                      sodium_base64_VARIANT_ORIGINAL);
    ts_buf_str(b, line);
    ts_buf_str(b, "\r\n");
  }
}

/* s with every line break (LF, CR or CRLF) as CRLF: the canonical form of text that
 * RFC 2045 wants before base64. */
static void mbuf_crlf(ts_buf *b, const char *s) {
  size_t run = 0, i = 0;
  for (; s[i]; i++) {
    if (s[i] != '\n' && s[i] != '\r')
      continue;
    ts_buf_add(b, s + run, i - run);
    ts_buf_str(b, "\r\n");
    if (s[i] == '\r' && s[i + 1] == '\n')
      i++;
    run = i + 1;
  }
  ts_buf_add(b, s + run, i - run);
}

/* s as RFC 2047 "=?UTF-8?B?...?=" words of at most WORD_BYTES bytes each, cut between
 * UTF-8 characters (a word must hold whole characters), folded with CRLF SP. */
static void mbuf_encoded_words(ts_buf *b, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    char word[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    size_t k = n - i < WORD_BYTES ? n - i : WORD_BYTES;
    size_t j = k;
    while (i + j < n && j > 0 && ((unsigned char)s[i + j] & 0xC0) == 0x80)
      j--;
    if (j > 0) /* invalid UTF-8 without a boundary in reach: cut anywhere */
      k = j;
    sodium_bin2base64(word, sizeof word, (const unsigned char *)s + i, k,
                      sodium_base64_VARIANT_ORIGINAL);
    ts_buf_str(b, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
    ts_buf_str(b, word);
    ts_buf_str(b, "?=");
    i += k;
  }
}

/* 1 if s can go into a header as it is: short printable ASCII that does not look like an
 * encoded-word; quoted (display names) also excludes what a quoted string would escape. */
static int plain_ok(const char *s, int quoted) {
  size_t n = strlen(s);
  if (n > PLAIN_HEADER_MAX || strstr(s, "=?"))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] > 0x7E || (quoted && (s[i] == '"' || s[i] == '\\')))
      return 0;
  return 1;
}

/* "Date: Tue, 14 Nov 2023 22:13:20 +0000" for t (UTC seconds). */
static void mbuf_date(ts_buf *b, int64_t t) {
  static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = (time_t)t;
  struct tm tm;
  char line[64];
  if (!gmtime_r(&tt, &tm) || tm.tm_year < 0 || tm.tm_year > 8099) {
    if (!b->rc)
      b->rc = TS_ERR_INVALID;
    return;
  }
  int n = snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
                   days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
                   tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (n < 0 || (size_t)n >= sizeof line) {
    if (!b->rc)
      b->rc = TS_ERR_INVALID;
    return;
  }
  ts_buf_add(b, line, (size_t)n);
}

/* One text part's headers and body. */
static void mbuf_part(ts_buf *b, const char *type, const char *body) {
  ts_buf canon = {.max = MAIL_MAX};
  mbuf_crlf(&canon, body);
  if (canon.rc && !b->rc)
    b->rc = canon.rc;
  ts_buf_str(b, "Content-Type: ");
  ts_buf_str(b, type);
  ts_buf_str(b, "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  mbuf_base64_body(b, canon.p ? canon.p : "", canon.len);
  free(canon.p);
}

/* The whole message for m from conf->from; the values are validated already. */
static void build_message(ts_buf *b, const ts_smtp_conf *conf, const ts_mail *m) {
  mbuf_date(b, m->date > 0 ? m->date : (int64_t)time(NULL));
  ts_buf_str(b, "From: ");
  if (conf->from_name && *conf->from_name) {
    if (plain_ok(conf->from_name, 1)) {
      ts_buf_str(b, "\"");
      ts_buf_str(b, conf->from_name);
      ts_buf_str(b, "\"");
    } else {
      mbuf_encoded_words(b, conf->from_name);
    }
    ts_buf_str(b, " <");
    ts_buf_str(b, conf->from);
    ts_buf_str(b, ">\r\n");
  } else {
    ts_buf_str(b, conf->from);
    ts_buf_str(b, "\r\n");
  }
  ts_buf_str(b, "To: ");
  ts_buf_str(b, m->to);
  ts_buf_str(b, "\r\nSubject: ");
  if (plain_ok(m->subject, 0))
    ts_buf_str(b, m->subject);
  else
    mbuf_encoded_words(b, m->subject);
  ts_buf_str(b, "\r\nMessage-ID: <");
  ts_buf_str(b, m->message_id);
  ts_buf_str(b, ">\r\nMIME-Version: 1.0\r\n");
  if (!m->html) {
    mbuf_part(b, "text/plain", m->text);
    return;
  }
  ts_buf_str(b, "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n\r\n"
              "--" BOUNDARY "\r\n");
  mbuf_part(b, "text/plain", m->text);
  ts_buf_str(b, "--" BOUNDARY "\r\n");
  mbuf_part(b, "text/html", m->html);
  ts_buf_str(b, "--" BOUNDARY "--\r\n");
}

/* The upload: curl pulls the message through read_message. */
typedef struct {
  const char *p;
  size_t len, off;
} reader;

static size_t read_message(char *dst, size_t size, size_t nitems, void *userdata) {
  reader *r = userdata;
  size_t n = r->len - r->off;
  if (n > size * nitems)
    n = size * nitems;
  memcpy(dst, r->p + r->off, n);
  r->off += n;
  return n;
}

/* Checks everything from outside before anything is built: TS_OK or TS_ERR_INVALID. */
static int check_mail(const ts_smtp_conf *conf, const ts_mail *m, char *err, size_t errsz) {
  const char *why = NULL;
  if (!conf || !conf->url || !*conf->url)
    why = "mail is not configured (no SMTP url)";
  else if (!scheme_ok(conf->url, "smtp://", "smtps://"))
    why = "the mail url must start with smtp:// or smtps://";
  else if (!addr_ok(conf->from))
    why = "bad sender address";
  else if (conf->from_name && !header_text_ok(conf->from_name))
    why = "bad sender name: control characters";
  else if (!m || !addr_ok(m->to))
    why = "bad recipient address";
  else if (!m->subject || !header_text_ok(m->subject))
    why = "bad subject: missing or control characters";
  else if (!m->text)
    why = "the message has no text";
  else if (!token_ok(m->message_id))
    why = "bad message id";
  if (!why)
    return TS_OK;
  set_err(err, errsz, "%s", why);
  return TS_ERR_INVALID;
}

/* The result for a finished SMTP transfer; reply is the server's last reply code. */
static int mail_result(CURLcode cc, long reply) {
  if (cc == CURLE_OK)
    return TS_OK;
  if (cc == CURLE_OUT_OF_MEMORY)
    return TS_ERR_NOMEM;
  if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL)
    return TS_ERR_INVALID;
  if (cc != CURLE_LOGIN_DENIED && reply >= 500 && reply <= 599)
    return TS_ERR_INVALID; /* permanent: unknown mailbox, rejected sender or content */
  return TS_ERR_BUSY;
}

/* Sets one option unless an earlier one failed; cc holds the first failure. */
#define SETOPT(h, opt, val)                                                                        \
  do {                                                                                             \
    if (cc == CURLE_OK)                                                                            \
      cc = curl_easy_setopt(h, opt, val);                                                          \
  } while (0)

int ts_send_mail(const ts_smtp_conf *conf, const ts_mail *m, char *err, size_t errsz) {
  ts_buf msg = {.max = MAIL_MAX};
  reader rd = {0};
  CURL *h = NULL;
  struct curl_slist *rcpt = NULL;
  CURLcode cc = CURLE_OK;
  char errbuf[CURL_ERROR_SIZE] = "";
  char from[ADDR_MAX + 3], to[ADDR_MAX + 3];
  long reply = 0;
  int nf, nt, tls;
  int rc = check_mail(conf, m, err, errsz);
  if (rc)
    goto out;
  build_message(&msg, conf, m);
  if (msg.rc) {
    rc = msg.rc == TS_ERR_NOMEM ? TS_ERR_NOMEM : TS_ERR_INVALID;
    set_err(err, errsz, "%s",
            msg.rc == TS_ERR_NOMEM       ? "out of memory"
            : msg.rc == TS_ERR_TOO_LARGE ? "the message is too large"
                                         : "bad date");
    goto out;
  }
  /* addr_ok bounds both addresses to ADDR_MAX, so these cannot truncate */
  nf = snprintf(from, sizeof from, "<%s>", conf->from);
  nt = snprintf(to, sizeof to, "<%s>", m->to);
  h = curl_easy_init();
  rcpt = h ? curl_slist_append(NULL, to) : NULL;
  if (nf < 0 || (size_t)nf >= sizeof from || nt < 0 || (size_t)nt >= sizeof to || !rcpt) {
    rc = TS_ERR_NOMEM;
    set_err(err, errsz, "%s", "smtp: cannot set up the transfer");
    goto out;
  }
  rd.p = msg.p;
  rd.len = msg.len;
  tls = strncasecmp(conf->url, "smtps://", 8) == 0;
  SETOPT(h, CURLOPT_URL, conf->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  SETOPT(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
  SETOPT(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
  SETOPT(h, CURLOPT_USE_SSL, tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
  SETOPT(h, CURLOPT_MAIL_FROM, from);
  SETOPT(h, CURLOPT_MAIL_RCPT, rcpt);
  SETOPT(h, CURLOPT_UPLOAD, 1L);
  SETOPT(h, CURLOPT_READFUNCTION, read_message);
  SETOPT(h, CURLOPT_READDATA, &rd);
  SETOPT(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
  if (conf->user && *conf->user)
    SETOPT(h, CURLOPT_USERNAME, conf->user);
  if (conf->password && *conf->password)
    SETOPT(h, CURLOPT_PASSWORD, conf->password);
  SETOPT(h, CURLOPT_TIMEOUT_MS, conf->timeout_ms > 0 ? conf->timeout_ms : SEND_TIMEOUT_MS);
  SETOPT(h, CURLOPT_NOSIGNAL, 1L);
  SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
  if (cc != CURLE_OK) {
    rc = cc == CURLE_OUT_OF_MEMORY ? TS_ERR_NOMEM : TS_ERR_INVALID;
    set_err(err, errsz, "smtp: cannot set up the transfer: %s", curl_easy_strerror(cc));
    goto out;
  }
  cc = curl_easy_perform(h);
  if (cc != CURLE_OK && curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply) != CURLE_OK)
    reply = 0;
  rc = mail_result(cc, reply);
  if (rc)
    set_err(err, errsz, "smtp: %s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
out:
  if (rc && conf)
    scrub(err, errsz, conf->password);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(h);
  free(msg.p);
  return rc;
}

/* ---- webhooks */

/* The body is of no interest: only the status says whether the delivery took. */
static size_t discard(char *data, size_t size, size_t nmemb, void *userdata) {
  (void)data;
  (void)userdata;
  return size * nmemb;
}

void ts_webhook_sign(const char *secret, int64_t ts, const char *body, char out[72]) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  char stamp[24];
  const char *key = secret ? secret : "";
  const char *msg = body ? body : "";
  int n = snprintf(stamp, sizeof stamp, "%lld.", (long long)ts); /* at most 21 bytes */
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, n > 0 ? (size_t)n : 0);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
  crypto_auth_hmacsha256_final(&st, mac);
  memcpy(out, "sha256=", 7);
  sodium_bin2hex(out + 7, 65, mac, sizeof mac);
  sodium_memzero(&st, sizeof st);
}

/* Appends "name: value" to *list; 0 when out of memory (the list is kept for freeing). */
static int add_header(struct curl_slist **list, const char *name, const char *value) {
  char line[TOKEN_MAX + 64];
  int n = snprintf(line, sizeof line, "%s: %s", name, value);
  if (n < 0 || (size_t)n >= sizeof line)
    return 0;
  struct curl_slist *l = curl_slist_append(*list, line);
  if (!l)
    return 0;
  *list = l;
  return 1;
}

/* The result for an HTTP status: 2xx delivered, 429 and 5xx again later, anything else
 * (4xx, and 3xx since redirects are not followed) will not get better. */
static int webhook_status(long status) {
  if (status >= 200 && status <= 299)
    return TS_OK;
  if (status == 429 || (status >= 500 && status <= 599))
    return TS_ERR_BUSY;
  return TS_ERR_INVALID;
}

int ts_send_webhook(const char *url, const char *secret, const char *event, const char *delivery_id,
                    int64_t ts, const char *body, long timeout_ms, char *err, size_t errsz) {
  CURL *h = NULL;
  struct curl_slist *hdr = NULL;
  CURLcode cc = CURLE_OK;
  char errbuf[CURL_ERROR_SIZE] = "";
  char sig[72], stamp[24];
  long status = 0;
  int n, rc = TS_ERR_INVALID;
  if (!url || !*url) {
    set_err(err, errsz, "%s", "the webhook is not configured (no url)");
    goto out;
  }
  if (!scheme_ok(url, "http://", "https://")) {
    set_err(err, errsz, "%s", "the webhook url must start with http:// or https://");
    goto out;
  }
  if (!token_ok(event) || !token_ok(delivery_id) || !body) {
    set_err(err, errsz, "%s", "bad webhook event, delivery id or body");
    goto out;
  }
  rc = TS_ERR_NOMEM;
  n = snprintf(stamp, sizeof stamp, "%lld", (long long)ts);
  ts_webhook_sign(secret, ts, body, sig);
  h = curl_easy_init();
  if (n < 0 || (size_t)n >= sizeof stamp || !h ||
      !add_header(&hdr, "Content-Type", "application/json; charset=utf-8") ||
      !add_header(&hdr, "X-Tousu-Event", event) ||
      !add_header(&hdr, "X-Tousu-Delivery", delivery_id) ||
      !add_header(&hdr, "X-Tousu-Timestamp", stamp) ||
      !add_header(&hdr, "X-Tousu-Signature", sig) ||
      !add_header(&hdr, "Expect", "")) { /* "Expect:" alone: no 100-continue round trip */
    set_err(err, errsz, "%s", "webhook: cannot set up the request");
    goto out;
  }
  SETOPT(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
  SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  SETOPT(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  SETOPT(h, CURLOPT_HTTPHEADER, hdr);
  SETOPT(h, CURLOPT_POSTFIELDS, body);
  SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
  SETOPT(h, CURLOPT_USERAGENT, "tousu-webhook/1");
  SETOPT(h, CURLOPT_WRITEFUNCTION, discard);
  SETOPT(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : SEND_TIMEOUT_MS);
  SETOPT(h, CURLOPT_NOSIGNAL, 1L);
  SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
  if (cc != CURLE_OK) {
    rc = cc == CURLE_OUT_OF_MEMORY ? TS_ERR_NOMEM : TS_ERR_INVALID;
    set_err(err, errsz, "webhook: cannot set up the request: %s", curl_easy_strerror(cc));
    goto out;
  }
  cc = curl_easy_perform(h);
  if (cc != CURLE_OK) {
    rc = cc == CURLE_OUT_OF_MEMORY                                       ? TS_ERR_NOMEM
         : cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL ? TS_ERR_INVALID
                                                                         : TS_ERR_BUSY;
    set_err(err, errsz, "webhook: %s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    goto out;
  }
  cc = curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  rc = cc == CURLE_OK ? webhook_status(status) : TS_ERR_BUSY;
  if (rc)
    set_err(err, errsz, "webhook: the receiver answered HTTP %ld", status);
out:
  scrub(err, errsz, rc ? secret : NULL);
  curl_slist_free_all(hdr);
  curl_easy_cleanup(h);
  return rc;
}
