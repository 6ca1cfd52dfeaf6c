// Host pages for the embedding tests: a small HTTP server on another origin than the proxy
// (sandbox mode allows http://localhost:* to embed), serving the pages a test gives it.

import { createServer } from 'node:http';
import { once } from 'node:events';

/**
 * Serves `pages` (`{ '/path': html }` or `{ '/path': { body, type, headers } }`) on `host` and
 * resolves with the base URL (`http://localhost:<port>/` for 127.0.0.1). Stopped when the test ends.
 */
export async function serveHostPages(t, pages, { host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://host').pathname];
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    const { body, type = 'text/html; charset=utf-8', headers = {} } = typeof page === 'string' ? { body: page } : page;
    res.writeHead(200, { 'content-type': type, ...headers });
    res.end(body);
  });
  server.listen(0, host);
  await once(server, 'listening');
  t.after(() => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }));
  return `http://${host === '127.0.0.1' ? 'localhost' : host}:${server.address().port}/`;
}

/** A page with `body` in a main landmark that loads the loader from `proxyUrl`. */
export function hostPage(proxyUrl, body, { head = '' } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Customer page</title>
<script type="module" src="${new URL('www/exchange-form.js', proxyUrl).href}"></script>${head}</head>
<body><main><h1>Customer intranet</h1>${body}</main></body></html>`;
}
