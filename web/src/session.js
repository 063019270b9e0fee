// Who is logged in. The token lives in sessionStorage (this tab, until it closes); the
// user comes from the login answer or GET /api/v1/auth/me.
import { reactive } from 'vue';
import { api, clearToken, getToken, setToken } from './api.js';

export const session = reactive({ user: null });

export function hasToken() {
  return !!getToken();
}

/* The caller, loaded once per page load; throws ApiError (401 ends the session). */
export async function loadMe() {
  if (session.user) return session.user;
  const r = await api.get('/auth/me');
  session.user = r.user;
  return session.user;
}

export async function login(username, password) {
  const r = await api.post('/auth/login', { username, password });
  setToken(r.token);
  session.user = r.user;
  return r.user;
}

export async function logout() {
  try {
    if (getToken()) await api.post('/auth/logout');
  } catch {
    /* the session ends here either way */
  }
  clearToken();
  session.user = null;
}

/* Forgets the user (after a 401): the next page asks for a login. */
export function dropSession() {
  clearToken();
  session.user = null;
}
