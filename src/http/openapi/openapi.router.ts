import { dirname, join } from 'node:path';
import { Router } from 'express';
import { methodNotAllowed } from '../error-handler';
import { docsPage, docsScript, swaggerUiAssets } from './docs-page';
import { openApiDocument } from './document';

/** Not `require('swagger-ui-dist')`, which would load the browser bundle into the server. */
const swaggerUiFolder = dirname(require.resolve('swagger-ui-dist/package.json'));

/** `GET /openapi.json`, the API document, and `GET /docs`, the page that shows it and can call the API. */
export function openApiRouter(): Router {
  const router = Router();
  const document = JSON.stringify(openApiDocument());

  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.type('json').send(document);
    })
    .all(methodNotAllowed('GET'));

  // The page's URLs are relative to /docs/: /docs itself redirects there.
  router.get('/docs', (req, res) => {
    if (req.path.endsWith('/')) res.type('html').send(docsPage);
    else res.redirect(301, 'docs/');
  });
  router.get('/docs/docs.js', (_req, res) => {
    res.type('js').send(docsScript);
  });
  router.get('/docs/:asset', (req, res, next) => {
    if (swaggerUiAssets.includes(req.params.asset)) res.sendFile(join(swaggerUiFolder, req.params.asset));
    else next();
  });

  return router;
}
