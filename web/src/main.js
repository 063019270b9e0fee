import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { i18n } from './i18n/index.js';
import { router } from './router.js';
import { installA11yFixes } from './a11y.js';
import './styles.css';

createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app');
installA11yFixes();
