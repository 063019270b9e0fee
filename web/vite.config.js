// Vite builds the web application into web/dist, which `tousu serve` serves (--web-dir).
// `npm run dev` serves the sources with hot reload and passes /api to a tousu on :8080.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Libraries in their own files: they change less often than the application, and the
// browser keeps them (hashed names under /assets/ are cached for a year).
const CHUNKS = [
  ['echarts', /[\\/]node_modules[\\/](echarts|zrender)[\\/]/],
  ['element-plus', /[\\/]node_modules[\\/](element-plus|@element-plus|@vueuse|@floating-ui|@popperjs|@sxzz|lodash-es|lodash-unified|dayjs|async-validator|memoize-one|normalize-wheel-es|@ctrl)[\\/]/],
  ['vue', /[\\/]node_modules[\\/](vue|@vue|vue-router|vue-i18n|@intlify)[\\/]/],
];

export default defineConfig({
  plugins: [vue()],
  base: '/',
  define: {
    // vue-i18n's feature flags (the esm-bundler build asks for them): the Composition API
    // only, messages compiled without eval (the CSP allows no 'unsafe-eval').
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1100,
    rollupOptions: {
      output: {
        manualChunks(id) {
          for (const [name, re] of CHUNKS) if (re.test(id)) return name;
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
