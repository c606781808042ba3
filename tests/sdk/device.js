#!/usr/bin/env node
'use strict';
// The device of RFC 8628, written with openid-client 5.x: discovery,
// client.deviceAuthorization() and handle.poll() (which waits interval
// seconds between polls and slows down when told), the ID token checks
// openid-client makes on the tokens, then a refresh.  A second device
// authorization is denied by the person, which poll() must report as
// access_denied.  The person's side (the browser, the pages) is the
// Python test's, which reads the lines this script writes:
//
//   node device.js PUBLIC_URL CLIENT_ID CLIENT_SECRET AUTH_METHOD
//
// One JSON line per step on stdout ({"step":..., "ok":true, ...}); the
// "device_authorization" and "denied_start" steps carry the user code
// and verification URIs for the person.  On a failure a line with
// "ok":false and the error, and exit status 1.

const { Issuer, custom, errors } = require('openid-client');

const pub = (process.argv[2] || '').replace(/\/+$/, '');
const [clientId, clientSecret, authMethod] = process.argv.slice(3, 6);
if (!/^https?:\/\//.test(pub) || !clientId || !authMethod) {
  process.stderr.write('usage: node device.js PUBLIC_URL CLIENT_ID ' +
    'CLIENT_SECRET AUTH_METHOD\n');
  process.exit(2);
}

custom.setHttpOptionsDefaults({ timeout: 15000 });

function report(step, extra) {
  process.stdout.write(`${JSON.stringify({ step, ok: true, ...extra })}\n`);
}

function fail(step, err) {
  const out = { step, ok: false, error: `${err.name}: ${err.message}` };
  if (err.error) out.oauth_error = err.error;
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.stderr.write(`${step}: ${err.stack || err}\n`);
  process.exit(1);
}

async function main() {
  let step = 'discovery';
  try {
    const issuer = await Issuer.discover(`${pub}/`);
    if (!issuer.device_authorization_endpoint) {
      throw new Error('no device_authorization_endpoint in discovery');
    }
    report(step, { endpoint: issuer.device_authorization_endpoint });

    const client = new issuer.Client({
      client_id: clientId,
      client_secret: clientSecret || undefined,
      token_endpoint_auth_method: authMethod,
      id_token_signed_response_alg: 'RS256',
    });

    step = 'device_authorization';
    const handle = await client.deviceAuthorization({
      scope: 'openid offline_access profile',
    });
    report(step, {
      user_code: handle.user_code,
      verification_uri: handle.verification_uri,
      verification_uri_complete: handle.verification_uri_complete,
      expires_in: handle.expires_in,
    });

    step = 'poll';
    const tokens = await handle.poll();
    const claims = tokens.claims();
    report(step, {
      sub: claims.sub, aud: claims.aud, iss: claims.iss,
      token_type: tokens.token_type,
      has_refresh: typeof tokens.refresh_token === 'string',
      scope: tokens.scope,
    });

    step = 'refresh';
    const again = await client.refresh(tokens.refresh_token);
    report(step, { sub: again.claims().sub });

    step = 'denied_start';
    const denied = await client.deviceAuthorization({ scope: 'openid' });
    report(step, {
      user_code: denied.user_code,
      verification_uri_complete: denied.verification_uri_complete,
    });

    step = 'denied';
    try {
      await denied.poll();
      throw new Error('poll() succeeded for a denied device');
    } catch (err) {
      if (!(err instanceof errors.OPError) || err.error !== 'access_denied') {
        throw err;
      }
      report(step, { error: err.error });
    }
  } catch (err) {
    fail(step, err);
  }
}

main();
