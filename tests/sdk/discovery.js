#!/usr/bin/env node
'use strict';
// OpenID Connect discovery through the Hydra 2.2 generation SDK
// (@ory/hydra-client 2.2.x): OidcApi.discoverOidcConfiguration and
// WellknownApi.discoverJsonWebKeys against the public listener.
//
//   node discovery.js PUBLIC_URL [ISSUER]
//
// ISSUER is the issuer the server is configured with (default
// PUBLIC_URL/).  Steps, one JSON line each on stdout as in hydra2.js:
//   discover  the document, issuer exactly ISSUER, jwks_uri and the
//             endpoints derived from it
//   jwks      the JWK Set: public keys with kid, kty, alg and use only
//   types     both against the SDK's declared OidcConfiguration,
//             JsonWebKeySet and JsonWebKey (required fields present,
//             declared types)

const path = require('path');
const { OidcApi, WellknownApi, Configuration } = require('hydra2');
const c = require('./common');

const pub = (process.argv[2] || '').replace(/\/+$/, '');
const issuer = process.argv[3] || `${pub}/`;
if (!/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node discovery.js PUBLIC_URL [ISSUER]\n');
  process.exit(2);
}

const config = new Configuration({
  basePath: pub,
  baseOptions: { proxy: false, timeout: 15000 },
});
const oidc = new OidcApi(config);
const wellknown = new WellknownApi(config);
const SDK = path.dirname(require.resolve('hydra2/package.json'));
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

let docRes;
let jwksRes;

c.run('discovery.js', [
  ['discover', async () => {
    const res = await oidc.discoverOidcConfiguration();
    docRes = res;
    c.status(res, 200, 'discoverOidcConfiguration');
    c.isJson(res);
    const d = res.data;
    c.check(res, d.issuer === issuer,
      `issuer should be exactly ${JSON.stringify(issuer)}, got ${JSON.stringify(d.issuer)}`);
    c.check(res, d.jwks_uri === `${issuer}.well-known/jwks.json`,
      `jwks_uri should be ${issuer}.well-known/jwks.json, got ${JSON.stringify(d.jwks_uri)}`);
    for (const k of ['authorization_endpoint', 'token_endpoint']) {
      c.check(res, typeof d[k] === 'string' && d[k].startsWith(issuer),
        `${k} should start with the issuer, got ${JSON.stringify(d[k])}`);
    }
    c.check(res, Array.isArray(d.id_token_signing_alg_values_supported) &&
      d.id_token_signing_alg_values_supported.length > 0,
      'id_token_signing_alg_values_supported should be a non-empty array');
    return { issuer: d.issuer, jwks_uri: d.jwks_uri,
      id_token_algs: d.id_token_signing_alg_values_supported };
  }],
  ['jwks', async () => {
    const res = await wellknown.discoverJsonWebKeys();
    jwksRes = res;
    c.status(res, 200, 'discoverJsonWebKeys');
    c.isJson(res);
    const keys = res.data.keys;
    c.check(res, Array.isArray(keys) && keys.length >= 2,
      'the JWK Set should hold the ID-token and access-token keys');
    const algs = docRes.data.id_token_signing_alg_values_supported;
    c.check(res, keys.some((k) => algs.includes(k.alg)),
      `no key has an alg the discovery document lists (${algs})`);
    for (const k of keys) {
      for (const m of ['kid', 'kty', 'alg', 'use']) {
        c.check(res, typeof k[m] === 'string' && k[m].length > 0,
          `key ${JSON.stringify(k.kid)}: member ${m} missing`);
      }
      for (const m of PRIVATE) {
        c.check(res, !(m in k),
          `key ${JSON.stringify(k.kid)}: private member ${m} on the public port`);
      }
      c.check(res, k.kty !== 'oct', `key ${k.kid}: a symmetric key was published`);
    }
    return { kids: keys.map((k) => k.kid) };
  }],
  ['types', async () => {
    const unknown = c.typeCheck(docRes, docRes.data,
      c.declaredFields(SDK, 'OidcConfiguration'), 'OidcConfiguration');
    c.typeCheck(jwksRes, jwksRes.data,
      c.declaredFields(SDK, 'JsonWebKeySet'), 'JsonWebKeySet');
    const jwk = c.declaredFields(SDK, 'JsonWebKey');
    for (const k of jwksRes.data.keys) c.typeCheck(jwksRes, k, jwk, 'JsonWebKey');
    return { unknown_fields: unknown.length ? unknown : undefined };
  }],
]);
