#!/usr/bin/env node
'use strict';
// Hydra's trust relationships of the JWT Bearer grant (RFC 7523 §2.1)
// driven by Ory's 2.2 SDK (OAuth2Api: trustOAuth2JwtGrantIssuer,
// getTrustedOAuth2JwtGrantIssuer, listTrustedOAuth2JwtGrantIssuers,
// deleteTrustedOAuth2JwtGrantIssuer), every answer checked against the
// SDK's TrustedOAuth2JwtGrantIssuer declaration; then the grant itself:
// an assertion signed with the trusted key (jose) exchanged at the token
// endpoint by a client registered for the grant type, and refused once
// the trust is deleted.
//
//   node trust.js ADMIN_URL PUBLIC_URL
//
// One JSON line per step on stdout ({"step":..., "ok":true}).

const crypto = require('crypto');
const path = require('path');
const { OAuth2Api, Configuration } = require('hydra2');
const { SignJWT, importJWK } = require('jose');
const c = require('./common');
const f = require('./flowlib');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(admin) || !/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node trust.js ADMIN_URL PUBLIC_URL\n');
  process.exit(2);
}

const api = new OAuth2Api(new Configuration({ basePath: admin,
  baseOptions: { proxy: false, timeout: 15000 } }));
const SDK = path.dirname(require.resolve('hydra2/package.json'));
const TRUSTED = c.declaredFields(SDK, 'TrustedOAuth2JwtGrantIssuer');
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const tag = `${Date.now()}-${f.random(4)}`;
const issuer = `https://idp-${tag}.example`;
const subject = `mike-${tag}@example.com`;
const s = {};

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const priv = Object.assign(privateKey.export({ format: 'jwk' }),
  { kid: `k-${tag}`, alg: 'ES256' });
const { d, ...pubJwk } = priv;

function trusted(res, obj) {
  c.typeCheck(res, obj, TRUSTED, 'TrustedOAuth2JwtGrantIssuer');
  c.check(res, obj.issuer === issuer && obj.subject === subject &&
    obj.allow_any_subject === false &&
    JSON.stringify(obj.scope) === '["read","write"]' &&
    obj.public_key.set === issuer && obj.public_key.kid === priv.kid &&
    /Z$/.test(obj.expires_at) && /Z$/.test(obj.created_at),
  `unexpected trust: ${JSON.stringify(obj)}`);
}

async function assertion(claims) {
  const key = await importJWK(priv, 'ES256');
  return new SignJWT(Object.assign({ jti: crypto.randomUUID() }, claims))
    .setProtectedHeader({ alg: 'ES256', kid: priv.kid })
    .setIssuer(issuer).setSubject(subject).setAudience(`${pub}/oauth2/token`)
    .setIssuedAt().setExpirationTime('5m').sign(key);
}

async function grant(scope) {
  return f.form(`${pub}/oauth2/token`, { grant_type: GRANT,
    assertion: await assertion({}), scope, client_id: s.client.client_id,
    client_secret: s.client.client_secret });
}

async function refused(what, p, status) {
  try {
    const r = await p;
    throw new c.StepError(`${what}: expected ${status}, got ${r.status}`);
  } catch (e) {
    if (e instanceof c.StepError) throw e;
    c.check(e.response, e.response && e.response.status === status,
      `${what}: expected ${status}, got ${e.response && e.response.status}`);
  }
}

const steps = [
  ['create', async () => {
    const exp = new Date(Date.now() + 3600 * 1000).toISOString();
    const res = await api.trustOAuth2JwtGrantIssuer({
      trustOAuth2JwtGrantIssuer: { issuer, subject, scope: ['read', 'write'],
        jwk: pubJwk, expires_at: exp } });
    c.check(res, res.status === 201, `status ${res.status}`);
    trusted(res, res.data);
    s.id = res.data.id;
  }],
  ['get', async () => {
    const res = await api.getTrustedOAuth2JwtGrantIssuer({ id: s.id });
    trusted(res, res.data);
  }],
  ['list', async () => {
    const res = await api.listTrustedOAuth2JwtGrantIssuers({ issuer });
    c.check(res, Array.isArray(res.data) && res.data.length === 1 &&
      res.data[0].id === s.id, `list: ${JSON.stringify(res.data)}`);
    trusted(res, res.data[0]);
  }],
  ['duplicate', async () => {
    await refused('duplicate', api.trustOAuth2JwtGrantIssuer({
      trustOAuth2JwtGrantIssuer: { issuer, subject, scope: ['read'],
        jwk: pubJwk,
        expires_at: new Date(Date.now() + 60000).toISOString() } }), 409);
  }],
  ['invalid', async () => {
    await refused('subject and allow_any_subject',
      api.trustOAuth2JwtGrantIssuer({ trustOAuth2JwtGrantIssuer: { issuer,
        subject, allow_any_subject: true, scope: [], jwk: pubJwk,
        expires_at: new Date(Date.now() + 60000).toISOString() } }), 400);
  }],
  ['client', async () => {
    const res = await api.createOAuth2Client({ oAuth2Client: {
      grant_types: [GRANT], response_types: [], scope: 'read write',
      token_endpoint_auth_method: 'client_secret_post' } });
    s.client = res.data;
  }],
  ['grant', async () => {
    const res = await grant('read');
    c.check(res, res.status === 200 && res.data.access_token &&
      res.data.scope === 'read' && !res.data.refresh_token,
    `token: ${res.status}`);
    const intr = await f.form(`${admin}/admin/oauth2/introspect`,
      { token: res.data.access_token });
    c.check(intr, intr.data.active === true && intr.data.sub === subject &&
      intr.data.client_id === s.client.client_id, 'introspection');
  }],
  ['delete', async () => {
    const res = await api.deleteTrustedOAuth2JwtGrantIssuer({ id: s.id });
    c.check(res, res.status === 204, `status ${res.status}`);
    await refused('get deleted', api.getTrustedOAuth2JwtGrantIssuer({
      id: s.id }), 404);
  }],
  ['grant_after_delete', async () => {
    const res = await grant('read');
    c.check(res, res.status === 400 && res.data.error === 'invalid_grant',
      `token after delete: ${res.status}`);
  }],
];

c.run('trust.js', steps, async () => {
  if (s.id) {
    try { await api.deleteTrustedOAuth2JwtGrantIssuer({ id: s.id }); } catch (e) { /* */ }
  }
  if (s.client) await api.deleteOAuth2Client({ id: s.client.client_id });
});
