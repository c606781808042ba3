#!/usr/bin/env node
'use strict';
// A Hydra 2.x login and consent app, written with the 2.2 generation SDK
// (@ory/hydra-client 2.2.x: OAuth2Api with the admin paths under /admin,
// OidcApi for userinfo), driven through a whole authorization code flow
// with PKCE by codeflow.js, which also plays the browser and the client.
//
//   node flow2.js ADMIN_URL PUBLIC_URL
//
// One JSON line per step on stdout ({"step":..., "ok":true, ...}); on the
// first failure a line with "ok":false, the request, the HTTP status and
// the body seen, a message on stderr, and exit status 1.

const path = require('path');
const { OAuth2Api, OidcApi, Configuration } = require('hydra2');
const flow = require('./codeflow');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(admin) || !/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node flow2.js ADMIN_URL PUBLIC_URL\n');
  process.exit(2);
}

// Talk to the server directly even if an http_proxy is set, and never
// hang the test.
const baseOptions = { proxy: false, timeout: 15000 };
const api = new OAuth2Api(new Configuration({ basePath: admin, baseOptions }));

flow.main({
  name: 'flow2',
  sdkDir: path.dirname(require.resolve('hydra2/package.json')),
  types: {
    client: 'OAuth2Client', login: 'OAuth2LoginRequest',
    consent: 'OAuth2ConsentRequest', redirect: 'OAuth2RedirectTo',
    session: 'OAuth2ConsentSession', introspection: 'IntrospectedOAuth2Token',
    userinfo: 'OidcUserInfo',
  },
  authMethod: 'client_secret_basic',
  createClient: (oAuth2Client) => api.createOAuth2Client({ oAuth2Client }),
  deleteClient: (id) => api.deleteOAuth2Client({ id }),
  getLogin: (loginChallenge) => api.getOAuth2LoginRequest({ loginChallenge }),
  acceptLogin: (loginChallenge, acceptOAuth2LoginRequest) =>
    api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest }),
  rejectLogin: (loginChallenge, rejectOAuth2Request) =>
    api.rejectOAuth2LoginRequest({ loginChallenge, rejectOAuth2Request }),
  getConsent: (consentChallenge) => api.getOAuth2ConsentRequest({ consentChallenge }),
  acceptConsent: (consentChallenge, acceptOAuth2ConsentRequest) =>
    api.acceptOAuth2ConsentRequest({ consentChallenge, acceptOAuth2ConsentRequest }),
  rejectConsent: (consentChallenge, rejectOAuth2Request) =>
    api.rejectOAuth2ConsentRequest({ consentChallenge, rejectOAuth2Request }),
  listConsent: (subject) => api.listOAuth2ConsentSessions({ subject }),
  listConsentBySid: (subject, loginSessionId) =>
    api.listOAuth2ConsentSessions({ subject, loginSessionId }),
  revokeConsent: (subject, client) => api.revokeOAuth2ConsentSessions({ subject, client }),
  // 2.x can end one login session by its id (the ID token's sid).
  revokeLogin: (subject, sid) => api.revokeOAuth2LoginSessions({ sid }),
  introspect: (token) => api.introspectOAuth2Token({ token }),
  userinfo: (accessToken) => new OidcApi(new Configuration({
    basePath: pub, accessToken, baseOptions })).getOidcUserInfo(),
}, pub);
