/*
 * Swagger UI from the local swagger-ui-dist package: nothing is fetched from
 * another site, so the page works offline. Its start-up script is a file of
 * its own rather than inline, so that a Content-Security-Policy of
 * `script-src 'self'` (helmet's default) lets it run. Both are served at
 * /docs/, and every URL in them is relative, so the page works behind a proxy
 * that mounts the API under a prefix.
 */

/** The files of swagger-ui-dist the page loads. */
export const swaggerUiAssets = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png'];

export const docsPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dualstore API</title>
<link rel="stylesheet" href="swagger-ui.css">
<link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="docs.js"></script>
</body>
</html>
`;

export const docsScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The default sends the document to validator.swagger.io, which is neither offline nor private.
    validatorUrl: null,
  });
});
`;
