// Client routes. Every path but /login and the customer portal (/portal, /portal/…) needs a
// session; the server answers index.html for
// any path without an extension, so these URLs can be bookmarked and reloaded.
import { createRouter, createWebHistory } from 'vue-router';
import { onUnauthorized } from './api.js';
import { i18n } from './i18n/index.js';
import { dropSession, hasToken, loadMe, session } from './session.js';
import AppShell from './components/AppShell.vue';
import LoginView from './views/LoginView.vue';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
    // the customer portal: public, its own frame (no staff menu), no session asked for
    {
      path: '/portal',
      component: () => import('./views/PortalLayout.vue'),
      meta: { public: true },
      children: [
        { path: '', name: 'portal', component: () => import('./views/PortalSubmitView.vue'), meta: { public: true, title: 'portal.formTitle' } },
        { path: 'track', name: 'portal-track', component: () => import('./views/PortalTrackView.vue'), meta: { public: true, title: 'portal.trackTitle' } },
        { path: ':rest(.*)*', redirect: { name: 'portal' } },
      ],
    },
    {
      path: '/',
      component: AppShell,
      children: [
        { path: '', redirect: { name: 'workbench' } },
        { path: 'workbench', name: 'workbench', component: () => import('./views/WorkbenchView.vue'), meta: { title: 'nav.workbench', menu: '/workbench' } },
        { path: 'cases/:no', name: 'case', component: () => import('./views/CaseView.vue'), meta: { title: 'case.title', menu: '/workbench' } },
        { path: 'intake', name: 'intake', component: () => import('./views/IntakeView.vue'), meta: { title: 'nav.intake', menu: '/intake' } },
        { path: 'dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { title: 'nav.dashboard', menu: '/dashboard' } },
        { path: 'library/:id?', name: 'library', component: () => import('./views/LibraryView.vue'), meta: { title: 'nav.library', menu: '/library' } },
        { path: 'admin/:section?', name: 'admin', component: () => import('./views/AdminView.vue'), meta: { title: 'nav.admin', menu: '/admin' } },
        { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { title: 'notFound.title' } },
      ],
    },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const back = to.fullPath === '/' ? undefined : to.fullPath;
  if (!hasToken()) return { name: 'login', query: back ? { redirect: back } : {} };
  if (!session.user) {
    try {
      await loadMe();
    } catch {
      dropSession(); // the token was refused (expired, revoked) or the server is away
      return { name: 'login', query: { ...(back ? { redirect: back } : {}), expired: '1' } };
    }
  }
  return true;
});

export function pageTitle(route) {
  const t = i18n.global.t;
  const key = route.meta?.title;
  return key ? `${t(key)} · ${t('app.name')} tousu` : `${t('app.name')} tousu`;
}

router.afterEach((to) => {
  document.title = pageTitle(to);
});

// A 401 from any call: the session is over, log in again and come back here.
// (During the first navigation the guard above redirects by itself.)
onUnauthorized(() => {
  dropSession();
  const cur = router.currentRoute.value;
  if (cur.name === 'login' || cur.matched.length === 0) return;
  router.push({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } });
});
