import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EXAMPLE_TABS } from './graphiql-examples.js';
import type { LocalSignIn } from './local-sign-in.js';

/**
 * The GraphiQL IDE, served entirely by this process: the page, GraphiQL's
 * UMD build and React's, all from node_modules. Nothing is fetched from a
 * CDN (the service also runs where none is reachable), and the page's
 * Content-Security-Policy forbids loading anything from another host.
 */
const ASSET_PREFIX = '/graphiql/assets/';

const require = createRequire(import.meta.url);
const packageFile = (pkg: string, file: string) =>
  path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/**
 * Renders GraphiQL against this server's own /graphql endpoint, under a bar
 * that gives every request a bearer token: one pasted (kept in this
 * browser's localStorage) or, where the server allows it, one from "Sign in
 * locally". The IDE opens with an example tab for each kind of user.
 */
const START_SCRIPT = `'use strict';
const h = React.createElement;
const STORE = 'privacy-ledger.token';
const EXAMPLES = ${JSON.stringify(EXAMPLE_TABS)};
const ROLES = ${JSON.stringify(EXAMPLE_TABS.map((tab) => tab.role))};
const signInAvailable = document.body.dataset.localSignIn === 'true';
const url = new URL('/graphql', window.location.href).href;

// A header typed in the IDE's own editor wins over the bar's token.
function makeFetcher(token) {
  return GraphiQL.createFetcher({
    url,
    fetch: (input, init) => {
      const headers = new Headers(init && init.headers);
      if (token && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + token);
      return fetch(input, Object.assign({}, init, { headers }));
    },
  });
}

function AuthBar(props) {
  const [draft, setDraft] = React.useState(props.token);
  const [role, setRole] = React.useState('member');
  const [message, setMessage] = React.useState('');
  const [who, setWho] = React.useState('');
  // Says at once whether the server accepts the token (an expired one, or one minted for another data directory, is 401).
  React.useEffect(() => {
    if (!props.token) return setWho('');
    let current = true;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + props.token }, body: JSON.stringify({ query: '{ me { roles } }' }) })
      .then((res) => res.json().then((body) => ({ res, body })))
      .then(({ res, body }) => {
        if (!current) return;
        if (res.ok && body.data) setWho('Accepted: ' + (body.data.me.roles.length ? 'roles ' + body.data.me.roles.join(', ') : 'a member (no app roles)') + '.');
        else setWho('Refused (HTTP ' + res.status + '): expired, or not minted for this server. Mint or sign in again.');
      })
      .catch(() => current && setWho('The server did not answer.'));
    return () => { current = false; };
  }, [props.token]);
  const signIn = async () => {
    const res = await fetch('/graphiql/sign-in?role=' + encodeURIComponent(role), { method: 'POST', headers: { 'x-graphiql-sign-in': '1' } });
    const body = await res.json().catch(() => ({}));
    if (res.ok && body.token) {
      setDraft(body.token);
      props.onToken(body.token);
      setMessage('Signed in as ' + role + ' for an hour.');
    } else setMessage((body.errors && body.errors[0] && body.errors[0].message) || 'Sign-in refused (HTTP ' + res.status + ').');
  };
  const use = (token) => {
    setDraft(token);
    props.onToken(token);
    setMessage(token ? 'Token saved in this browser.' : 'Token forgotten.');
  };
  return h('form', { className: 'pl-auth', onSubmit: (e) => { e.preventDefault(); use(draft.trim()); } },
    h('label', null, 'Bearer token ',
      h('input', { id: 'pl-token', type: 'password', autoComplete: 'off', value: draft, placeholder: 'paste a token', onChange: (e) => setDraft(e.target.value) })),
    h('button', { id: 'pl-use', type: 'submit' }, 'Use token'),
    h('button', { id: 'pl-forget', type: 'button', onClick: () => use('') }, 'Forget'),
    h('label', null, 'role ',
      h('select', { id: 'pl-role', value: role, onChange: (e) => setRole(e.target.value) }, ROLES.map((r) => h('option', { key: r, value: r }, r)))),
    signInAvailable ? h('button', { id: 'pl-sign-in', type: 'button', onClick: () => void signIn() }, 'Sign in locally') : null,
    h('span', { className: 'pl-hint' }, 'or mint one: ', h('code', null, 'npx privacy-ledger token --role ' + role)),
    h('span', { id: 'pl-status', role: 'status' }, message || (props.token ? 'A token is set.' : 'No token yet: every request is 401.')),
    h('span', { id: 'pl-who' }, who),
  );
}

function App() {
  const [token, setToken] = React.useState(() => window.localStorage.getItem(STORE) || '');
  const fetcher = React.useMemo(() => makeFetcher(token), [token]);
  const onToken = (next) => {
    if (next) window.localStorage.setItem(STORE, next);
    else window.localStorage.removeItem(STORE);
    setToken(next);
  };
  return h(React.Fragment, null,
    h(AuthBar, { token, onToken }),
    h('div', { className: 'pl-ide' },
      // A new fetcher (a new token) makes GraphiQL fetch the schema again, now authorised.
      h(GraphiQL, {
        fetcher,
        // No token, no schema request: GraphiQL would show its 401 until the next run.
        schema: token ? undefined : null,
        defaultEditorToolsVisibility: true,
        shouldPersistHeaders: false,
        defaultTabs: EXAMPLES.map((tab) => ({ query: tab.query, variables: tab.variables })),
      })));
}

ReactDOM.createRoot(document.getElementById('graphiql')).render(h(App));
`;

const PAGE_STYLE = `html, body { height: 100%; margin: 0; }
#graphiql { height: 100%; display: flex; flex-direction: column; }
.pl-auth { display: flex; flex-wrap: wrap; gap: 0.5em 1em; align-items: center; padding: 0.4em 0.8em; font: 13px system-ui, sans-serif; border-bottom: 1px solid #ddd; }
.pl-auth input { width: 22em; }
.pl-hint code { background: #f3f3f3; padding: 0.1em 0.3em; }
.pl-ide { flex: 1; min-height: 0; }
`;

type Asset = { type: string } & ({ file: string } | { text: string });

const ASSETS: Record<string, Asset> = {
  'react.production.min.js': { type: 'text/javascript', file: packageFile('react', 'umd/react.production.min.js') },
  'react-dom.production.min.js': {
    type: 'text/javascript',
    file: packageFile('react-dom', 'umd/react-dom.production.min.js'),
  },
  'graphiql.min.js': { type: 'text/javascript', file: packageFile('graphiql', 'graphiql.min.js') },
  'graphiql.min.css': { type: 'text/css', file: packageFile('graphiql', 'graphiql.min.css') },
  'start.js': { type: 'text/javascript', text: START_SCRIPT },
  'page.css': { type: 'text/css', text: PAGE_STYLE },
};

const page = (localSignIn: boolean) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>privacy-ledger · GraphiQL</title>
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.min.css">
<link rel="stylesheet" href="${ASSET_PREFIX}page.css">
</head>
<body data-local-sign-in="${localSignIn}">
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

const SIGN_IN_PATH = '/graphiql/sign-in';

/**
 * A `pages` handler for the HTTP server: the IDE page on a browser's GET
 * /graphql, its assets, and with `signIn` the local sign-in (POST).
 */
export function graphiqlPages(
  signIn?: LocalSignIn,
): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean> {
  const pages = { on: Buffer.from(page(true), 'utf8'), off: Buffer.from(page(false), 'utf8') };
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
    if (url.pathname === SIGN_IN_PATH && req.method === 'POST' && signIn)
      return signIn.answer(req, res).then(() => true);
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (url.pathname === '/graphql') {
      const wantsHtml = req.headers.accept?.includes('text/html') ?? false;
      if (!wantsHtml || url.searchParams.has('query')) return false;
      const body = signIn && !signIn.refusal(req) ? pages.on : pages.off;
      send(res, req.method, 200, 'text/html; charset=utf-8', body, {
        'content-security-policy': CONTENT_SECURITY_POLICY,
      });
      return true;
    }
    if (!url.pathname.startsWith(ASSET_PREFIX)) return false;
    const name = url.pathname.slice(ASSET_PREFIX.length);
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return false;
    send(res, req.method, 200, `${asset.type}; charset=utf-8`, content(name, asset), {
      'cache-control': 'public, max-age=3600',
    });
    return true;
  };
}

function send(
  res: ServerResponse,
  method: string,
  status: number,
  type: string,
  body: Buffer,
  headers: Record<string, string>,
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': type,
    'content-length': body.length,
    'x-content-type-options': 'nosniff',
  });
  res.end(method === 'HEAD' ? undefined : body);
}
