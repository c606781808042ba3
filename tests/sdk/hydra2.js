#!/usr/bin/env node
'use strict';
// The OAuth 2.0 client lifecycle through the Hydra 2.2 generation SDK
// (@ory/hydra-client 2.2.x, OAuth2Api, paths under /admin/clients).
//
//   node hydra2.js ADMIN_URL [PUBLIC_URL]
//
// One JSON line per step on stdout ({"step":..., "ok":true, ...}); on the
// first failure a line with "ok":false, the request, the HTTP status and
// the body the SDK saw, a message on stderr, and exit status 1.  With
// PUBLIC_URL, the secret kept by PUT, PATCH and the lifespans call is
// also checked at /oauth2/token.

const path = require('path');
const { OAuth2Api, Configuration } = require('hydra2');
const c = require('./common');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(admin)) {
  process.stderr.write('usage: node hydra2.js ADMIN_URL [PUBLIC_URL]\n');
  process.exit(2);
}

const api = new OAuth2Api(new Configuration({
  basePath: admin,
  // Talk to the server directly even if an http_proxy is set, and never
  // hang the test.
  baseOptions: { proxy: false, timeout: 15000 },
}));
const SDK = path.dirname(require.resolve('hydra2/package.json'));
const CLIENT = c.declaredFields(SDK, 'OAuth2Client');
const ERROR = c.declaredFields(SDK, 'ErrorOAuth2');

const name = `sdk-hydra2-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const want = c.wanted(name);
const LIFESPAN = 'authorization_code_grant_access_token_lifespan';
let id;
let secret;
let peer;
let current;
const created = new Set();   // deleted again if a step fails

function client(res) {
  c.isJson(res);
  const unknown = c.typeCheck(res, res.data, CLIENT, 'OAuth2Client');
  return { unknown_fields: unknown.length ? unknown : undefined };
}

// Walk the list with page_size/page_token taken from the Link header
// until every id in `ids` was seen.
async function walk(ids, pageSize) {
  const left = new Set(ids);
  const seen = new Set();
  const tokens = new Set();
  let pageToken;
  let pages = 0;
  let total;
  let firstLinks;
  for (;;) {
    const res = await api.listOAuth2Clients({ pageSize, pageToken });
    c.status(res, 200, 'list');
    c.isJson(res);
    c.check(res, Array.isArray(res.data), 'list: the body should be a JSON array');
    c.check(res, res.data.length <= pageSize,
      `list: asked for page_size=${pageSize}, got ${res.data.length} clients`);
    pages += 1;
    const t = c.totalCount(res, ids.length);
    if (t !== undefined) total = t;
    const l = c.links(res, admin);
    if (pages === 1) firstLinks = Object.keys(l).sort();
    for (const item of res.data) {
      c.typeCheck(res, item, CLIENT, 'OAuth2Client');
      c.noSecret(res, item, 'list');
      c.check(res, !seen.has(item.client_id),
        `list: client ${item.client_id} came back on two pages`);
      seen.add(item.client_id);
      left.delete(item.client_id);
    }
    if (!left.size) break;
    const next = l.next;
    c.check(res, next, `list: clients ${[...left].join(', ')} not found after ` +
      `${pages} page(s) and no rel="next" in the Link header ` +
      `(${JSON.stringify(res.headers.link)})`);
    const tok = next.searchParams.get('page_token');
    const size = Number(next.searchParams.get('page_size') || pageSize);
    c.check(res, tok && !tokens.has(tok), `list: rel="next" should carry a ` +
      `new page_token, got ${next.pathname}${next.search}`);
    c.check(res, Number.isInteger(size) && size > 0,
      `list: bad page_size in rel="next": ${next.search}`);
    c.check(res, pages < 1000, 'list: more than 1000 pages');
    tokens.add(tok);
    pageToken = tok;
    pageSize = size;
  }
  return { pages, total, first_page_links: firstLinks };
}

function withName(n) {
  return Object.assign({}, want, { client_name: n });
}

c.run('hydra2', [
  ['create', async () => {
    const res = await api.createOAuth2Client({ oAuth2Client: want });
    if (res.data && res.data.client_id) created.add(res.data.client_id);
    c.status(res, 201, 'create');
    const info = client(res);
    c.hasFields(res, res.data, want);
    c.check(res, typeof res.data.client_secret === 'string' &&
      res.data.client_secret.length > 0,
      'create must return the generated client_secret');
    id = res.data.client_id;
    secret = res.data.client_secret;
    return { client_id: id, unknown_fields: info.unknown_fields };
  }],
  ['get', async () => {
    const res = await api.getOAuth2Client({ id });
    c.status(res, 200, 'get');
    const info = client(res);
    c.hasFields(res, res.data, want);
    c.check(res, res.data.client_id === id, 'get: wrong client_id');
    c.noSecret(res, res.data, 'get');
    current = res.data;
    return { unknown_fields: info.unknown_fields };
  }],
  ['list', async () => {
    const res = await api.listOAuth2Clients({ pageSize: 500 });
    c.status(res, 200, 'list');
    c.isJson(res);
    c.check(res, Array.isArray(res.data), 'list: the body should be a JSON array');
    const mine = res.data.filter((x) => x && x.client_id === id);
    c.check(res, mine.length === 1,
      `list?page_size=500: expected client ${id} once, found ${mine.length}`);
    for (const item of res.data) {
      c.typeCheck(res, item, CLIENT, 'OAuth2Client');
      c.noSecret(res, item, 'list');
    }
    c.hasFields(res, mine[0], want);
    return { count: res.data.length, total: c.totalCount(res, 1) };
  }],
  ['create_peer', async () => {
    const res = await api.createOAuth2Client({ oAuth2Client: withName(name + '-peer') });
    if (res.data && res.data.client_id) created.add(res.data.client_id);
    c.status(res, 201, 'create');
    client(res);
    peer = res.data.client_id;
    c.check(res, peer && peer !== id, 'the second client needs its own id');
    return { client_id: peer };
  }],
  ['list_paged', async () => walk([id, peer], 1)],
  ['list_by_name', async () => {
    const res = await api.listOAuth2Clients({ clientName: name });
    c.status(res, 200, 'list');
    c.isJson(res);
    c.check(res, Array.isArray(res.data), 'list: the body should be a JSON array');
    const ids = res.data.map((x) => x.client_id);
    c.check(res, ids.length === 1 && ids[0] === id,
      `list?client_name=${name}: expected exactly [${id}], got ${JSON.stringify(ids)}`);
    return {};
  }],
  ['update', async () => {
    // Read-modify-write, as apps do: PUT back what GET returned.
    const body = Object.assign({}, current, { client_name: name + '-updated' });
    const res = await api.setOAuth2Client({ id, oAuth2Client: body });
    c.status(res, 200, 'update');
    const info = client(res);
    c.hasFields(res, res.data, withName(name + '-updated'));
    c.check(res, res.data.client_id === id, 'update: wrong client_id');
    c.noSecret(res, res.data, 'update without a client_secret');
    return { unknown_fields: info.unknown_fields };
  }],
  ['get_after_update', async () => {
    const res = await api.getOAuth2Client({ id });
    c.status(res, 200, 'get');
    client(res);
    c.hasFields(res, res.data, withName(name + '-updated'));
    c.noSecret(res, res.data, 'get');
    return {};
  }],
  ['patch', async () => {
    const res = await api.patchOAuth2Client({
      id,
      jsonPatch: [{ op: 'replace', path: '/client_name', value: name + '-patched' }],
    });
    c.status(res, 200, 'patch');
    const info = client(res);
    c.hasFields(res, res.data, withName(name + '-patched'));
    c.check(res, res.data.client_id === id, 'patch: wrong client_id');
    c.noSecret(res, res.data, 'patch that does not touch /client_secret');
    return { unknown_fields: info.unknown_fields };
  }],
  ['get_after_patch', async () => {
    const res = await api.getOAuth2Client({ id });
    c.status(res, 200, 'get');
    client(res);
    c.hasFields(res, res.data, withName(name + '-patched'));
    c.noSecret(res, res.data, 'get');
    return {};
  }],
  ['lifespans', async () => {
    const res = await api.setOAuth2ClientLifespans({
      id,
      oAuth2ClientTokenLifespans: { [LIFESPAN]: '1h' },
    });
    c.status(res, 200, 'set lifespans');
    const info = client(res);
    c.check(res, c.goDuration(res.data[LIFESPAN]) === 3600,
      `${LIFESPAN}: expected 1h (Hydra answers "1h0m0s"), got ` +
      `${JSON.stringify(res.data[LIFESPAN])}`);
    c.hasFields(res, res.data, withName(name + '-patched'));
    c.noSecret(res, res.data, 'set lifespans');
    return { [LIFESPAN]: res.data[LIFESPAN], unknown_fields: info.unknown_fields };
  }],
  ['get_after_lifespans', async () => {
    const res = await api.getOAuth2Client({ id });
    c.status(res, 200, 'get');
    client(res);
    c.check(res, c.goDuration(res.data[LIFESPAN]) === 3600,
      `${LIFESPAN}: expected 1h after GET, got ${JSON.stringify(res.data[LIFESPAN])}`);
    c.hasFields(res, res.data, withName(name + '-patched'));
    c.noSecret(res, res.data, 'get');
    return {};
  }],
  ['secret_kept', async () => {
    if (!pub) return { skipped: 'no PUBLIC_URL given' };
    return c.secretAccepted(pub, id, secret);
  }],
  ['delete', async () => {
    const res = await api.deleteOAuth2Client({ id });
    c.status(res, 204, 'delete');
    created.delete(id);
    return {};
  }],
  ['delete_peer', async () => {
    const res = await api.deleteOAuth2Client({ id: peer });
    c.status(res, 204, 'delete');
    created.delete(peer);
    return {};
  }],
  ['get_deleted', async () => {
    let res;
    try {
      res = await api.getOAuth2Client({ id });
    } catch (err) {
      if (!err.isAxiosError || !err.response) throw err;
      const r = err.response;
      c.check(r, r.status === 404,
        `get after delete: expected 404, got ${r.status}`);
      c.isJson(r);
      c.typeCheck(r, r.data, ERROR, 'ErrorOAuth2');
      c.check(r, typeof r.data.error === 'string' && r.data.error,
        'the 404 body should carry a string "error"');
      return { status: r.status, body: r.data };
    }
    return c.fail(res, `get after delete succeeded with ${res.status}; expected 404`);
  }],
], async () => {
  for (const x of created) {
    try { await api.deleteOAuth2Client({ id: x }); } catch (e) { /* best effort */ }
  }
});
