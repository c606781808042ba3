'use strict';
// RFC 8693 token exchange through openid-client 5.x: discover the
// server, then client.grant() with the token-exchange grant type, as a
// resource server trading the token it received would.  Driven by
// tests/integration/test_exchange.py.
//
//   node exchange.js ISSUER CLIENT_ID CLIENT_SECRET PARAMS_JSON
//
// prints {"issuer": discovery's grant_types_supported, "tokens": the
// token set} or {"error": ..., "error_description": ..., "status": ...}.

const { Issuer } = require('openid-client');

async function main() {
  const [issuerUrl, clientId, secret, params] = process.argv.slice(2);
  const issuer = await Issuer.discover(issuerUrl);
  const client = new issuer.Client({
    client_id: clientId,
    client_secret: secret,
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const body = Object.assign({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  }, JSON.parse(params));
  try {
    const ts = await client.grant(body);
    process.stdout.write(JSON.stringify({
      grant_types: issuer.metadata.grant_types_supported,
      tokens: Object.assign({}, ts),
    }));
  } catch (err) {
    process.stdout.write(JSON.stringify({
      error: err.error || err.message,
      error_description: err.error_description,
      status: err.response ? err.response.statusCode : undefined,
    }));
  }
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
