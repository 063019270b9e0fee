/* Mail and webhook delivery: signature vector, validation, error classification against
 * closed ports and scripted one-connection servers (a forked child on 127.0.0.1), and the
 * exact bytes of the message and request they receive. Live delivery to real receivers is
 * covered by the API tests (tests/api/receivers.mjs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/ts_err.h"
#include "notify/send.h"

/* printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret */
#define VECTOR_SIG "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
/* printf '%s' '投诉受理通知' | base64 */
#define SUBJECT_B64 "5oqV6K+J5Y+X55CG6YCa55+l"

static const char *const PASSWORD = "pw-Hunter2-do-not-leak";
static const char *const SECRET = "whsec-Xyzzy-do-not-leak";

/* ---- helpers */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A listening socket on 127.0.0.1 with a kernel-chosen port. */
static int listen_any(int *port) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(fd, 4), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

/* A port nobody listens on (bound, then closed again). */
static int closed_port(void) {
  int port;
  close(listen_any(&port));
  return port;
}

/* ---- a scripted server for one connection, run by a forked child. The child must not
 * use cmocka (its asserts longjmp into the parent's state); it writes what it received
 * to a pipe when the connection ends and leaves with _exit. */

typedef enum { FAKE_SMTP, FAKE_HTTP, FAKE_SILENT } fake_kind;

typedef struct {
  fake_kind kind;
  int code;      /* SMTP: the reply to MAIL FROM; HTTP: the status */
  int rcpt_code; /* SMTP: the reply to RCPT TO */
  int port;
  pid_t pid;
  int out; /* read end of the pipe */
} fake;

typedef struct {
  char p[1 << 18];
  size_t len;
} capture;

static void cap_add(capture *c, const char *s, size_t n) {
  if (n > sizeof c->p - c->len)
    n = sizeof c->p - c->len;
  memcpy(c->p + c->len, s, n);
  c->len += n;
}

static void say(int fd, const char *s) {
  size_t n = strlen(s);
  if (write(fd, s, n) != (ssize_t)n)
    _exit(3);
}

/* Reads one line with its CRLF into line (NUL-terminated); its length, 0 at EOF. */
static size_t read_line(int fd, char *line, size_t size) {
  size_t n = 0;
  while (n + 1 < size) {
    char ch;
    if (read(fd, &ch, 1) != 1)
      break;
    line[n++] = ch;
    if (ch == '\n')
      break;
  }
  line[n] = '\0';
  return n;
}

static void serve_smtp(int c, capture *cap, const fake *f) {
  char line[2048], reply[64];
  say(c, "220 fake ESMTP\r\n");
  while (read_line(c, line, sizeof line) > 0) {
    cap_add(cap, line, strlen(line));
    if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
      say(c, "250-fake\r\n250 8BITMIME\r\n");
    } else if (strncasecmp(line, "MAIL", 4) == 0) {
      snprintf(reply, sizeof reply, "%d mail\r\n", f->code);
      say(c, reply);
    } else if (strncasecmp(line, "RCPT", 4) == 0) {
      snprintf(reply, sizeof reply, "%d rcpt\r\n", f->rcpt_code);
      say(c, reply);
    } else if (strncasecmp(line, "DATA", 4) == 0) {
      say(c, "354 go ahead\r\n");
      while (read_line(c, line, sizeof line) > 0) {
        cap_add(cap, line, strlen(line)); /* the final ".\r\n" too: it ends the message */
        if (strcmp(line, ".\r\n") == 0)
          break;
      }
      say(c, "250 queued\r\n");
    } else if (strncasecmp(line, "QUIT", 4) == 0) {
      say(c, "221 bye\r\n");
      break;
    } else {
      say(c, "250 ok\r\n");
    }
  }
}

static void serve_http(int c, capture *cap, const fake *f) {
  char line[2048], reply[256];
  size_t body = 0;
  while (read_line(c, line, sizeof line) > 0) {
    cap_add(cap, line, strlen(line));
    if (strncasecmp(line, "Content-Length:", 15) == 0)
      body = (size_t)strtoul(line + 15, NULL, 10);
    if (strcmp(line, "\r\n") == 0)
      break;
  }
  for (size_t i = 0; i < body; i++) {
    char ch;
    if (read(c, &ch, 1) != 1)
      break;
    cap_add(cap, &ch, 1);
  }
  snprintf(reply, sizeof reply,
           "HTTP/1.1 %d Fake\r\nContent-Length: 9\r\nConnection: close\r\n%s\r\nthrowaway", f->code,
           f->code / 100 == 3 ? "Location: http://127.0.0.1:1/elsewhere\r\n" : "");
  say(c, reply);
}

static void fake_start(fake *f) {
  int p[2];
  int lfd = listen_any(&f->port);
  assert_int_equal(pipe(p), 0);
  f->pid = fork();
  assert_true(f->pid >= 0);
  if (f->pid == 0) {
    static capture cap;
    close(p[0]);
    alarm(10); /* never outlive a broken test */
    int c = accept(lfd, NULL, NULL);
    if (c < 0)
      _exit(2);
    if (f->kind == FAKE_SMTP)
      serve_smtp(c, &cap, f);
    else if (f->kind == FAKE_HTTP)
      serve_http(c, &cap, f);
    else
      while (read_line(c, (char[64]){0}, 64) > 0) /* say nothing until the client leaves */
        ;
    close(c);
    if (write(p[1], cap.p, cap.len) != (ssize_t)cap.len)
      _exit(4);
    _exit(0);
  }
  close(lfd);
  close(p[1]);
  f->out = p[0];
}

/* Waits for the child; returns what it received (free it). */
static char *fake_finish(fake *f) {
  size_t len = 0, cap = 1 << 16;
  char *buf = malloc(cap + 1);
  ssize_t n;
  int status = 0;
  assert_non_null(buf);
  while ((n = read(f->out, buf + len, cap - len)) > 0) {
    len += (size_t)n;
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
      assert_non_null(buf);
    }
  }
  buf[len] = '\0';
  close(f->out);
  assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  return buf;
}

static void url_for(char *url, size_t size, const char *scheme, int port, const char *path) {
  int n = snprintf(url, size, "%s://127.0.0.1:%d%s", scheme, port, path);
  assert_true(n > 0 && (size_t)n < size);
}

static const char TEXT[] =
    "尊敬的王先生：\n\n您的投诉（编号 TS-2026-000042）已受理，我们将在 3 个工作日内"
    "答复。\n\n客户服务中心";

/* A valid message and configuration, for tests to spoil one field at a time. */
static void sample(ts_smtp_conf *conf, ts_mail *m, char *url) {
  memset(conf, 0, sizeof *conf);
  memset(m, 0, sizeof *m);
  conf->url = url;
  conf->from = "tousu@example.com";
  conf->from_name = "客户服务中心";
  conf->user = "tousu";
  conf->password = PASSWORD;
  conf->timeout_ms = 3000;
  m->to = "wang@example.cn";
  m->subject = "投诉受理通知";
  m->text = TEXT;
  m->message_id = "outbox-42@tousu";
  m->date = 1700000000; /* Tue, 14 Nov 2023 22:13:20 UTC */
}

/* Every line of msg ends in CRLF and is at most 76 characters long. */
static void assert_wire_lines(const char *msg) {
  for (const char *p = msg; *p;) {
    const char *nl = strchr(p, '\n');
    assert_non_null(nl);
    assert_true(nl > p && nl[-1] == '\r');
    assert_true(nl - 1 - p <= 76);
    p = nl + 1;
  }
}

/* Decodes the base64 lines that follow the first blank line after `from`, up to the next
 * boundary ("--") or the end of the message ("."); compares with want, whose line breaks
 * were sent as CRLF (text in canonical form). */
static void assert_base64_part(const char *from, const char *want_lf) {
  char want[1024];
  size_t w = 0;
  for (const char *s = want_lf; *s && w + 2 < sizeof want; s++) {
    if (*s == '\n')
      want[w++] = '\r';
    want[w++] = *s;
  }
  want[w] = '\0';
  const char *p = strstr(from, "\r\n\r\n");
  assert_non_null(p);
  p += 4;
  size_t n = strcspn(p, "-.");
  char *b64 = malloc(n + 1);
  unsigned char *bin = malloc(n + 1);
  size_t binlen = 0;
  assert_non_null(b64);
  assert_non_null(bin);
  memcpy(b64, p, n);
  b64[n] = '\0';
  assert_int_equal(
      sodium_base642bin(bin, n, b64, n, "\r\n", &binlen, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
  assert_int_equal(binlen, strlen(want));
  assert_memory_equal(bin, want, binlen);
  free(b64);
  free(bin);
}

/* ---- tests */

static void test_sign_vector(void **state) {
  (void)state;
  char sig[72];
  ts_webhook_sign("secret", 1700000000, "{\"a\":1}", sig);
  assert_string_equal(sig, VECTOR_SIG);
  ts_webhook_sign("secret", 1700000001, "{\"a\":1}", sig);
  assert_string_not_equal(sig, VECTOR_SIG);
  ts_webhook_sign(NULL, -1, NULL, sig); /* no secret, no body: still a well-formed value */
  assert_int_equal(strlen(sig), 71);
  assert_memory_equal(sig, "sha256=", 7);
}

static void test_not_configured(void **state) {
  (void)state;
  ts_smtp_conf conf;
  ts_mail m;
  char err[256] = "";
  sample(&conf, &m, NULL);
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  assert_non_null(strstr(err, "not configured"));
  conf.url = "";
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  assert_int_equal(ts_send_mail(NULL, &m, err, sizeof err), TS_ERR_INVALID);
  conf.url = "http://127.0.0.1:25";
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  assert_int_equal(
      ts_send_webhook(NULL, SECRET, "case.created", "d-1", 1, "{}", 0, err, sizeof err),
      TS_ERR_INVALID);
  assert_non_null(strstr(err, "not configured"));
  assert_int_equal(ts_send_webhook("", SECRET, "e", "d", 1, "{}", 0, err, sizeof err),
                   TS_ERR_INVALID);
  assert_int_equal(
      ts_send_webhook("file:///etc/passwd", SECRET, "e", "d", 1, "{}", 0, err, sizeof err),
      TS_ERR_INVALID);
  /* no room for a reason is fine */
  assert_int_equal(ts_send_webhook(NULL, SECRET, "e", "d", 1, "{}", 0, NULL, 0), TS_ERR_INVALID);
}

static void test_bad_values(void **state) {
  (void)state;
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256];
  /* a closed port: were validation skipped, the answer would be TS_ERR_BUSY instead */
  url_for(url, sizeof url, "smtp", closed_port(), "");
  const char *bad_to[] = {"nobody",
                          "wang@",
                          "@example.cn",
                          "a@b@example.cn",
                          "wa ng@x.cn",
                          "<wang@x.cn>",
                          "",
                          "wang@x.cn\r\nRCPT TO:<e@x.cn>",
                          "王@x.cn",
                          "wang@x.cn,e@x.cn",
                          NULL};
  for (int i = 0; bad_to[i]; i++) {
    sample(&conf, &m, url);
    m.to = bad_to[i];
    err[0] = '\0';
    assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
    assert_non_null(strstr(err, "recipient"));
  }
  sample(&conf, &m, url);
  m.to = NULL;
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  sample(&conf, &m, url);
  conf.from = "tousu@example.com\r\nBcc: all@example.com";
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  sample(&conf, &m, url);
  conf.from_name = "客服\r\nBcc: all@example.com";
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  sample(&conf, &m, url);
  m.subject = "受理\nBcc: all@example.com";
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  assert_non_null(strstr(err, "subject"));
  sample(&conf, &m, url);
  m.subject = NULL;
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  sample(&conf, &m, url);
  m.text = NULL;
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  sample(&conf, &m, url);
  m.message_id = "outbox 42>\r\nX: y";
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  sample(&conf, &m, url);
  assert_int_equal(ts_send_mail(&conf, NULL, err, sizeof err), TS_ERR_INVALID);

  url_for(url, sizeof url, "http", closed_port(), "/hook");
  assert_int_equal(
      ts_send_webhook(url, SECRET, "case.created\r\nX-Evil: 1", "d-1", 1, "{}", 0, err, sizeof err),
      TS_ERR_INVALID);
  assert_int_equal(ts_send_webhook(url, SECRET, "case.created", "", 1, "{}", 0, err, sizeof err),
                   TS_ERR_INVALID);
  assert_int_equal(ts_send_webhook(url, SECRET, NULL, "d-1", 1, "{}", 0, err, sizeof err),
                   TS_ERR_INVALID);
  assert_int_equal(ts_send_webhook(url, SECRET, "case.created", "d-1", 1, NULL, 0, err, sizeof err),
                   TS_ERR_INVALID);
}

static void test_closed_port(void **state) {
  (void)state;
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256] = "";
  url_for(url, sizeof url, "smtp", closed_port(), "");
  sample(&conf, &m, url);
  double t0 = now_s();
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_BUSY);
  assert_true(now_s() - t0 < 2.0);
  assert_true(strlen(err) > 6);
  assert_null(strstr(err, PASSWORD));

  url_for(url, sizeof url, "http", closed_port(), "/hook");
  err[0] = '\0';
  t0 = now_s();
  assert_int_equal(
      ts_send_webhook(url, SECRET, "case.created", "d-1", 1700000000, "{}", 3000, err, sizeof err),
      TS_ERR_BUSY);
  assert_true(now_s() - t0 < 2.0);
  assert_true(strlen(err) > 9);
  assert_null(strstr(err, SECRET));
}

static void test_mail_text(void **state) {
  (void)state;
  fake f = {.kind = FAKE_SMTP, .code = 250, .rcpt_code = 250};
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256] = "";
  fake_start(&f);
  url_for(url, sizeof url, "smtp", f.port, "");
  sample(&conf, &m, url);
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_OK);
  char *got = fake_finish(&f);
  assert_non_null(strstr(got, "MAIL FROM:<tousu@example.com>"));
  assert_non_null(strstr(got, "RCPT TO:<wang@example.cn>\r\n"));
  const char *msg = strstr(got, "Date: ");
  assert_non_null(msg);
  assert_wire_lines(msg);
  assert_non_null(strstr(msg, "\r\n.\r\nQUIT\r\n")); /* the end of DATA, then goodbye */
  assert_non_null(strstr(msg, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  /* 客户服务中心 */
  assert_non_null(strstr(msg, "\r\nFrom: =?UTF-8?B?5a6i5oi35pyN5Yqh5Lit5b+D?= "
                              "<tousu@example.com>\r\n"));
  assert_non_null(strstr(msg, "\r\nTo: wang@example.cn\r\n"));
  assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?" SUBJECT_B64 "?=\r\n"));
  assert_non_null(strstr(msg, "\r\nMessage-ID: <outbox-42@tousu>\r\n"));
  assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
  assert_non_null(strstr(msg, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n"));
  assert_null(strstr(msg, "multipart"));
  assert_base64_part(msg, TEXT);
  free(got);
}

static void test_mail_alternative(void **state) {
  (void)state;
  fake f = {.kind = FAKE_SMTP, .code = 250, .rcpt_code = 250};
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256] = "";
  const char *html = "<!DOCTYPE html><html><body><p>尊敬的王先生：</p></body></html>";
  fake_start(&f);
  url_for(url, sizeof url, "smtp", f.port, "");
  sample(&conf, &m, url);
  conf.from_name = "Tousu Service";
  conf.user = NULL; /* no login */
  conf.password = NULL;
  m.subject = "关于您投诉的处理结果通知：我们已完成调查并形成处理意见，请查收"; /* 3 words */
  m.html = html;
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_OK);
  char *got = fake_finish(&f);
  const char *msg = strstr(got, "Date: ");
  assert_non_null(msg);
  assert_wire_lines(msg);
  assert_non_null(strstr(msg, "\r\nFrom: \"Tousu Service\" <tousu@example.com>\r\n"));
  /* a long subject is folded into several encoded-words, each whole characters */
  const char *subj = strstr(msg, "\r\nSubject: =?UTF-8?B?");
  assert_non_null(subj);
  assert_non_null(strstr(subj, "?=\r\n =?UTF-8?B?"));
  assert_non_null(strstr(msg, "\r\nContent-Type: multipart/alternative; boundary=\""));
  const char *plain = strstr(msg, "\r\n--=_tousu_alternative_0\r\nContent-Type: text/plain; "
                                  "charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  const char *rich = strstr(msg, "\r\n--=_tousu_alternative_0\r\nContent-Type: text/html; "
                                 "charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  assert_non_null(plain);
  assert_non_null(rich);
  assert_true(plain < rich); /* the preferred (richer) alternative comes last */
  assert_base64_part(plain + 2, TEXT);
  assert_base64_part(rich + 2, html);
  assert_non_null(strstr(rich, "\r\n--=_tousu_alternative_0--\r\n"));
  free(got);
}

static void test_mail_ascii(void **state) {
  (void)state;
  fake f = {.kind = FAKE_SMTP, .code = 250, .rcpt_code = 250};
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256] = "";
  fake_start(&f);
  url_for(url, sizeof url, "smtp", f.port, "");
  sample(&conf, &m, url);
  conf.from_name = NULL;
  m.subject = "Case TS-2026-000042 closed";
  m.text = "CRLF\r\nCR\rLF\n"; /* every break goes out as CRLF */
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_OK);
  char *got = fake_finish(&f);
  assert_non_null(strstr(got, "\r\nFrom: tousu@example.com\r\n"));
  assert_non_null(strstr(got, "\r\nSubject: Case TS-2026-000042 closed\r\n"));
  assert_base64_part(strstr(got, "\r\nMIME-Version"), "CRLF\nCR\nLF\n");
  free(got);
}

static void test_mail_rejected(void **state) {
  (void)state;
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256];
  /* temporary failure: try again later */
  fake f = {.kind = FAKE_SMTP, .code = 451, .rcpt_code = 250};
  fake_start(&f);
  url_for(url, sizeof url, "smtp", f.port, "");
  sample(&conf, &m, url);
  err[0] = '\0';
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_BUSY);
  assert_non_null(strstr(err, "451"));
  free(fake_finish(&f));
  /* unknown mailbox: permanent */
  fake g = {.kind = FAKE_SMTP, .code = 250, .rcpt_code = 550};
  fake_start(&g);
  url_for(url, sizeof url, "smtp", g.port, "");
  sample(&conf, &m, url);
  err[0] = '\0';
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_INVALID);
  assert_non_null(strstr(err, "550"));
  assert_null(strstr(err, PASSWORD));
  free(fake_finish(&g));
}

static void test_mail_timeout(void **state) {
  (void)state;
  fake f = {.kind = FAKE_SILENT};
  ts_smtp_conf conf;
  ts_mail m;
  char url[64], err[256] = "";
  fake_start(&f);
  url_for(url, sizeof url, "smtp", f.port, "");
  sample(&conf, &m, url);
  conf.timeout_ms = 300;
  double t0 = now_s();
  assert_int_equal(ts_send_mail(&conf, &m, err, sizeof err), TS_ERR_BUSY);
  assert_true(now_s() - t0 < 2.0);
  free(fake_finish(&f));
}

static void test_webhook_delivered(void **state) {
  (void)state;
  fake f = {.kind = FAKE_HTTP, .code = 200};
  char url[64], err[256] = "";
  fake_start(&f);
  url_for(url, sizeof url, "http", f.port, "/hook");
  assert_int_equal(ts_send_webhook(url, "secret", "case.created", "d-42", 1700000000, "{\"a\":1}",
                                   3000, err, sizeof err),
                   TS_OK);
  char *got = fake_finish(&f);
  assert_non_null(strstr(got, "POST /hook HTTP/1.1\r\n"));
  assert_non_null(strstr(got, "\r\nContent-Type: application/json; charset=utf-8\r\n"));
  assert_non_null(strstr(got, "\r\nX-Tousu-Event: case.created\r\n"));
  assert_non_null(strstr(got, "\r\nX-Tousu-Delivery: d-42\r\n"));
  assert_non_null(strstr(got, "\r\nX-Tousu-Timestamp: 1700000000\r\n"));
  assert_non_null(strstr(got, "\r\nX-Tousu-Signature: " VECTOR_SIG "\r\n"));
  assert_non_null(strstr(got, "\r\nContent-Length: 7\r\n"));
  assert_null(strstr(got, "\r\nExpect:"));
  const char *end = strstr(got, "\r\n\r\n");
  assert_non_null(end);
  assert_string_equal(end + 4, "{\"a\":1}");
  free(got);
}

static void test_webhook_status(void **state) {
  (void)state;
  static const struct {
    int status, rc;
  } cases[] = {{204, TS_OK},          {503, TS_ERR_BUSY},    {500, TS_ERR_BUSY},
               {429, TS_ERR_BUSY},    {404, TS_ERR_INVALID}, {400, TS_ERR_INVALID},
               {301, TS_ERR_INVALID}, {410, TS_ERR_INVALID}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fake f = {.kind = FAKE_HTTP, .code = cases[i].status};
    char url[64], err[256] = "", want[8];
    fake_start(&f);
    url_for(url, sizeof url, "http", f.port, "/hook");
    assert_int_equal(
        ts_send_webhook(url, SECRET, "case.closed", "d-7", 1700000000, "{}", 3000, err, sizeof err),
        cases[i].rc);
    snprintf(want, sizeof want, "%d", cases[i].status);
    if (cases[i].rc)
      assert_non_null(strstr(err, want));
    assert_null(strstr(err, SECRET));
    free(fake_finish(&f)); /* one connection only: a 301 was not followed */
  }
}

static void test_webhook_timeout(void **state) {
  (void)state;
  fake f = {.kind = FAKE_SILENT};
  char url[64], err[256] = "";
  fake_start(&f);
  url_for(url, sizeof url, "http", f.port, "/hook");
  double t0 = now_s();
  assert_int_equal(
      ts_send_webhook(url, SECRET, "case.created", "d-1", 1, "{}", 300, err, sizeof err),
      TS_ERR_BUSY);
  assert_true(now_s() - t0 < 2.0);
  assert_null(strstr(err, SECRET));
  free(fake_finish(&f));
}

static int setup(void **state) {
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  return ts_send_init() == TS_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  ts_send_cleanup();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sign_vector),    cmocka_unit_test(test_not_configured),
      cmocka_unit_test(test_bad_values),     cmocka_unit_test(test_closed_port),
      cmocka_unit_test(test_mail_text),      cmocka_unit_test(test_mail_alternative),
      cmocka_unit_test(test_mail_ascii),     cmocka_unit_test(test_mail_rejected),
      cmocka_unit_test(test_mail_timeout),   cmocka_unit_test(test_webhook_delivered),
      cmocka_unit_test(test_webhook_status), cmocka_unit_test(test_webhook_timeout),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
