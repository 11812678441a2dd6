export { pickLanguage, translate } from './i18n.js';
export { createWebRoutes, type WebOptions } from './web.routes.js';
