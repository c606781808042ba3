'use strict';
// Shared helpers for hydra1.js and hydra2.js: the step runner, failure
// reports that show what the SDK saw, field checks, and a type check of
// responses against the SDK's own TypeScript declarations (the axios
// SDKs hand back raw JSON, so this stands in for typed deserialization).

const fs = require('fs');
const path = require('path');
const assert = require('assert');

class StepError extends Error {}

// Turn whatever a step threw into a JSON-able report: for an axios
// error, the request the SDK made and the response it got.
function describeError(err) {
  const out = { error: err && err.message ? err.message : String(err) };
  if (err && err.cause) {     // fetch() hides the socket error here
    const why = String(err.cause.message || err.cause.code || err.cause);
    if (!out.error.includes(why)) out.error += `: ${why}`;
  }
  if (err && err.isAxiosError) {
    const cfg = err.config || {};
    out.request = `${(cfg.method || '?').toUpperCase()} ${cfg.url}`;
    if (err.response) {
      out.status = err.response.status;
      out.headers = err.response.headers;
      out.body = err.response.data;
    } else {
      out.code = err.code;
    }
  } else if (err && err.response) {   // a failed check on a good response
    out.request = err.response.request;
    out.status = err.response.status;
    out.headers = err.response.headers;
    out.body = err.response.body;
  }
  return out;
}

// What a check needs to know about a response, for failure reports.
function seen(res) {
  const cfg = res.config || {};
  return {
    request: `${(cfg.method || '?').toUpperCase()} ${cfg.url}`,
    status: res.status,
    headers: res.headers,
    body: res.data,
  };
}

function fail(res, msg) {
  const e = new StepError(msg);
  if (res) e.response = seen(res);
  throw e;
}

function check(res, cond, msg) {
  if (!cond) fail(res, msg);
}

// Run the steps in order; one JSON line each; stop at the first failure,
// after a best-effort `cleanup` (deleting what the run created).  A step
// given as [name, fn, { independent: true }] only checks: nothing after
// it needs what it did, so after its failure the run goes on (and still
// exits 1 at the end), to show what the later steps find.
async function run(name, steps, cleanup) {
  let failed = 0;
  const finish = async (code) => {
    if (cleanup) {
      try { await cleanup(); } catch (e) { /* best effort */ }
    }
    process.exit(code);
  };
  for (const [step, fn, opts] of steps) {
    let extra;
    try {
      extra = await fn();
    } catch (err) {
      const rep = Object.assign({ step, ok: false }, describeError(err));
      process.stdout.write(JSON.stringify(rep) + '\n');
      process.stderr.write(`${name}: step "${step}" failed: ${rep.error}` +
        (rep.request ? `\n  request: ${rep.request}` : '') +
        (rep.status !== undefined ? `\n  status: ${rep.status}` : '') +
        (rep.body !== undefined ? `\n  body: ${JSON.stringify(rep.body)}` : '') +
        '\n');
      failed += 1;
      if (opts && opts.independent) continue;
      await finish(1);
    }
    process.stdout.write(JSON.stringify(Object.assign({ step, ok: true },
      extra || {})) + '\n');
  }
  if (failed) await finish(1);
}

// --- types from the SDK's .d.ts ------------------------------------------

// Field name -> declared type of `export interface NAME { ... }` in the
// installed SDK's dist/api.d.ts.
function declaredFields(pkgDir, iface) {
  const dts = fs.readFileSync(path.join(pkgDir, 'dist', 'api.d.ts'), 'utf8');
  const start = dts.indexOf(`export interface ${iface} {`);
  if (start < 0) throw new Error(`interface ${iface} not in ${pkgDir}`);
  const body = dts.slice(start, dts.indexOf('\n}', start));
  const fields = {};
  const re = /^\s+'?([A-Za-z0-9_]+)'?(\??):\s*([^;]+);/gm;
  let m;
  while ((m = re.exec(body)) !== null) {
    fields[m[1]] = { type: m[3].trim(), optional: m[2] === '?' };
  }
  if (!Object.keys(fields).length) {
    throw new Error(`no fields parsed for ${iface} in ${pkgDir}`);
  }
  return fields;
}

function typeOk(type, v) {
  if (v === null) return true;      // optional fields may be null
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'object': return typeof v === 'object' && !Array.isArray(v);
    case 'any': return true;
    default: break;
  }
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return Array.isArray(v) && v.every((x) => typeOk(arr[1], x));
  return typeof v === 'object';     // a nested interface
}

// Check an object against the SDK's declared interface: every declared
// field present has its declared type, required ones are there.
// Returns the names the SDK does not declare (informational only).
function typeCheck(res, obj, fields, iface) {
  check(res, obj !== null && typeof obj === 'object' && !Array.isArray(obj),
    `${iface}: expected a JSON object, got ${JSON.stringify(obj)}`);
  for (const [k, { type, optional }] of Object.entries(fields)) {
    if (!(k in obj)) {
      check(res, optional, `${iface}: required field "${k}" missing`);
      continue;
    }
    check(res, typeOk(type, obj[k]),
      `${iface}.${k}: declared ${type} by the SDK, got ${JSON.stringify(obj[k])}`);
  }
  return Object.keys(obj).filter((k) => !(k in fields)).sort();
}

// --- response checks -----------------------------------------------------

function isJson(res) {
  const ct = String(res.headers['content-type'] || '');
  check(res, /^application\/json\b/i.test(ct),
    `Content-Type should be application/json, got "${ct}"`);
  check(res, typeof res.data === 'object' && res.data !== null,
    'response body did not parse as JSON');
}

function status(res, want, what) {
  check(res, res.status === want,
    `${what}: expected HTTP ${want} as Hydra answers (the SDK itself ` +
    `accepts any 2xx), got ${res.status}`);
}

function sameJson(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch (e) {
    return false;
  }
}

// The fields the scripts send on create, and what must come back.
function wanted(name) {
  return {
    client_name: name,
    redirect_uris: ['https://app.example/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline',
    token_endpoint_auth_method: 'client_secret_post',
    metadata: { k: 'v' },
  };
}

function hasFields(res, c, want) {
  for (const [k, v] of Object.entries(want)) {
    check(res, sameJson(c[k], v),
      `field ${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(c[k])}`);
  }
  check(res, typeof c.client_id === 'string' && c.client_id.length > 0,
    `client_id should be a non-empty string, got ${JSON.stringify(c.client_id)}`);
  for (const k of ['created_at', 'updated_at']) {
    if (c[k] !== undefined && c[k] !== null) {
      check(res, typeof c[k] === 'string' && !Number.isNaN(Date.parse(c[k])),
        `${k} should be an RFC 3339 date-time, got ${JSON.stringify(c[k])}`);
    }
  }
}

function noSecret(res, c, what) {
  check(res, c.client_secret === undefined || c.client_secret === '',
    `${what} must not return client_secret, got ${JSON.stringify(c.client_secret)}`);
}

// Link header -> {rel: URL}; Hydra's links are relative (path?query).
function links(res, base) {
  const out = {};
  const h = res.headers.link;
  if (!h) return out;
  const re = /<([^>]*)>\s*;\s*rel="?([^",;]+)"?/g;
  let m;
  while ((m = re.exec(h)) !== null) {
    out[m[2]] = new URL(m[1], base + '/');
  }
  return out;
}

// X-Total-Count, if sent, must be a count at least `atLeast`.
function totalCount(res, atLeast) {
  const t = res.headers['x-total-count'];
  if (t === undefined) return undefined;
  check(res, /^[0-9]+$/.test(String(t)) && Number(t) >= atLeast,
    `X-Total-Count should be an integer >= ${atLeast}, got ${JSON.stringify(t)}`);
  return Number(t);
}

// Go duration string ("1h", "1h0m0s", "90m", "3600s") -> seconds.
function goDuration(s) {
  if (typeof s !== 'string') return NaN;
  const re = /([0-9.]+)(ns|us|µs|ms|s|m|h)/g;
  const unit = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let used = 0;
  let m;
  while ((m = re.exec(s)) !== null) {
    total += parseFloat(m[1]) * unit[m[2]];
    used += m[0].length;
  }
  return used === s.length && used > 0 ? total : NaN;
}

// Check through the public token endpoint that `secret` is still the
// client's secret (client_secret_post): a bogus code with the right
// secret gets past client authentication (invalid_grant), a wrong
// secret does not (401 invalid_client).  Reports the step as skipped
// when the endpoint is not there yet (404 or 405).
async function secretAccepted(pub, clientId, secret) {
  const url = pub + '/oauth2/token';
  const post = async (s) => {
    let r;
    try {
      r = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'sdk-compat-bogus-code',
          redirect_uri: 'https://app.example/cb',
          client_id: clientId,
          client_secret: s,
        }).toString(),
        signal: AbortSignal.timeout(15000),
      });
    } catch (e) {
      e.response = { request: `POST ${url}` };
      throw e;
    }
    const text = await r.text();
    let body;
    try { body = JSON.parse(text); } catch (e) { body = text; }
    return { status: r.status, body };
  };
  const bad = (what, r) => {
    const e = new StepError(what);
    e.response = { request: `POST ${url}`, status: r.status, headers: {},
      body: r.body };
    throw e;
  };
  const wrong = await post(secret + 'x');
  if (wrong.status === 404 || wrong.status === 405) {
    return { skipped: `POST ${url} answered ${wrong.status}` };
  }
  if (wrong.status !== 401 || !wrong.body || wrong.body.error !== 'invalid_client') {
    bad('a wrong client_secret should give 401 invalid_client', wrong);
  }
  const right = await post(secret);
  if (right.status === 401 || (right.body && right.body.error === 'invalid_client')) {
    bad('the client_secret returned by create no longer authenticates ' +
      'the client (it was not kept by the updates)', right);
  }
  return { token_endpoint_status: right.status,
    token_endpoint_error: right.body && right.body.error };
}

module.exports = {
  StepError, run, fail, check, declaredFields, typeCheck, isJson, status,
  sameJson, wanted, hasFields, noSecret, links, totalCount, goDuration,
  secretAccepted,
};
