// The tousu API, same origin: JSON in and out, the session's bearer token on every call.
// A 401 anywhere but at login ends the session (the router sends the user to the login page).

const TOKEN_KEY = 'tousu.token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/* An answer that is not 2xx: status, and the API's {error: {code, message, details}}. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error?.code ?? (status === 0 ? 'network' : 'http');
    this.details = body?.error?.details ?? {};
  }
}

let unauthorized = () => {};
/* fn() runs when a call answers 401 (the token expired or was revoked). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/* "/api/v1" + path + the query (empty values left out, arrays joined with commas). */
export function apiUrl(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.join(','));
    } else {
      params.set(k, String(v));
    }
  }
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

async function send(method, path, { query, body, form, accept = 'application/json' } = {}) {
  const headers = { Accept: accept };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(apiUrl(path, query), {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : form, // a FormData sets its own type
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  // Only the session that asked ends: an answer to a call made with an older token (one
  // still in flight across a logout and a new login) must not end the new session.
  if (res.status === 401 && path !== '/auth/login' && getToken() === token) {
    clearToken();
    unauthorized();
  }
  return res;
}

async function readError(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return new ApiError(res.status, body);
}

async function json(method, path, opts) {
  const res = await send(method, path, opts);
  if (!res.ok) throw await readError(res);
  if (res.status === 204) return null;
  return res.json();
}

/* Each call answers the parsed JSON (null for 204) or throws ApiError: status, code and
 * details (a 422's details name the fields: {"complainant.phone": "…"}). */
export const api = {
  get: (path, query) => json('GET', path, { query }),
  post: (path, body) => json('POST', path, { body }),
  put: (path, body) => json('PUT', path, { body }),
  patch: (path, body) => json('PATCH', path, { body }),
  del: (path, query) => json('DELETE', path, { query }),
  /* a multipart upload: form is a FormData (e.g. the field "file" of an evidence upload) */
  upload: (path, form, query) => json('POST', path, { form, query }),
};

/* The URL of a file the API serves behind the session (evidence): fetched with the token
 * and turned into an object URL the page can show (<img>, <audio>, <iframe>); the caller
 * revokes it (URL.revokeObjectURL) when done. */
export async function blobUrl(path, query) {
  const res = await send('GET', path, { query, accept: '*/*' });
  if (!res.ok) throw await readError(res);
  return URL.createObjectURL(await res.blob());
}

/* A public call (the customer portal): no token, never the staff session's; JSON in, or a
 * FormData (an upload); the API's error shape as an ApiError. */
export async function portalCall(method, path, { query, body, form } = {}) {
  let res;
  try {
    res = await fetch(apiUrl(path, query), {
      method,
      headers: body !== undefined ? { Accept: 'application/json', 'Content-Type': 'application/json' } : { Accept: 'application/json' },
      body: body !== undefined ? JSON.stringify(body) : form,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/* The file name of a Content-Disposition header (filename*=UTF-8'' first), or null. */
function dispositionName(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? (plain[1] ?? plain[2]).trim() : null;
}

/* Downloads a file the API answers (a report as PDF, XLSX, CSV): the token goes in the
 * Authorization header, so not a plain link — fetch, a Blob, a temporary object URL.
 * Returns {name, size}. */
export async function download(path, query, fallbackName) {
  const res = await send('GET', path, { query, accept: '*/*' });
  if (!res.ok) throw await readError(res);
  const blob = await res.blob();
  const name = dispositionName(res.headers.get('Content-Disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  return { name, size: blob.size };
}
