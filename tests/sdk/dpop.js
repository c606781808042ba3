#!/usr/bin/env node
'use strict';
// DPoP (RFC 9449) as openid-client 5.x does it: a public client through
// the code flow with PKCE whose callback, userinfo and refresh calls each
// carry a DPoP proof made with one EC key ({ DPoP: privateKey }), and a
// confidential client's client_credentials grant (client.grant) proven
// with another key.  The tokens must come back as token_type DPoP and be
// bound (introspection's cnf.jkt) to the thumbprint of the key used.
//
//   node dpop.js ADMIN_URL PUBLIC_URL
//
// One JSON line per step on stdout, as tests/sdk/common.js runs them.

const crypto = require('crypto');
const { Issuer, custom, generators } = require('openid-client');
const c = require('./common');
const f = require('./flowlib');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(admin) || !/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node dpop.js ADMIN_URL PUBLIC_URL\n');
  process.exit(2);
}
custom.setHttpOptionsDefaults({ timeout: 15000 });

const REDIRECT = 'https://rp.example/dpop';
const SCOPE = 'openid offline_access';
const tag = `dpop-${Date.now()}-${f.random(4)}`;
const subject = `user-${tag}`;
const s = { browser: new f.Browser(), created: [] };
const adminUrl = (p) => `${admin}/admin${p}`;

// RFC 7638 thumbprint of an EC key.
function jkt(key) {
  const j = crypto.createPublicKey(key).export({ format: 'jwk' });
  const canon = JSON.stringify({ crv: j.crv, kty: j.kty, x: j.x, y: j.y });
  return crypto.createHash('sha256').update(canon).digest('base64url');
}

async function oc(what, promise) {
  try {
    return await promise;
  } catch (err) {
    const e = new c.StepError(`${what}: ${err.name}: ${err.message}`);
    const r = err.response;
    e.response = { request: what, status: r ? r.statusCode : undefined,
      headers: r ? r.headers : undefined, body: r ? String(r.body) : undefined };
    throw e;
  }
}

async function boundTo(token, key, what) {
  const res = await f.form(adminUrl('/oauth2/introspect'), { token });
  c.status(res, 200, 'introspect');
  c.check(res, res.data.active === true, `${what}: inactive`);
  c.check(res, res.data.cnf && res.data.cnf.jkt === jkt(key),
    `${what}: cnf ${JSON.stringify(res.data.cnf)}, expected ${jkt(key)}`);
}

async function adminPut(p, query, body) {
  const res = await f.json('PUT', `${adminUrl(p)}?${new URLSearchParams(query)}`, body);
  c.status(res, 200, `PUT ${p}`);
  return res.data;
}

async function newClient(body) {
  const res = await f.json('POST', adminUrl('/clients'), body);
  if (res.data && res.data.client_id) s.created.push(res.data.client_id);
  c.status(res, 201, 'create client');
  return res.data;
}

c.run('dpop.js', [
  ['discover', async () => {
    s.issuer = await oc('Issuer.discover', Issuer.discover(`${pub}/`));
    const algs = s.issuer.metadata.dpop_signing_alg_values_supported || [];
    c.check(null, algs.includes('ES256'), `dpop algs ${JSON.stringify(algs)}`);
    s.key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    return { algs };
  }],
  ['register', async () => {
    const d = await newClient({ client_name: tag, redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      scope: SCOPE, token_endpoint_auth_method: 'none' });
    s.client = new s.issuer.Client({ client_id: d.client_id, redirect_uris: [REDIRECT],
      response_types: ['code'], token_endpoint_auth_method: 'none' });
  }],
  ['authorize', async () => {
    s.verifier = generators.codeVerifier();
    s.state = generators.state();
    s.nonce = generators.nonce();
    const url = s.client.authorizationUrl({ scope: SCOPE, state: s.state, nonce: s.nonce,
      code_challenge: generators.codeChallenge(s.verifier), code_challenge_method: 'S256' });
    let r = await s.browser.redirect(url);
    const login = f.wantParam(r.res, r.location, pub, 'login_challenge');
    const a = await adminPut('/oauth2/auth/requests/login/accept',
      { login_challenge: login }, { subject });
    r = await s.browser.redirect(a.redirect_to);
    const consent = f.wantParam(r.res, r.location, pub, 'consent_challenge');
    const b = await adminPut('/oauth2/auth/requests/consent/accept',
      { consent_challenge: consent }, { grant_scope: SCOPE.split(' ') });
    r = await s.browser.redirect(b.redirect_to);
    c.check(r.res, r.location.startsWith(`${REDIRECT}?`), `redirect ${r.location}`);
    s.callback = r.location;
  }],
  ['callback', async () => {
    const params = s.client.callbackParams(s.callback);
    s.tokens = await oc('client.callback', s.client.callback(REDIRECT, params,
      { code_verifier: s.verifier, state: s.state, nonce: s.nonce },
      { DPoP: s.key }));
    c.check(null, s.tokens.token_type === 'DPoP', `token_type ${s.tokens.token_type}`);
    await boundTo(s.tokens.access_token, s.key, 'access token');
    await boundTo(s.tokens.refresh_token, s.key, 'refresh token (public client)');
    return { token_type: s.tokens.token_type };
  }],
  ['userinfo', async () => {
    const u = await oc('client.userinfo', s.client.userinfo(s.tokens, { DPoP: s.key }));
    c.check(null, u.sub === subject, `userinfo ${JSON.stringify(u)}`);
  }],
  ['refresh', async () => {
    const old = s.tokens;
    s.tokens = await oc('client.refresh', s.client.refresh(old, { DPoP: s.key }));
    c.check(null, s.tokens.token_type === 'DPoP' &&
      s.tokens.access_token !== old.access_token, 'refresh gave no new DPoP token');
    await boundTo(s.tokens.access_token, s.key, 'refreshed access token');
  }],
  ['userinfo_refreshed', async () => {
    const u = await oc('client.userinfo (refreshed)',
      s.client.userinfo(s.tokens, { DPoP: s.key }));
    c.check(null, u.sub === subject, `userinfo ${JSON.stringify(u)}`);
  }],
  ['client_credentials', async () => {
    const d = await newClient({ client_name: `${tag}-cc`, grant_types: ['client_credentials'],
      response_types: [], redirect_uris: [], scope: 'read',
      token_endpoint_auth_method: 'client_secret_basic' });
    const cl = new s.issuer.Client({ client_id: d.client_id, client_secret: d.client_secret,
      token_endpoint_auth_method: 'client_secret_basic' });
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const t = await oc('client.grant', cl.grant({ grant_type: 'client_credentials',
      scope: 'read' }, { DPoP: key }));
    c.check(null, t.token_type === 'DPoP', `token_type ${t.token_type}`);
    await boundTo(t.access_token, key, 'client_credentials token');
  }],
  ['cleanup', async () => {
    for (const id of s.created.splice(0)) {
      const res = await f.json('DELETE', adminUrl(`/clients/${encodeURIComponent(id)}`));
      c.status(res, 204, 'delete client');
    }
  }],
], async () => {
  for (const id of s.created) {
    await f.json('DELETE', adminUrl(`/clients/${encodeURIComponent(id)}`));
  }
});
