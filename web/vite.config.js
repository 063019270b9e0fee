// Vite builds the web application into web/dist, which `tousu serve` serves (--web-dir).
// `npm run dev` serves the sources with hot reload and passes /api to a tousu on :8080.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// Compressed once, here: `tousu serve` answers FILE.br or FILE.gz in place of FILE to a
// browser that accepts the coding (src/http/static.c). Text files of at least 1 KiB, kept
// only when they save at least a tenth.
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt)$/;
function precompress() {
  let outDir;
  return {
    name: 'tousu-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (COMPRESSIBLE.test(e.name)) {
            const raw = fs.readFileSync(p);
            if (raw.length < 1024) continue;
            const variants = [
              ['.br', zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })],
              ['.gz', zlib.gzipSync(raw, { level: 9 })],
            ];
            for (const [ext, bytes] of variants) if (bytes.length <= raw.length * 0.9) fs.writeFileSync(p + ext, bytes);
          }
        }
      };
      walk(outDir);
    },
  };
}

// Libraries in their own files: they change less often than the application, and the
// browser keeps them (hashed names under /assets/ are cached for a year).
const CHUNKS = [
  ['echarts', /[\\/]node_modules[\\/](echarts|zrender)[\\/]/],
  ['element-plus', /[\\/]node_modules[\\/](element-plus|@element-plus|@vueuse|@floating-ui|@popperjs|@sxzz|lodash-es|lodash-unified|dayjs|async-validator|memoize-one|normalize-wheel-es|@ctrl)[\\/]/],
  ['vue', /[\\/]node_modules[\\/](vue|@vue|vue-router|vue-i18n|@intlify)[\\/]/],
];

export default defineConfig({
  plugins: [vue(), precompress()],
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
