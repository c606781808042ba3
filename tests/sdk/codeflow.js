'use strict';
// The authorization code flow with PKCE, driven end to end for flow1.js
// and flow2.js.  The script is all three parties: the browser (flowlib's
// Browser: no redirects followed, its own cookies), the client (plain
// fetch to /oauth2/token, ID token checked with the JWK Set), and the
// login and consent app, which is the only part that differs between the
// two scripts: `app` does each admin call through one SDK generation.
//
// app = {
//   name, sdkDir, types: {client, login, consent, redirect, session,
//     introspection, userinfo},
//   authMethod,                        client_secret_post or _basic
//   createClient(body), deleteClient(id),
//   getLogin(ch), acceptLogin(ch, body), rejectLogin(ch, body),
//   getConsent(ch), acceptConsent(ch, body), rejectConsent(ch, body),
//   listConsent(subject), revokeConsent(subject, clientId),
//   revokeLogin(subject, sid), introspect(token), userinfo(accessToken),
//   listConsentBySid(subject, sid)     optional
// }
// Every app function returns the SDK's axios response.

const c = require('./common');
const f = require('./flowlib');

const REDIRECT = 'https://app.example/cb';
// Steps that only check: the run goes on after one of them fails.
const INDEPENDENT = new Set(['login_request', 'id_token', 'introspect',
  'userinfo', 'consent_sessions', 'consent_sessions_by_sid',
  'introspect_revoked', 'consent_sessions_gone', 'consent_required',
  'reject_login', 'reject_consent', 'types']);
const SCOPE = ['openid', 'offline_access', 'profile', 'email'];

function steps(app, pub) {
  const issuer = `${pub}/`;
  const T = {};
  for (const [k, iface] of Object.entries(app.types)) {
    T[k] = c.declaredFields(app.sdkDir, iface);
  }
  // Responses are checked against the SDK's declared types in the last
  // step, `types`, so that a type mismatch does not hide what the flow
  // steps after it would show.  Returns the fields the SDK does not know.
  const toType = [];
  const typed = (res, obj, kind) => {
    toType.push({ res, obj, kind });
    if (obj === null || typeof obj !== 'object') return undefined;
    const unknown = Object.keys(obj).filter((k) => !(k in T[kind])).sort();
    return unknown.length ? unknown : undefined;
  };
  const tag = `${app.name}-${Date.now()}-${f.random(4)}`;
  const subject = `user-${tag}`;
  const claims = { email: `${tag}@example.com`, email_verified: true,
    name: 'Flow Test' };
  const ext = { team: 'sdk', tag };
  const s = { browser: new f.Browser() };   // the state the steps share

  // The client's side of the token endpoint.
  const clientAuth = (fields) => {
    if (app.authMethod === 'client_secret_basic') {
      return [fields, { Authorization: f.basic(s.client.client_id, s.client.client_secret) }];
    }
    return [Object.assign({ client_id: s.client.client_id,
      client_secret: s.client.client_secret }, fields), {}];
  };
  const token = async (fields) => {
    const [body, headers] = clientAuth(fields);
    return f.form(`${pub}/oauth2/token`, body, headers);
  };

  // A fresh authorization request; returns what the client remembers.
  const authorize = async (browser, extra = {}) => {
    const p = f.pkce();
    const req = { state: f.random(12), nonce: f.random(12), verifier: p.verifier };
    const q = new URLSearchParams(Object.assign({
      client_id: s.client.client_id, response_type: 'code', redirect_uri: REDIRECT,
      scope: SCOPE.join(' '), state: req.state, nonce: req.nonce,
      code_challenge: p.challenge, code_challenge_method: 'S256',
    }, extra));
    req.url = `${pub}/oauth2/auth?${q}`;
    req.first = await browser.redirect(req.url);
    return req;
  };

  const loginChallenge = (r) => f.wantParam(r.res, r.location, pub, 'login_challenge');
  const consentChallenge = (r) => f.wantParam(r.res, r.location, pub, 'consent_challenge');

  const redirectTo = (res, what) => {
    c.status(res, 200, what);
    c.isJson(res);
    typed(res, res.data, 'redirect');
    c.check(res, /^https?:\/\//.test(res.data.redirect_to),
      `${what}: redirect_to should be an absolute URL, got ${res.data.redirect_to}`);
    return res.data.redirect_to;
  };

  const exchangeCode = async (code, verifier) => {
    const res = await token({ grant_type: 'authorization_code', code,
      redirect_uri: REDIRECT, code_verifier: verifier });
    c.check(res, res.status === 200, `token endpoint: expected 200, got ${res.status}`);
    c.isJson(res);
    const t = res.data;
    c.check(res, /no-store/i.test(res.headers['cache-control'] || ''),
      'token response needs Cache-Control: no-store (RFC 6749 §5.1)');
    c.check(res, String(t.token_type).toLowerCase() === 'bearer',
      `token_type should be Bearer, got ${t.token_type}`);
    for (const k of ['access_token', 'refresh_token', 'id_token']) {
      c.check(res, typeof t[k] === 'string' && t[k].length > 0, `${k} missing`);
    }
    c.check(res, Number.isInteger(t.expires_in) && t.expires_in > 0,
      `expires_in should be a positive integer, got ${t.expires_in}`);
    c.check(res, c.sameJson(String(t.scope).split(' ').sort(), [...SCOPE].sort()),
      `scope should be the granted "${SCOPE.join(' ')}", got "${t.scope}"`);
    return { res, t };
  };

  const introspect = async (tok, what) => {
    const res = await app.introspect(tok);
    c.status(res, 200, `introspect ${what}`);
    c.isJson(res);
    typed(res, res.data, 'introspection');
    return res;
  };

  // Follow a redirect_to as the browser (it must redirect again).
  const follow = (url) => s.browser.redirect(url);

  const list = [
    ['client', async () => {
      const res = await app.createClient({
        client_name: tag, redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'], scope: SCOPE.join(' '),
        token_endpoint_auth_method: app.authMethod,
      });
      if (res.data && res.data.client_id) s.created = res.data.client_id;
      c.status(res, 201, 'create client');
      s.client = res.data;
      c.check(res, s.client.client_secret, 'create must return client_secret');
      return { client_id: s.client.client_id, auth: app.authMethod };
    }],
    ['authorize', async () => {
      s.req = await authorize(s.browser);
      s.login = loginChallenge(s.req.first);
      return { cookies: s.browser.names() };
    }],
    ['login_request', async () => {
      const res = await app.getLogin(s.login);
      c.status(res, 200, 'get login request');
      c.isJson(res);
      const r = res.data;
      const unknown = typed(res, r, 'login');
      typed(res, r.client, 'client');
      c.check(res, r.challenge === s.login, 'challenge should be the one asked for');
      c.check(res, r.skip === false, `skip should be false on a first login, got ${r.skip}`);
      c.check(res, r.subject === '', `subject should be "" before login, got ${JSON.stringify(r.subject)}`);
      c.check(res, r.client.client_id === s.client.client_id, 'client is not ours');
      c.check(res, c.sameJson(r.requested_scope, SCOPE),
        `requested_scope ${JSON.stringify(r.requested_scope)}, expected ${JSON.stringify(SCOPE)}`);
      c.check(res, typeof r.request_url === 'string' && r.request_url.includes('/oauth2/auth?') &&
        r.request_url.includes(`state=${s.req.state}`),
        `request_url should be the authorization request, got ${r.request_url}`);
      c.check(res, r.client.client_secret === undefined || r.client.client_secret === '',
        'the login request must not show the client secret');
      return { session_id: r.session_id, unknown_fields: unknown };
    }],
    ['login_accept', async () => {
      const res = await app.acceptLogin(s.login, { subject, remember: true,
        remember_for: 3600, acr: 'urn:oidcgi:test:pwd', amr: ['pwd'],
        context: { via: app.name } });
      s.next = redirectTo(res, 'accept login');
      c.check(res, s.next.startsWith(`${pub}/oauth2/auth?`),
        `redirect_to should lead back to ${pub}/oauth2/auth, got ${s.next}`);
    }],
    ['login_verifier', async () => {
      const r = await follow(s.next);
      s.consent = consentChallenge(r);
      return { cookies: s.browser.names() };
    }],
    ['consent_request', async () => {
      const res = await app.getConsent(s.consent);
      c.status(res, 200, 'get consent request');
      c.isJson(res);
      const r = res.data;
      const unknown = typed(res, r, 'consent');
      typed(res, r.client, 'client');
      c.check(res, r.challenge === s.consent, 'challenge should be the one asked for');
      c.check(res, r.skip === false, `skip should be false, got ${r.skip}`);
      c.check(res, r.subject === subject, `subject ${r.subject}, expected ${subject}`);
      c.check(res, r.client.client_id === s.client.client_id, 'client is not ours');
      c.check(res, c.sameJson(r.requested_scope, SCOPE),
        `requested_scope ${JSON.stringify(r.requested_scope)}`);
      // Hydra 1.x gave the login challenge itself here; Hydra 2.x, whose
      // challenges are sealed flows as ours are, gives the flow's id.
      c.check(res, typeof r.login_challenge === 'string' && r.login_challenge.length > 0,
        `login_challenge should name the login request, got ${JSON.stringify(r.login_challenge)}`);
      c.check(res, c.sameJson(r.context, { via: app.name }),
        `context should be what accept login set, got ${JSON.stringify(r.context)}`);
      c.check(res, r.acr === 'urn:oidcgi:test:pwd', `acr ${r.acr}`);
      c.check(res, c.sameJson(r.amr, ['pwd']), `amr ${JSON.stringify(r.amr)}`);
      c.check(res, typeof r.login_session_id === 'string' && r.login_session_id.length > 0,
        'login_session_id should be set (remember was true)');
      s.sid = r.login_session_id;
      return { login_challenge_is_challenge: r.login_challenge === s.login,
        unknown_fields: unknown };
    }],
    ['consent_accept', async () => {
      const res = await app.acceptConsent(s.consent, { grant_scope: SCOPE,
        grant_access_token_audience: [], remember: true, remember_for: 3600,
        session: { id_token: claims, access_token: ext } });
      s.next = redirectTo(res, 'accept consent');
      c.check(res, s.next.startsWith(`${pub}/oauth2/auth?`),
        `redirect_to should lead back to ${pub}/oauth2/auth, got ${s.next}`);
    }],
    ['consent_verifier', async () => {
      const r = await follow(s.next);
      const p = f.atClient(r.res, r.location, REDIRECT, s.req.state);
      c.check(r.res, !p.error, `the client got error ${p.error}: ${p.error_description}`);
      c.check(r.res, p.code, `no code in ${r.location}`);
      s.code = p.code;
    }],
    ['token', async () => {
      const { res, t } = await exchangeCode(s.code, s.req.verifier);
      s.tokens = t;
      s.tokenRes = res;
      return { expires_in: t.expires_in, scope: t.scope };
    }],
    ['id_token', async () => {
      const { claims: idt } = await f.checkIdToken(s.tokenRes, s.tokens.id_token, {
        jwksUri: `${pub}/.well-known/jwks.json`, issuer, clientId: s.client.client_id,
        nonce: s.req.nonce, accessToken: s.tokens.access_token });
      const res = s.tokenRes;
      c.check(res, idt.sub === subject, `sub ${idt.sub}, expected ${subject}`);
      for (const [k, v] of Object.entries(claims)) {
        c.check(res, c.sameJson(idt[k], v), `claim ${k} from the consent session: ` +
          `expected ${JSON.stringify(v)}, got ${JSON.stringify(idt[k])}`);
      }
      c.check(res, idt.acr === 'urn:oidcgi:test:pwd', `acr ${idt.acr}`);
      c.check(res, Number.isInteger(idt.auth_time), `auth_time ${idt.auth_time}`);
      c.check(res, idt.sid === s.sid, `sid ${idt.sid}, expected the login session ${s.sid}`);
      return { claims: Object.keys(idt).sort() };
    }],
    ['introspect', async () => {
      const res = await introspect(s.tokens.access_token, 'access token');
      const i = res.data;
      c.check(res, i.active === true, 'a fresh access token should be active');
      c.check(res, i.sub === subject, `sub ${i.sub}`);
      c.check(res, i.client_id === s.client.client_id, `client_id ${i.client_id}`);
      c.check(res, c.sameJson(String(i.scope).split(' ').sort(), [...SCOPE].sort()),
        `scope ${i.scope}`);
      c.check(res, c.sameJson(i.ext, ext), `ext should be the consent session's ` +
        `access_token claims ${JSON.stringify(ext)}, got ${JSON.stringify(i.ext)}`);
      c.check(res, i.token_use === 'access_token', `token_use ${i.token_use}`);
      c.check(res, i.iss === undefined || i.iss === issuer, `iss ${i.iss}`);
      const rr = await introspect(s.tokens.refresh_token, 'refresh token');
      c.check(rr, rr.data.active === true && rr.data.token_use === 'refresh_token',
        'the refresh token should be active with token_use refresh_token');
      return { token_type: i.token_type, exp: i.exp };
    }],
    ['userinfo', async () => {
      const res = await app.userinfo(s.tokens.access_token);
      c.status(res, 200, 'userinfo');
      c.isJson(res);
      typed(res, res.data, 'userinfo');
      c.check(res, res.data.sub === subject, `sub ${res.data.sub}`);
      c.check(res, res.data.email === claims.email, `email ${res.data.email}`);
    }],
    ['remembered_login', async () => {
      s.req2 = await authorize(s.browser);
      const ch = loginChallenge(s.req2.first);
      const res = await app.getLogin(ch);
      c.status(res, 200, 'get login request');
      c.check(res, res.data.skip === true,
        `a remembered login should give skip true, got ${res.data.skip}`);
      c.check(res, res.data.subject === subject, `subject ${res.data.subject}`);
      c.check(res, res.data.session_id === s.sid,
        `session_id ${res.data.session_id}, expected ${s.sid}`);
      const acc = await app.acceptLogin(ch, { subject });
      const r = await follow(redirectTo(acc, 'accept login'));
      s.consent2 = consentChallenge(r);
    }],
    ['remembered_consent', async () => {
      const res = await app.getConsent(s.consent2);
      c.status(res, 200, 'get consent request');
      c.check(res, res.data.skip === true,
        `a remembered consent should give skip true, got ${res.data.skip}`);
      const acc = await app.acceptConsent(s.consent2, { grant_scope: res.data.requested_scope,
        session: { id_token: claims, access_token: ext } });
      const r = await follow(redirectTo(acc, 'accept consent'));
      const p = f.atClient(r.res, r.location, REDIRECT, s.req2.state);
      c.check(r.res, p.code, `no code in ${r.location}`);
      s.tokens2 = (await exchangeCode(p.code, s.req2.verifier)).t;
    }],
    ['consent_sessions', async () => {
      const res = await app.listConsent(subject);
      c.status(res, 200, 'list consent sessions');
      c.isJson(res);
      c.check(res, Array.isArray(res.data), 'consent sessions should be a JSON array');
      let unknown;
      for (const e of res.data) {
        unknown = typed(res, e, 'session');
        if (e.consent_request) typed(res, e.consent_request, 'consent');
      }
      const mine = res.data.filter((e) => e.consent_request && e.consent_request.client &&
        e.consent_request.client.client_id === s.client.client_id);
      // Hydra lists the consents given on the consent screen, not the
      // ones the login and consent app accepted because skip was true
      // (its query has consent_skip=FALSE): here, one.
      c.check(res, mine.length === 1, `expected the one consent given on ` +
        `the consent screen, not the remembered one accepted with skip=true ` +
        `(Hydra lists only consent_skip=FALSE), got ${mine.length}: ` +
        JSON.stringify(mine.map((e) => ({ challenge: e.consent_request.challenge,
          skip: e.consent_request.skip, remember: e.remember,
          handled_at: e.handled_at }))));
      const e = mine[0];
      c.check(res, c.sameJson(e.grant_scope, SCOPE), `grant_scope ${JSON.stringify(e.grant_scope)}`);
      c.check(res, e.remember === true && e.remember_for === 3600,
        `remember ${e.remember}, remember_for ${e.remember_for}: expected true, 3600`);
      c.check(res, e.consent_request.subject === subject, 'subject of the consent request');
      c.check(res, e.consent_request.login_session_id === s.sid,
        `login_session_id ${e.consent_request.login_session_id}, expected ${s.sid}`);
      c.check(res, e.session && c.sameJson(e.session.id_token, claims),
        `session.id_token ${JSON.stringify(e.session && e.session.id_token)}`);
      c.check(res, e.session && c.sameJson(e.session.access_token, ext),
        `session.access_token ${JSON.stringify(e.session && e.session.access_token)}`);
      c.check(res, typeof e.handled_at === 'string' && !Number.isNaN(Date.parse(e.handled_at)),
        `handled_at should be an RFC 3339 date-time, got ${JSON.stringify(e.handled_at)}`);
      return { listed: res.data.length, unknown_fields: unknown };
    }],
    ...(app.listConsentBySid ? [['consent_sessions_by_sid', async () => {
      const res = await app.listConsentBySid(subject, s.sid);
      c.status(res, 200, 'list consent sessions by login session');
      c.check(res, Array.isArray(res.data), 'consent sessions should be a JSON array');
      for (const e of res.data) {
        typed(res, e, 'session');
        c.check(res, e.consent_request.login_session_id === s.sid,
          `listed a consent of login session ${e.consent_request.login_session_id}`);
      }
      c.check(res, res.data.length === 1, `expected the one consent given on ` +
        `the consent screen in login session ${s.sid} (Hydra lists only ` +
        `consent_skip=FALSE), got ${res.data.length}`);
      const other = await app.listConsentBySid(subject, 'no-such-session');
      c.check(other, other.status === 200 && c.sameJson(other.data, []),
        `an unknown login_session_id should list nothing, got ${JSON.stringify(other.data)}`);
      return { listed: res.data.length };
    }]] : []),
    ['revoke_consent', async () => {
      const res = await app.revokeConsent(subject, s.client.client_id);
      c.status(res, 204, 'revoke consent sessions');
    }],
    ['introspect_revoked', async () => {
      const out = {};
      for (const [name, t] of [['access', s.tokens.access_token],
        ['refresh', s.tokens.refresh_token], ['access2', s.tokens2.access_token],
        ['refresh2', s.tokens2.refresh_token]]) {
        const res = await introspect(t, name);
        c.check(res, res.data.active === false,
          `the ${name} token should be inactive once the consent is revoked`);
        out[name] = res.data.active;
      }
      const res = await token({ grant_type: 'refresh_token',
        refresh_token: s.tokens2.refresh_token });
      c.check(res, res.status === 400 && res.data.error === 'invalid_grant',
        `refreshing after the revocation should give 400 invalid_grant, got ${res.status}`);
      return { active: out };
    }],
    ['consent_sessions_gone', async () => {
      const res = await app.listConsent(subject);
      c.status(res, 200, 'list consent sessions');
      c.check(res, Array.isArray(res.data), 'consent sessions should be a JSON array');
      const mine = res.data.filter((e) => e.consent_request && e.consent_request.client &&
        e.consent_request.client.client_id === s.client.client_id);
      c.check(res, mine.length === 0, `${mine.length} consent session(s) still listed`);
    }],
    ['consent_required', async () => {
      // The login is still remembered, the consent is not: prompt=none
      // gets as far as the consent, which the client learns it needs.
      const req = await authorize(s.browser, { prompt: 'none' });
      const ch = loginChallenge(req.first);
      const acc = await app.acceptLogin(ch, { subject });
      const r = await follow(redirectTo(acc, 'accept login'));
      const p = f.atClient(r.res, r.location, REDIRECT, req.state);
      c.check(r.res, p.error === 'consent_required',
        `expected error consent_required at the client, got ${r.location}`);
    }],
    ['revoke_login', async () => {
      const res = await app.revokeLogin(subject, s.sid);
      c.status(res, 204, 'revoke login sessions');
      const req = await authorize(s.browser, { prompt: 'none' });
      const p = f.atClient(req.first.res, req.first.location, REDIRECT, req.state);
      c.check(req.first.res, p.error === 'login_required',
        `prompt=none after the login session was revoked should give ` +
        `login_required at the client, got ${req.first.location}`);
    }],
    ['reject_login', async () => {
      const b = new f.Browser();
      const req = await authorize(b);
      const ch = loginChallenge(req.first);
      const got = await app.getLogin(ch);
      c.status(got, 200, 'get login request');
      c.check(got, got.data.skip === false, 'a new browser has no login to skip');
      const res = await app.rejectLogin(ch, { error: 'access_denied',
        error_description: 'The resource owner denied the request',
        error_hint: 'Rejected by the login app.', status_code: 403 });
      const r = await b.redirect(redirectTo(res, 'reject login'));
      const p = f.atClient(r.res, r.location, REDIRECT, req.state);
      c.check(r.res, p.error === 'access_denied',
        `expected error access_denied at the client, got ${r.location}`);
      c.check(r.res, String(p.error_description).includes('The resource owner denied the request'),
        `error_description should carry the reject's, got ${p.error_description}`);
      c.check(r.res, !p.code, 'a rejected login must not give a code');
      return { error: p.error, error_description: p.error_description };
    }],
    ['reject_consent', async () => {
      const b = new f.Browser();
      const req = await authorize(b);
      const acc = await app.acceptLogin(loginChallenge(req.first), { subject });
      const ch = consentChallenge(await b.redirect(redirectTo(acc, 'accept login')));
      const res = await app.rejectConsent(ch, { error: 'access_denied',
        error_description: 'The user did not consent' });
      const r = await b.redirect(redirectTo(res, 'reject consent'));
      const p = f.atClient(r.res, r.location, REDIRECT, req.state);
      c.check(r.res, p.error === 'access_denied',
        `expected error access_denied at the client, got ${r.location}`);
      c.check(r.res, String(p.error_description).includes('The user did not consent'),
        `error_description should carry the reject's, got ${p.error_description}`);
      c.check(r.res, !p.code, 'a rejected consent must not give a code');
      return { error: p.error, error_description: p.error_description };
    }],
    ['types', async () => {
      const bad = [];
      const seen = new Set();
      for (const { res, obj, kind } of toType) {
        try {
          c.typeCheck(res, obj, T[kind], app.types[kind]);
        } catch (e) {
          const key = `${app.types[kind]} ${e.message}`.replace(/got .*/, '');
          if (!seen.has(key)) {
            seen.add(key);
            bad.push({ res, msg: `${res.config.method.toUpperCase()} ` +
              `${res.config.url.split('?')[0]}: ${e.message}` });
          }
        }
      }
      if (bad.length) {
        c.fail(bad[0].res, `responses that do not have the types the SDK ` +
          `declares:\n    ${bad.map((b) => b.msg).join('\n    ')}`);
      }
      return { checked: toType.length };
    }],
    ['cleanup', async () => {
      const res = await app.deleteClient(s.client.client_id);
      c.status(res, 204, 'delete client');
      s.created = undefined;
    }],
  ].map(([name, fn]) => [name, fn, { independent: INDEPENDENT.has(name) }]);
  const cleanup = async () => {
    if (s.created) await app.deleteClient(s.created);
  };
  return { list, cleanup };
}

// Run the flow for `app` against PUBLIC_URL (one JSON line per step).
function main(app, pub) {
  const { list, cleanup } = steps(app, pub);
  return c.run(app.name, list, cleanup);
}

module.exports = { steps, main, REDIRECT, SCOPE };
