// Receivers for the notification API tests: a webhook endpoint and an SMTP sink, both on
// 127.0.0.1 with a kernel-chosen port, recording what tousu delivers so a test can look at
// it. Node 20, no packages.
//
//   const hook = await startWebhookReceiver({ failFirst: 2, status: 503 });
//   ... point tousu at hook.url, make something happen ...
//   await waitFor(() => hook.deliveries.length === 1);
//   assert.ok(verifySignature(secret, hook.deliveries[0].headers, hook.deliveries[0].body));
//   await hook.close();
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/* Polls pred (may be async) every 20 ms until it returns something truthy, which is the
 * result; rejects after ms. */
export async function waitFor(pred, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > until) throw new Error(`waitFor: condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/* bytes as text in charset (UTF-8 when node does not know the charset). */
function decodeBytes(bytes, charset) {
  try {
    return new TextDecoder(charset, { fatal: false }).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/* ---- webhooks */

/* An HTTP server that records every POST. Each POST is an attempt ({method, url, headers,
 * body, json, status}, in `attempts`); while the failing counter is above 0 it answers
 * `status` and counts down, otherwise it answers 200 and the attempt is also a delivery
 * ({headers, body, json}, in `deliveries`). Headers are node's: lower-case keys. Other
 * methods get 405 and are not recorded. */
export async function startWebhookReceiver({ failFirst = 0, status = 500 } = {}) {
  let failing = failFirst;
  const deliveries = [];
  const attempts = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const record = { headers: { ...req.headers }, body, json: parseJson(body) };
      let answer = 200;
      if (failing > 0) {
        failing--;
        answer = status;
      }
      attempts.push({ method: req.method, url: req.url, ...record, status: answer });
      if (answer === 200) deliveries.push(record);
      res.writeHead(answer, { 'Content-Type': 'text/plain' }).end(answer === 200 ? 'ok' : 'failing on purpose');
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    deliveries,
    attempts,
    setFailing(n) {
      failing = n;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function header(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined; // fetch Headers
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

/* true if headers carry X-Tousu-Signature = sha256=HMAC-SHA256(secret, `${timestamp}.${body}`)
 * for their X-Tousu-Timestamp. Header names in any case; body a string or Buffer. */
export function verifySignature(secret, headers, body) {
  const ts = header(headers, 'x-tousu-timestamp');
  const sig = header(headers, 'x-tousu-signature');
  if (typeof ts !== 'string' || !/^-?\d+$/.test(ts) || typeof sig !== 'string') return false;
  const want = Buffer.from(
    'sha256=' +
      crypto
        .createHmac('sha256', secret)
        .update(`${ts}.`)
        .update(Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8'))
        .digest('hex'),
  );
  const got = Buffer.from(sig);
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

/* ---- mail */

/* Decodes RFC 2047 encoded-words (B and Q) in a header value; whitespace between two
 * adjacent words is dropped, and adjacent words in one charset are decoded together, so a
 * character split across words still comes out whole. */
export function decodeWords(value) {
  const re = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  let out = '';
  let last = 0;
  let pending = null; // { charset, bytes: [] } of adjacent words not yet decoded
  const flush = () => {
    if (!pending) return;
    out += decodeBytes(Buffer.concat(pending.bytes), pending.charset.toLowerCase().split('*')[0]);
    pending = null;
  };
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const between = value.slice(last, m.index);
    if (!(pending && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const [, charset, enc, text] = m;
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    if (pending && pending.charset.toLowerCase() !== charset.toLowerCase()) flush();
    if (!pending) pending = { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = re.lastIndex;
  }
  flush();
  return out + value.slice(last);
}

/* Splits raw (CRLF or LF lines) into { headers, body }: headers unfolded, lower-case keys,
 * values with encoded-words decoded; a repeated header keeps its first value. */
function splitMessage(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i).trim().toLowerCase();
    if (!(key in headers)) headers[key] = decodeWords(line.slice(i + 1).trim());
  }
  return { headers, body };
}

function param(value, name) {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value || '');
  return m ? (m[1] ?? m[2]) : undefined;
}

/* The body of a single part as text, by its transfer encoding and charset. The raw
 * message was decoded as UTF-8 already, so 7bit/8bit bodies are text as they are. */
function decodeBody(headers, body) {
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  const charset = (param(headers['content-type'], 'charset') || 'utf-8').toLowerCase();
  let bytes;
  if (cte === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable')
    bytes = Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  else return body;
  return decodeBytes(bytes, charset);
}

// Mail text goes out with CRLF line breaks (its canonical form); tests compare with "\n".
const lf = (s) => s.replace(/\r\n/g, '\n');

/* The text/plain and text/html bodies of a message, looking into multipart parts (also
 * nested ones); the first of each kind wins. */
function extractParts(headers, body, found = {}) {
  const type = (headers['content-type'] || 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(headers['content-type'], 'boundary');
    if (!boundary) return found;
    let part = null; // lines of the part being read; null before the first boundary
    for (const line of body.split(/\r?\n/)) {
      const l = line.trimEnd();
      const open = l === `--${boundary}`;
      const close = l === `--${boundary}--`;
      if (!open && !close) {
        if (part) part.push(line);
        continue;
      }
      if (part) {
        const p = splitMessage(part.join('\r\n'));
        extractParts(p.headers, p.body, found);
      }
      if (close) break;
      part = [];
    }
    return found;
  }
  if (type.startsWith('text/html')) found.html ??= lf(decodeBody(headers, body));
  else if (type.startsWith('text/plain')) found.text ??= lf(decodeBody(headers, body));
  return found;
}

/* Turns the raw DATA of one message into what tests look at. */
export function parseMail(raw) {
  const { headers, body } = splitMessage(raw);
  const parts = extractParts(headers, body);
  return { headers, subject: headers.subject, text: parts.text ?? '', html: parts.html ?? null };
}

function angle(arg) {
  const m = /<([^>]*)>/.exec(arg);
  return m ? m[1] : arg.trim().split(/\s+/)[0] || '';
}

/* A minimal SMTP server (no TLS, no AUTH: tousu may be configured with a user and still
 * sends, curl logs in only where AUTH is offered). Each accepted message is recorded in
 * `messages` as { from, to: [], data (raw, un-dot-stuffed, CRLF), headers (lower-case keys,
 * encoded-words decoded), subject, text (the text/plain body), html (the text/html
 * alternative or null) }; text and html have "\n" line breaks where the mail has CRLF.
 * While the failing counter is above 0, MAIL FROM gets 451 and the counter goes down;
 * every MAIL FROM is an attempt ({ from, status: 250 or 451 }, in `attempts`). */
export async function startSmtpSink({ failFirst = 0 } = {}) {
  let failing = failFirst;
  const messages = [];
  const attempts = [];
  const sockets = new Set();

  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = ''; // latin1: one char per byte, decoded as UTF-8 once a message is complete
    let inData = false;
    let dataLines = [];
    let tx = null; // { from, to: [] } of the transaction under way
    const reply = (s) => {
      if (!sock.destroyed) sock.write(s + '\r\n');
    };

    const endData = () => {
      inData = false;
      const data = Buffer.from(dataLines.join('\r\n') + (dataLines.length ? '\r\n' : ''), 'latin1').toString('utf8');
      dataLines = [];
      messages.push({ from: tx.from, to: tx.to, data, ...parseMail(data) });
      tx = null;
      reply('250 2.0.0 queued');
    };

    const command = (line) => {
      const verb = line.slice(0, 4).toUpperCase();
      const arg = line.slice(4);
      switch (verb) {
        case 'EHLO':
          reply('250-tousu-sink greets you');
          reply('250-8BITMIME');
          reply('250-SIZE 10485760');
          reply('250 SMTPUTF8');
          return;
        case 'HELO':
          reply('250 tousu-sink');
          return;
        case 'MAIL':
          if (!/^ FROM:/i.test(arg)) return reply('501 5.5.4 syntax: MAIL FROM:<address>');
          tx = null;
          if (failing > 0) {
            failing--;
            attempts.push({ from: angle(arg.slice(6)), status: 451 });
            return reply('451 4.3.0 temporary failure, try again later');
          }
          attempts.push({ from: angle(arg.slice(6)), status: 250 });
          tx = { from: angle(arg.slice(6)), to: [] };
          return reply('250 2.1.0 ok');
        case 'RCPT':
          if (!tx) return reply('503 5.5.1 MAIL first');
          if (!/^ TO:/i.test(arg)) return reply('501 5.5.4 syntax: RCPT TO:<address>');
          tx.to.push(angle(arg.slice(4)));
          return reply('250 2.1.5 ok');
        case 'DATA':
          if (!tx || tx.to.length === 0) return reply('503 5.5.1 RCPT first');
          inData = true;
          dataLines = [];
          return reply('354 end data with <CR><LF>.<CR><LF>');
        case 'RSET':
          tx = null;
          return reply('250 2.0.0 ok');
        case 'NOOP':
          return reply('250 2.0.0 ok');
        case 'QUIT':
          reply('221 2.0.0 bye');
          sock.end();
          return;
        default:
          return reply('502 5.5.2 command not implemented');
      }
    };

    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (inData) {
          if (line === '.') endData();
          else dataLines.push(line.startsWith('.') ? line.slice(1) : line);
        } else {
          command(line);
        }
      }
    });
    reply('220 tousu-sink ESMTP ready');
  });

  const port = await listen(server);
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    attempts,
    setFailing(n) {
      failing = n;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
