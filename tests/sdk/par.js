#!/usr/bin/env node
'use strict';
// Pushed authorization requests (RFC 9126) and request objects (OpenID
// Connect Core §6, RFC 9101) as openid-client 5.x sends them:
// client.pushedAuthorizationRequest() then the code flow with the
// request_uri, client.requestObject() signed with the client's key (in
// the query, and pushed), and the errors: a used request_uri, another
// client's, a client that must push and did not, a request object with a
// bad signature.  The script is also the browser (flowlib's Browser) and
// the login and consent app (plain fetch to the Hydra 2.x admin API).
//
//   node par.js ADMIN_URL PUBLIC_URL [ISSUER]
//
// One JSON line per step on stdout ({"step":..., "ok":true, ...}).

const crypto = require('crypto');
const { Issuer, generators, custom, errors } = require('openid-client');
const c = require('./common');
const f = require('./flowlib');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
const issuerUrl = process.argv[4] || `${pub}/`;
if (!/^https?:\/\//.test(admin) || !/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node par.js ADMIN_URL PUBLIC_URL [ISSUER]\n');
  process.exit(2);
}

custom.setHttpOptionsDefaults({ timeout: 15000 });

const REDIRECT = 'https://par.example/callback';
const SCOPE = 'openid offline_access';
const tag = `par-${Date.now()}-${f.random(4)}`;
const subject = `user-${tag}`;
const s = { browser: new f.Browser(), created: [] };

function keyPair(kid) {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const priv = Object.assign(privateKey.export({ format: 'jwk' }),
    { kid, alg: 'ES256', use: 'sig' });
  const { d, ...pubJwk } = priv;   // eslint-disable-line no-unused-vars
  return { priv, pub: pubJwk };
}

async function oc(what, promise) {
  try {
    return await promise;
  } catch (err) {
    const e = new c.StepError(`${what}: ${err.name}: ${err.message}`);
    const r = err.response;
    e.response = { request: what, status: r ? r.statusCode : undefined,
      body: r && r.body !== undefined ? String(r.body) : err.params };
    throw e;
  }
}

// openid-client must fail with an OPError of this error code.
async function opError(what, promise, code, status) {
  try {
    const got = await promise;
    throw new c.StepError(`${what}: should have failed, got ${JSON.stringify(got)}`);
  } catch (err) {
    if (err instanceof c.StepError) throw err;
    if (!(err instanceof errors.OPError) || err.error !== code ||
        (status && err.response && err.response.statusCode !== status)) {
      throw new c.StepError(`${what}: expected ${code} (${status}), got ` +
        `${err.name}: ${err.error || ''} ${err.message}`);
    }
    return { error: err.error, error_description: err.error_description };
  }
}

const adminUrl = (p) => `${admin}/admin${p}`;

async function adminCall(method, p, query, body) {
  const res = await f.json(method, `${adminUrl(p)}?${new URLSearchParams(query)}`, body);
  c.check(res, res.status === 200, `${method} /admin${p}: expected 200, got ${res.status}`);
  return res;
}

// A client registered through the admin API, as openid-client knows it.
async function newClient(extra, keys) {
  const body = Object.assign({
    client_name: tag, redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    scope: SCOPE, token_endpoint_auth_method: 'client_secret_basic',
  }, extra);
  const res = await f.json('POST', adminUrl('/clients'), body);
  c.status(res, 201, 'create client');
  s.created.push(res.data.client_id);
  const meta = { client_id: res.data.client_id, client_secret: res.data.client_secret,
    redirect_uris: [REDIRECT], response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic' };
  if (extra.request_object_signing_alg) {
    meta.request_object_signing_alg = extra.request_object_signing_alg;
  }
  return new s.issuer.Client(meta, keys ? { keys } : undefined);
}

// The browser from the authorization URL to the login challenge.
async function toLogin(url) {
  const r = await s.browser.redirect(url);
  return f.wantParam(r.res, r.location, pub, 'login_challenge');
}

// The browser from url to the client with an error.
async function toClientError(url, code) {
  const r = await s.browser.redirect(url);
  const p = f.params(r.location);
  c.check(r.res, r.location.startsWith(REDIRECT) && p.error === code,
    `expected ${code} at ${REDIRECT}, got ${r.location}`);
  return { error: p.error, error_description: p.error_description };
}

// Login and consent through the admin API, back to the client's callback.
async function loginConsent(challenge) {
  const acc = await adminCall('PUT', '/oauth2/auth/requests/login/accept',
    { login_challenge: challenge }, { subject });
  let r = await s.browser.redirect(acc.data.redirect_to);
  const consent = f.wantParam(r.res, r.location, pub, 'consent_challenge');
  const got = await adminCall('GET', '/oauth2/auth/requests/consent',
    { consent_challenge: consent });
  const acc2 = await adminCall('PUT', '/oauth2/auth/requests/consent/accept',
    { consent_challenge: consent }, { grant_scope: got.data.requested_scope });
  r = await s.browser.redirect(acc2.data.redirect_to);
  c.check(r.res, r.location.startsWith(`${REDIRECT}?`),
    `expected the redirect back to ${REDIRECT}, got ${r.location}`);
  return r.location;
}

c.run('par.js', [
  ['discover', async () => {
    s.issuer = await oc('Issuer.discover', Issuer.discover(issuerUrl));
    const m = s.issuer.metadata;
    const res = { config: { method: 'get', url: issuerUrl }, status: 200, headers: {}, data: m };
    c.check(res, m.pushed_authorization_request_endpoint === `${pub}/oauth2/par`,
      `pushed_authorization_request_endpoint ${m.pushed_authorization_request_endpoint}`);
    c.check(res, m.request_parameter_supported === true, 'request_parameter_supported');
    c.check(res, m.request_uri_parameter_supported === true, 'request_uri_parameter_supported');
    c.check(res, m.require_pushed_authorization_requests === false,
      'require_pushed_authorization_requests');
    c.check(res, (m.request_object_signing_alg_values_supported || []).includes('ES256'),
      'request_object_signing_alg_values_supported');
  }],
  ['register', async () => {
    s.keys = keyPair('par-1');
    s.client = await newClient({ jwks: { keys: [s.keys.pub] },
      request_object_signing_alg: 'ES256' }, [s.keys.priv]);
    s.other = await newClient({});
    return { client_id: s.client.client_id };
  }],
  ['push', async () => {
    s.verifier = generators.codeVerifier();
    s.nonce = generators.nonce();
    s.state = generators.state();
    s.par = await oc('client.pushedAuthorizationRequest', s.client.pushedAuthorizationRequest({
      scope: SCOPE, state: s.state, nonce: s.nonce,
      code_challenge: generators.codeChallenge(s.verifier), code_challenge_method: 'S256' }));
    c.check(null, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{20,}$/.test(s.par.request_uri),
      `request_uri ${s.par.request_uri}`);
    c.check(null, s.par.expires_in > 0 && s.par.expires_in <= 600,
      `expires_in ${s.par.expires_in}`);
    return { expires_in: s.par.expires_in };
  }],
  ['par_flow', async () => {
    s.url = s.client.authorizationUrl({ request_uri: s.par.request_uri });
    const ch = await toLogin(s.url);
    const got = await adminCall('GET', '/oauth2/auth/requests/login', { login_challenge: ch });
    c.check(got, got.data.requested_scope.join(' ') === SCOPE,
      `requested_scope ${got.data.requested_scope}`);
    const cb = await loginConsent(ch);
    const params = s.client.callbackParams(cb);
    const t = await oc('client.callback', s.client.callback(REDIRECT, params, {
      code_verifier: s.verifier, nonce: s.nonce, state: s.state, response_type: 'code' }));
    c.check(null, typeof t.access_token === 'string' && t.claims().sub === subject,
      `tokens ${JSON.stringify(t)}`);
    return { scope: t.scope };
  }],
  ['reused_request_uri', async () => toClientError(s.url, 'invalid_request_uri')],
  ['other_clients_request_uri', async () => {
    const par = await oc('push', s.client.pushedAuthorizationRequest({
      scope: SCOPE, state: generators.state(),
      code_challenge: generators.codeChallenge(generators.codeVerifier()),
      code_challenge_method: 'S256' }));
    const e = await toClientError(s.other.authorizationUrl({ request_uri: par.request_uri }),
      'invalid_request_uri');
    // Still the pushing client's to use.
    await toLogin(s.client.authorizationUrl({ request_uri: par.request_uri }));
    return e;
  }],
  ['request_object', async () => {
    const state = generators.state();
    const jwt = await oc('client.requestObject', s.client.requestObject({
      scope: SCOPE, state, nonce: generators.nonce(), response_type: 'code',
      redirect_uri: REDIRECT, prompt: 'consent',
      code_challenge: generators.codeChallenge(generators.codeVerifier()),
      code_challenge_method: 'S256' }));
    // The query's scope is overridden by the object's.
    const url = s.client.authorizationUrl({ request: jwt, scope: 'openid' });
    const ch = await toLogin(url);
    const got = await adminCall('GET', '/oauth2/auth/requests/login', { login_challenge: ch });
    c.check(got, got.data.requested_scope.join(' ') === SCOPE,
      `requested_scope ${got.data.requested_scope}`);
    return { alg: JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url')).alg };
  }],
  ['par_with_request_object', async () => {
    const verifier = generators.codeVerifier();
    const state = generators.state();
    const nonce = generators.nonce();
    const jwt = await oc('client.requestObject', s.client.requestObject({
      scope: SCOPE, state, nonce, response_type: 'code', redirect_uri: REDIRECT,
      code_challenge: generators.codeChallenge(verifier), code_challenge_method: 'S256' }));
    const par = await oc('push', s.client.pushedAuthorizationRequest({ request: jwt }));
    const ch = await toLogin(s.client.authorizationUrl({ request_uri: par.request_uri }));
    const cb = await loginConsent(ch);
    const t = await oc('client.callback', s.client.callback(REDIRECT,
      s.client.callbackParams(cb), { code_verifier: verifier, nonce, state,
        response_type: 'code' }));
    c.check(null, t.claims().nonce === nonce, 'nonce of the request object');
  }],
  ['bad_signature', async () => {
    const mallory = keyPair('par-1');
    const rogue = new s.issuer.Client({ client_id: s.client.client_id,
      client_secret: 'x', redirect_uris: [REDIRECT], response_types: ['code'],
      request_object_signing_alg: 'ES256' }, { keys: [mallory.priv] });
    const jwt = await rogue.requestObject({ scope: SCOPE, state: generators.state(),
      response_type: 'code', redirect_uri: REDIRECT });
    const e = await toClientError(s.client.authorizationUrl({ request: jwt,
      state: generators.state() }), 'invalid_request_object');
    const p = await opError('push with a bad request object',
      s.client.pushedAuthorizationRequest({ request: jwt }), 'invalid_request_object', 400);
    return { auth: e, par: p };
  }],
  ['par_errors', async () => {
    const bad = new s.issuer.Client({ client_id: s.client.client_id,
      client_secret: 'wrong', redirect_uris: [REDIRECT], response_types: ['code'] });
    const a = await opError('a wrong secret', bad.pushedAuthorizationRequest({ scope: SCOPE }),
      'invalid_client', 401);
    const b = await opError('a scope not allowed', s.client.pushedAuthorizationRequest({
      scope: 'openid admin', state: generators.state() }), 'invalid_scope', 400);
    const d = await opError('no PKCE for a code of a public client... of ours: no state',
      s.client.pushedAuthorizationRequest({ scope: SCOPE, state: 'short' }),
      'invalid_state', 400);
    return { wrong_secret: a, scope: b, state: d };
  }],
  ['par_required', async () => {
    const must = await newClient({ require_pushed_authorization_requests: true });
    const e = await toClientError(must.authorizationUrl({ scope: SCOPE,
      state: generators.state(), code_challenge: generators.codeChallenge(
        generators.codeVerifier()), code_challenge_method: 'S256' }), 'invalid_request');
    const par = await oc('push', must.pushedAuthorizationRequest({ scope: SCOPE,
      state: generators.state() }));
    await toLogin(must.authorizationUrl({ request_uri: par.request_uri }));
    return e;
  }],
], async () => {
  for (const id of s.created) {
    await f.json('DELETE', adminUrl(`/clients/${encodeURIComponent(id)}`));
  }
});
