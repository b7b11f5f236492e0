import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The GraphiQL IDE, served entirely by this process: the page, GraphiQL's
 * UMD build and React's, all from node_modules. Nothing is fetched from a
 * CDN (the service also runs where none is reachable), and the page's
 * Content-Security-Policy forbids loading anything from another host.
 */
const ASSET_PREFIX = '/graphiql/assets/';

const require = createRequire(import.meta.url);
const packageFile = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

const START_SCRIPT = `'use strict';
// Renders GraphiQL against this server's own /graphql endpoint.
const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: false }),
);
`;

const PAGE_STYLE = 'html, body, #graphiql { height: 100%; margin: 0; }\n';

type Asset = { type: string } & ({ file: string } | { text: string });

const ASSETS: Record<string, Asset> = {
  'react.production.min.js': { type: 'text/javascript', file: packageFile('react', 'umd/react.production.min.js') },
  'react-dom.production.min.js': { type: 'text/javascript', file: packageFile('react-dom', 'umd/react-dom.production.min.js') },
  'graphiql.min.js': { type: 'text/javascript', file: packageFile('graphiql', 'graphiql.min.js') },
  'graphiql.min.css': { type: 'text/css', file: packageFile('graphiql', 'graphiql.min.css') },
  'start.js': { type: 'text/javascript', text: START_SCRIPT },
  'page.css': { type: 'text/css', text: PAGE_STYLE },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>privacy-ledger · GraphiQL</title>
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.min.css">
<link rel="stylesheet" href="${ASSET_PREFIX}page.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${ASSET_PREFIX}react.production.min.js"></script>
<script src="${ASSET_PREFIX}react-dom.production.min.js"></script>
<script src="${ASSET_PREFIX}graphiql.min.js"></script>
<script src="${ASSET_PREFIX}start.js"></script>
</body>
</html>
`;

/** Only this origin: scripts and styles from here, requests to here. GraphiQL injects inline styles and data: icons. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A `pages` handler for the HTTP server: the IDE page on a browser's GET /graphql, and its assets. */
export function graphiqlPages(): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const loaded = new Map<string, Buffer>();
  const content = (name: string, asset: Asset): Buffer => {
    let bytes = loaded.get(name);
    if (!bytes) {
      bytes = 'file' in asset ? fs.readFileSync(asset.file) : Buffer.from(asset.text, 'utf8');
      loaded.set(name, bytes);
    }
    return bytes;
  };
  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (url.pathname === '/graphql') {
      const wantsHtml = req.headers.accept?.includes('text/html') ?? false;
      if (!wantsHtml || url.searchParams.has('query')) return false;
      send(res, req.method, 200, 'text/html; charset=utf-8', Buffer.from(PAGE, 'utf8'), { 'content-security-policy': CONTENT_SECURITY_POLICY });
      return true;
    }
    if (!url.pathname.startsWith(ASSET_PREFIX)) return false;
    const name = url.pathname.slice(ASSET_PREFIX.length);
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return false;
    send(res, req.method, 200, `${asset.type}; charset=utf-8`, content(name, asset), { 'cache-control': 'public, max-age=3600' });
    return true;
  };
}

function send(res: ServerResponse, method: string, status: number, type: string, body: Buffer, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': body.length, 'x-content-type-options': 'nosniff' });
  res.end(method === 'HEAD' ? undefined : body);
}
