#!/usr/bin/env node
'use strict';
// Client authentication with JWTs (RFC 7523 §2.2, OpenID Connect Core
// §9) by openid-client 5.x, as a confidential client at the token
// endpoint (client_credentials through client.grant()):
//
// - client_secret_jwt: an HS256 assertion made with the client secret
//   the admin API handed out (the server keeps it sealed);
// - private_key_jwt with the client's keys at its jwks_uri: the script
//   makes an EC key, writes its public JWK Set to JWKS_FILE, which the
//   test serves at JWKS_URL on loopback, and registers that URL.
//
//   node clientjwt.js ADMIN_URL PUBLIC_URL JWKS_URL JWKS_FILE
//
// One JSON line per step on stdout ({"step":..., "ok":true}).

const crypto = require('crypto');
const fs = require('fs');
const { Issuer, custom, errors } = require('openid-client');
const c = require('./common');
const f = require('./flowlib');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
const jwksUrl = process.argv[4];
const jwksFile = process.argv[5];
if (!/^https?:\/\//.test(admin) || !jwksUrl || !jwksFile) {
  process.stderr.write('usage: node clientjwt.js ADMIN_URL PUBLIC_URL ' +
    'JWKS_URL JWKS_FILE\n');
  process.exit(2);
}
custom.setHttpOptionsDefaults({ timeout: 15000 });

const s = { ids: [] };

async function register(body) {
  const res = await f.json('POST', `${admin}/admin/clients`, body);
  c.check(res, res.status === 201, `POST /admin/clients: ${res.status}`);
  s.ids.push(res.data.client_id);
  return res.data;
}

// openid-client must refuse with the server's error err.
async function refused(what, promise, err) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof errors.OPError) || e.error !== err) {
      throw new c.StepError(`${what}: expected ${err}, got ${e.name}: ` +
        `${e.message}`);
    }
    return;
  }
  throw new c.StepError(`${what}: the server should have refused`);
}

function ecKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('ec',
    { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return Object.assign(jwk, { kid, alg: 'ES256', use: 'sig' });
}

function publicOf(jwk) {
  const { d, ...rest } = jwk;
  return rest;
}

const steps = [
  ['discover', async () => {
    s.issuer = await Issuer.discover(`${pub}/`);
    const m = s.issuer.token_endpoint_auth_methods_supported;
    if (!m.includes('client_secret_jwt') || !m.includes('private_key_jwt')) {
      throw new c.StepError(`auth methods: ${JSON.stringify(m)}`);
    }
    const a = s.issuer.token_endpoint_auth_signing_alg_values_supported;
    if (!a.includes('HS256') || !a.includes('ES256')) {
      throw new c.StepError(`auth algs: ${JSON.stringify(a)}`);
    }
  }],
  ['secret_jwt_register', async () => {
    s.sj = await register({ grant_types: ['client_credentials'],
      response_types: [], scope: 'read write',
      token_endpoint_auth_method: 'client_secret_jwt' });
    if (!s.sj.client_secret) throw new c.StepError('no client_secret');
  }],
  ['secret_jwt_grant', async () => {
    const client = new s.issuer.Client({ client_id: s.sj.client_id,
      client_secret: s.sj.client_secret,
      token_endpoint_auth_method: 'client_secret_jwt' });
    const t = await client.grant({ grant_type: 'client_credentials',
      scope: 'read' });
    if (!t.access_token || t.scope !== 'read') {
      throw new c.StepError(`token: ${JSON.stringify(t)}`);
    }
  }],
  ['secret_jwt_wrong_secret', async () => {
    const client = new s.issuer.Client({ client_id: s.sj.client_id,
      client_secret: `${s.sj.client_secret}-not`,
      token_endpoint_auth_method: 'client_secret_jwt' });
    await refused('wrong secret', client.grant({
      grant_type: 'client_credentials' }), 'invalid_client');
  }],
  ['secret_jwt_as_basic', async () => {
    const client = new s.issuer.Client({ client_id: s.sj.client_id,
      client_secret: s.sj.client_secret,
      token_endpoint_auth_method: 'client_secret_basic' });
    await refused('basic', client.grant({
      grant_type: 'client_credentials' }), 'invalid_client');
  }],
  ['secret_not_shown', async () => {
    const res = await f.json('GET', `${admin}/admin/clients/` +
      encodeURIComponent(s.sj.client_id));
    c.check(res, res.status === 200, `GET: ${res.status}`);
    const text = JSON.stringify(res.data);
    c.check(res, !text.includes(s.sj.client_secret) &&
      !text.includes('_sealed'), 'the secret leaked');
  }],
  ['jwks_uri_register', async () => {
    s.key = ecKey('k1');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [publicOf(s.key)] }));
    s.pj = await register({ grant_types: ['client_credentials'],
      response_types: [], scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUrl });
  }],
  ['jwks_uri_grant', async () => {
    const client = new s.issuer.Client({ client_id: s.pj.client_id,
      token_endpoint_auth_method: 'private_key_jwt' },
    { keys: [s.key] });
    const t = await client.grant({ grant_type: 'client_credentials' });
    if (!t.access_token) throw new c.StepError('no access_token');
  }],
  ['jwks_uri_other_key', async () => {
    const client = new s.issuer.Client({ client_id: s.pj.client_id,
      token_endpoint_auth_method: 'private_key_jwt' },
    { keys: [ecKey('k1')] });
    await refused('other key', client.grant({
      grant_type: 'client_credentials' }), 'invalid_client');
  }],
];

c.run('clientjwt.js', steps, async () => {
  for (const id of s.ids) {
    await f.json('DELETE', `${admin}/admin/clients/${encodeURIComponent(id)}`);
  }
});
