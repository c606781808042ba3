#!/usr/bin/env node
'use strict';
// A relying party written with openid-client 5.x (the certified OpenID
// Connect client for Node.js) against the authorization server: discovery,
// the authorization code flow with PKCE, state and nonce, the ID token
// checks openid-client makes on callback (signature with the keys of
// jwks_uri, iss, aud, exp, iat, nonce, at_hash), userinfo, refresh and
// revocation.  The script also plays the browser (flowlib's Browser) and
// the login and consent app (plain fetch to the Hydra 2.x admin API).
//
//   node rp.js ADMIN_URL PUBLIC_URL [ISSUER]
//
// ISSUER is the issuer the server is configured with (default
// PUBLIC_URL/).  One JSON line per step on stdout ({"step":..., "ok":true,
// ...}); on the first failure a line with "ok":false, the request, the
// HTTP status and the body seen, a message on stderr, and exit status 1.

const { Issuer, TokenSet, generators, custom, errors } = require('openid-client');
const c = require('./common');
const f = require('./flowlib');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
const issuerUrl = process.argv[4] || `${pub}/`;
if (!/^https?:\/\//.test(admin) || !/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node rp.js ADMIN_URL PUBLIC_URL [ISSUER]\n');
  process.exit(2);
}

// Never hang the test.
custom.setHttpOptionsDefaults({ timeout: 15000 });

const REDIRECT = 'https://rp.example/callback';
const SCOPE = 'openid offline_access profile email';
const tag = `rp-${Date.now()}-${f.random(4)}`;
const subject = `user-${tag}`;
const claims = { email: `${tag}@example.com`, email_verified: true, name: 'RP Test' };

const s = { browser: new f.Browser() };

// An openid-client call; its errors (OPError: the server said no;
// RPError: a check on the response failed) reported with what was seen.
async function oc(what, promise) {
  try {
    return await promise;
  } catch (err) {
    const e = new c.StepError(`${what}: ${err.name}: ${err.message}`);
    const r = err.response;
    e.response = { request: what,
      status: r ? r.statusCode : undefined,
      headers: r ? r.headers : undefined,
      body: r && r.body !== undefined ? (Buffer.isBuffer(r.body) ? r.body.toString() : r.body)
        : (err.jwt ? f.decodeJwt(err.jwt).payload : err.params) };
    e.cause = err;
    throw e;
  }
}

// openid-client must refuse: returns the error it threw.
async function refused(what, promise, want) {
  let got;
  try {
    got = await promise;
  } catch (err) {
    if (want && !(err instanceof want)) {
      throw new c.StepError(`${what}: expected ${want.name}, got ${err.name}: ${err.message}`);
    }
    return err;
  }
  throw new c.StepError(`${what}: openid-client should have refused, got ` +
    JSON.stringify(got));
}

const adminUrl = (p) => `${admin}/admin${p}`;

async function adminCall(method, p, query, body) {
  const res = await f.json(method, `${adminUrl(p)}?${new URLSearchParams(query)}`, body);
  c.check(res, res.status === 200, `${method} /admin${p}: expected 200, got ${res.status}`);
  return res;
}

async function introspect(token) {
  const res = await f.form(adminUrl('/oauth2/introspect'), { token });
  c.status(res, 200, 'introspect');
  return res;
}

c.run('rp.js', [
  ['discover', async () => {
    s.issuer = await oc(`Issuer.discover(${issuerUrl})`, Issuer.discover(issuerUrl));
    const m = s.issuer.metadata;
    const res = { config: { method: 'get', url: `${issuerUrl}.well-known/openid-configuration` },
      status: 200, headers: {}, data: m };
    c.check(res, m.issuer === issuerUrl, `issuer ${m.issuer}, expected ${issuerUrl}`);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint',
      'jwks_uri', 'revocation_endpoint']) {
      c.check(res, typeof m[k] === 'string' && /^https?:\/\//.test(m[k]), `${k} missing`);
    }
    c.check(res, (m.code_challenge_methods_supported || []).includes('S256'),
      'code_challenge_methods_supported should list S256');
    return { issuer: m.issuer, introspection_endpoint: m.introspection_endpoint };
  }],
  ['register', async () => {
    // The operator registers the RP through the admin API.
    const res = await f.json('POST', adminUrl('/clients'), {
      client_name: tag, redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      scope: SCOPE, token_endpoint_auth_method: 'client_secret_basic',
    });
    if (res.data && res.data.client_id) s.created = res.data.client_id;
    c.status(res, 201, 'create client');
    s.client = new s.issuer.Client({
      client_id: res.data.client_id, client_secret: res.data.client_secret,
      redirect_uris: [REDIRECT], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    });
    return { client_id: res.data.client_id };
  }],
  ['authorize', async () => {
    s.verifier = generators.codeVerifier();
    s.nonce = generators.nonce();
    s.state = generators.state();
    const url = s.client.authorizationUrl({ scope: SCOPE, state: s.state, nonce: s.nonce,
      code_challenge: generators.codeChallenge(s.verifier), code_challenge_method: 'S256' });
    const r = await s.browser.redirect(url);
    s.login = f.wantParam(r.res, r.location, pub, 'login_challenge');
    return { authorization_url: url.split('?')[0] };
  }],
  ['login', async () => {
    const got = await adminCall('GET', '/oauth2/auth/requests/login',
      { login_challenge: s.login });
    c.check(got, got.data.client.client_id === s.client.client_id, 'client is not ours');
    const acc = await adminCall('PUT', '/oauth2/auth/requests/login/accept',
      { login_challenge: s.login }, { subject, remember: true, remember_for: 3600 });
    const r = await s.browser.redirect(acc.data.redirect_to);
    s.consent = f.wantParam(r.res, r.location, pub, 'consent_challenge');
  }],
  ['consent', async () => {
    const got = await adminCall('GET', '/oauth2/auth/requests/consent',
      { consent_challenge: s.consent });
    const acc = await adminCall('PUT', '/oauth2/auth/requests/consent/accept',
      { consent_challenge: s.consent }, { grant_scope: got.data.requested_scope,
        session: { id_token: claims, access_token: { rp: true } } });
    const r = await s.browser.redirect(acc.data.redirect_to);
    c.check(r.res, r.location.startsWith(`${REDIRECT}?`),
      `expected the redirect back to ${REDIRECT}, got ${r.location}`);
    s.callback = r.location;
  }],
  ['callback', async () => {
    const params = s.client.callbackParams(s.callback);
    s.tokens = await oc('client.callback', s.client.callback(REDIRECT, params, {
      code_verifier: s.verifier, nonce: s.nonce, state: s.state, response_type: 'code' }));
    const t = s.tokens;
    const res = { config: { method: 'post', url: s.issuer.metadata.token_endpoint },
      status: 200, headers: {}, data: t };
    for (const k of ['access_token', 'refresh_token', 'id_token']) {
      c.check(res, typeof t[k] === 'string', `${k} missing from the token response`);
    }
    c.check(res, String(t.token_type).toLowerCase() === 'bearer', `token_type ${t.token_type}`);
    c.check(res, !t.expired() && t.expires_in > 0, `expires_in ${t.expires_in}`);
    const idt = t.claims();
    // openid-client checked at_hash because it is there; it must be.
    c.check(res, typeof idt.at_hash === 'string', 'ID token without at_hash');
    c.check(res, idt.sub === subject && idt.nonce === s.nonce &&
      idt.email === claims.email, `claims ${JSON.stringify(idt)}`);
    return { scope: t.scope, id_token_claims: Object.keys(idt).sort() };
  }],
  ['id_token_checks', async () => {
    // The checks really ran against the server's keys: the same ID token
    // with one claim changed, or with another nonce, is refused.
    const [h, p, sig] = s.tokens.id_token.split('.');
    const body = JSON.parse(Buffer.from(p, 'base64url'));
    body.sub = 'mallory';
    const forged = `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${sig}`;
    const e1 = await refused('a forged ID token', s.client.validateIdToken(
      new TokenSet({ id_token: forged, access_token: s.tokens.access_token }),
      s.nonce, 'token'), errors.RPError);
    c.check(null, /signature/.test(e1.message), `forged: ${e1.message}`);
    const e2 = await refused('another nonce', s.client.validateIdToken(
      new TokenSet({ id_token: s.tokens.id_token, access_token: s.tokens.access_token }),
      'not-the-nonce', 'token'), errors.RPError);
    c.check(null, /nonce/.test(e2.message), `nonce: ${e2.message}`);
    const e3 = await refused('another access token', s.client.validateIdToken(
      new TokenSet({ id_token: s.tokens.id_token, access_token: 'x' + s.tokens.access_token }),
      s.nonce, 'token'), errors.RPError);
    c.check(null, /at_hash/.test(e3.message), `at_hash: ${e3.message}`);
    return { refused: [e1, e2, e3].map((e) => e.message.split('\n')[0]) };
  }],
  ['userinfo', async () => {
    const u = await oc('client.userinfo', s.client.userinfo(s.tokens));
    c.check(null, u.sub === subject && u.email === claims.email,
      `userinfo ${JSON.stringify(u)}`);
    return { claims: Object.keys(u).sort() };
  }],
  ['introspect', async () => {
    // Discovery names an introspection endpoint: openid-client uses it
    // with the client's credentials.
    if (!s.issuer.metadata.introspection_endpoint) return { skipped: 'not in discovery' };
    const i = await oc('client.introspect', s.client.introspect(s.tokens.access_token,
      'access_token'));
    c.check(null, i.active === true && i.sub === subject &&
      i.client_id === s.client.client_id, `introspection ${JSON.stringify(i)}`);
    return { token_use: i.token_use };
  }],
  ['refresh', async () => {
    const old = s.tokens;
    s.tokens = await oc('client.refresh', s.client.refresh(old));
    const t = s.tokens;
    const res = { config: { method: 'post', url: s.issuer.metadata.token_endpoint },
      status: 200, headers: {}, data: t };
    c.check(res, t.access_token && t.access_token !== old.access_token, 'no new access token');
    c.check(res, t.refresh_token && t.refresh_token !== old.refresh_token,
      'the refresh token should rotate');
    c.check(res, t.id_token, 'refresh should give a new ID token (scope openid)');
    c.check(res, t.claims().sub === subject, `sub ${t.claims().sub}`);
    const u = await oc('client.userinfo (refreshed)', s.client.userinfo(t));
    c.check(null, u.sub === subject, `userinfo ${JSON.stringify(u)}`);
    const i = await introspect(old.access_token);
    c.check(i, i.data.active === false, 'the access token refreshed away should be inactive');
    s.old = old;
  }],
  ['revoke', async () => {
    await oc('client.revoke', s.client.revoke(s.tokens.refresh_token, 'refresh_token'));
    for (const [name, tok] of [['refresh', s.tokens.refresh_token],
      ['access', s.tokens.access_token]]) {
      const i = await introspect(tok);
      c.check(i, i.data.active === false, `the ${name} token should be inactive ` +
        'once the refresh token is revoked');
    }
    const e = await refused('refresh with the revoked token',
      s.client.refresh(s.tokens.refresh_token), errors.OPError);
    c.check(null, e.error === 'invalid_grant', `refresh after revoke: ${e.error}`);
    const u = await refused('userinfo with the revoked access token',
      s.client.userinfo(s.tokens.access_token), errors.OPError);
    c.check(null, u.error === 'invalid_token' || (u.response && u.response.statusCode === 401),
      `userinfo after revoke: ${u.error}`);
    // Revoking an already revoked or unknown token is not an error.
    await oc('client.revoke (again)', s.client.revoke(s.tokens.access_token, 'access_token'));
    return { refresh_error: e.error, userinfo_error: u.error };
  }],
  ['cleanup', async () => {
    const res = await f.json('DELETE', adminUrl(`/clients/${encodeURIComponent(s.created)}`));
    c.status(res, 204, 'delete client');
    s.created = undefined;
  }],
], async () => {
  if (s.created) await f.json('DELETE', adminUrl(`/clients/${encodeURIComponent(s.created)}`));
});
