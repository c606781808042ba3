#!/usr/bin/env node
'use strict';
// RFC 7592 read-modify-write through the Hydra 2.2 generation SDK
// (@ory/hydra-client 2.2.x, OidcApi, /oauth2/register): register, get,
// change one member of what get answered and set it back, get again
// with the rotated registration access token, then delete.
//
//   node dcr2.js PUBLIC_URL
//
// One JSON line per step on stdout ({"step":..., "ok":true}); on the
// first failure a line with "ok":false, the HTTP status and the body the
// SDK saw, and exit status 1.

const { OidcApi, Configuration } = require('hydra2');

const pub = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node dcr2.js PUBLIC_URL\n');
  process.exit(2);
}

const api = new OidcApi(new Configuration({
  basePath: pub,
  baseOptions: { proxy: false, timeout: 15000 },
}));
const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

function check(cond, what) {
  if (!cond) throw new Error(what);
}

let id;
let token;
let doc;

const steps = [
  ['register', async () => {
    const r = await api.createOidcDynamicClient({ oAuth2Client: {
      client_name: 'sdk dcr', redirect_uris: ['https://rp.example.com/cb'],
    } });
    check(r.status === 201, `status ${r.status}`);
    id = r.data.client_id;
    token = r.data.registration_access_token;
    check(id && token && r.data.client_secret, 'credentials missing');
  }],
  ['get', async () => {
    const r = await api.getOidcDynamicClient({ id }, bearer(token));
    check(r.status === 200, `status ${r.status}`);
    check(r.data.client_secret === undefined, 'secret shown');
    doc = r.data;
  }],
  ['set', async () => {
    const r = await api.setOidcDynamicClient({ id, oAuth2Client: Object.assign(
      {}, doc, { client_name: 'sdk dcr renamed' }) }, bearer(token));
    check(r.status === 200, `status ${r.status}`);
    check(r.data.client_name === 'sdk dcr renamed', 'name not changed');
    check(r.data.registration_access_token !== token, 'token not rotated');
    token = r.data.registration_access_token;
  }],
  ['get_after_set', async () => {
    const r = await api.getOidcDynamicClient({ id }, bearer(token));
    check(r.data.client_name === 'sdk dcr renamed', 'change not visible');
    check(r.data.client_id_issued_at === doc.client_id_issued_at,
      'client_id_issued_at changed');
  }],
  ['set_managed_refused', async () => {
    try {
      await api.setOidcDynamicClient({ id, oAuth2Client: Object.assign(
        {}, doc, { owner: 'someone' }) }, bearer(token));
    } catch (e) {
      const r = e.response || {};
      check(r.status === 400, `status ${r.status}`);
      check(r.data.error === 'invalid_client_metadata', 'error code');
      check(/'owner'/.test(r.data.error_description), 'owner not named');
      return;
    }
    throw new Error('a changed owner was accepted');
  }],
  ['delete', async () => {
    const r = await api.deleteOidcDynamicClient({ id }, bearer(token));
    check(r.status === 204, `status ${r.status}`);
  }],
];

(async () => {
  for (const [step, fn] of steps) {
    try {
      await fn();
    } catch (e) {
      const r = e.response || {};
      process.stdout.write(`${JSON.stringify({ step, ok: false,
        status: r.status, body: r.data, message: e.message })}\n`);
      process.stderr.write(`dcr2.js: ${step}: ${e.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify({ step, ok: true })}\n`);
  }
})();
