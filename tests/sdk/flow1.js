#!/usr/bin/env node
'use strict';
// A Hydra 1.x login and consent app, written with the 1.11 generation SDK
// (@ory/hydra-client 1.11.x: AdminApi with the admin paths at the root,
// PublicApi for userinfo), driven through a whole authorization code flow
// with PKCE by codeflow.js, which also plays the browser and the client.
//
//   node flow1.js ADMIN_URL PUBLIC_URL
//
// One JSON line per step on stdout ({"step":..., "ok":true, ...}); on the
// first failure a line with "ok":false, the request, the HTTP status and
// the body seen, a message on stderr, and exit status 1.

const path = require('path');
const { AdminApi, PublicApi, Configuration } = require('hydra1');
const flow = require('./codeflow');

const admin = (process.argv[2] || '').replace(/\/+$/, '');
const pub = (process.argv[3] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(admin) || !/^https?:\/\//.test(pub)) {
  process.stderr.write('usage: node flow1.js ADMIN_URL PUBLIC_URL\n');
  process.exit(2);
}

// Talk to the server directly even if an http_proxy is set, and never
// hang the test.
const baseOptions = { proxy: false, timeout: 15000 };
const api = new AdminApi(new Configuration({ basePath: admin, baseOptions }));

flow.main({
  name: 'flow1',
  sdkDir: path.dirname(require.resolve('hydra1/package.json')),
  types: {
    client: 'OAuth2Client', login: 'LoginRequest', consent: 'ConsentRequest',
    redirect: 'CompletedRequest', session: 'PreviousConsentSession',
    introspection: 'OAuth2TokenIntrospection', userinfo: 'UserinfoResponse',
  },
  authMethod: 'client_secret_post',
  createClient: (body) => api.createOAuth2Client(body),
  deleteClient: (id) => api.deleteOAuth2Client(id),
  getLogin: (ch) => api.getLoginRequest(ch),
  acceptLogin: (ch, body) => api.acceptLoginRequest(ch, body),
  rejectLogin: (ch, body) => api.rejectLoginRequest(ch, body),
  getConsent: (ch) => api.getConsentRequest(ch),
  acceptConsent: (ch, body) => api.acceptConsentRequest(ch, body),
  rejectConsent: (ch, body) => api.rejectConsentRequest(ch, body),
  listConsent: (subject) => api.listSubjectConsentSessions(subject),
  revokeConsent: (subject, client) => api.revokeConsentSessions(subject, client),
  // 1.x ends every login session of the subject (no sid parameter).
  revokeLogin: (subject) => api.revokeAuthenticationSession(subject),
  introspect: (token) => api.introspectOAuth2Token(token),
  userinfo: (accessToken) => new PublicApi(new Configuration({
    basePath: pub, accessToken, baseOptions })).userinfo(),
}, pub);
