import { Router, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { openApiJson } from './openapi';

/** The files of swagger-ui-dist the page loads (plus the init script swagger-ui-express generates); nothing else is served. */
const DOCS_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui-init.js', 'favicon-32x32.png', 'favicon-16x16.png']);

const UI_OPTIONS: swaggerUi.SwaggerUiOptions = {
  customSiteTitle: 'gmo-bank-integrator API',
  // relative to /docs/, so the page works behind a path prefix too
  swaggerUrl: '../openapi.json',
  swaggerOptions: {
    // no call to validator.swagger.io: everything the page needs is served from here (no CDN, no network)
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  },
};

/**
 * GET /openapi.json (the document, as in docs/openapi.json) and GET /docs (Swagger UI for people, its
 * assets served locally from swagger-ui-dist, so it renders offline under the app's CSP). No API key.
 */
export function openApiRoutes(): Router {
  const router = Router();
  const json = openApiJson();
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').setHeader('Cache-Control', 'no-cache');
    res.send(json);
  });

  const ui = Router();
  const onlyAssets: RequestHandler = (req, _res, next) => (req.path === '/' || DOCS_ASSETS.has(req.path.slice(1)) ? next() : next('router'));
  // `/docs` redirects to `/docs/` (serve-static), so the page's relative asset URLs resolve under /docs/
  ui.use(onlyAssets, ...swaggerUi.serveFiles(undefined, UI_OPTIONS));
  ui.get('/', swaggerUi.setup(undefined, UI_OPTIONS));
  router.use('/docs', ui);
  return router;
}
