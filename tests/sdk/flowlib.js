'use strict';
// What flow1.js, flow2.js and rp.js share: a browser that does not follow
// redirects and keeps its own cookies (Set-Cookie parsed here, as node's
// fetch keeps none), PKCE, plain JSON and form requests whose results look
// like axios responses (so the checks and failure reports of common.js
// apply), and an ID token check done with node's own crypto.

const crypto = require('crypto');
const c = require('./common');

const TIMEOUT = 15000;

function b64u(buf) {
  return Buffer.from(buf).toString('base64url');
}

function random(n = 16) {
  return b64u(crypto.randomBytes(n));
}

function pkce() {
  const verifier = random(32);
  const challenge = b64u(crypto.createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

// Query and fragment parameters of a URL, as a flat object.
function params(url) {
  const u = new URL(url);
  const out = Object.fromEntries(u.searchParams);
  if (u.hash.length > 1) {
    Object.assign(out, Object.fromEntries(new URLSearchParams(u.hash.slice(1))));
  }
  return out;
}

function headersOf(h) {
  const out = {};
  for (const [k, v] of h) out[k] = v;
  const sc = h.getSetCookie ? h.getSetCookie() : [];
  if (sc.length) out['set-cookie'] = sc;
  return out;
}

// One HTTP exchange through fetch, without following redirects, returned
// in the shape common.js expects of an axios response.
async function exchange(method, url, { headers = {}, body } = {}) {
  let r;
  try {
    r = await fetch(url, { method, headers, body, redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT) });
  } catch (e) {
    e.response = { request: `${method} ${url}` };
    throw e;
  }
  const text = await r.text();
  let data = text;
  if (/^application\/(.+\+)?json\b/i.test(r.headers.get('content-type') || '')) {
    try { data = JSON.parse(text); } catch (e) { /* left as text */ }
  }
  return { config: { method, url }, status: r.status, headers: headersOf(r.headers),
    data, raw: r };
}

function json(method, url, body, headers = {}) {
  const h = Object.assign({ Accept: 'application/json' }, headers);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  return exchange(method, url, { headers: h,
    body: body === undefined ? undefined : JSON.stringify(body) });
}

function form(url, fields, headers = {}) {
  return exchange('POST', url, {
    headers: Object.assign({ 'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json' }, headers),
    body: new URLSearchParams(fields).toString(),
  });
}

function basic(id, secret) {
  // RFC 6749 §2.3.1: form-encode both before joining them.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

// --- the browser ----------------------------------------------------------

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// A cookie jar after RFC 6265 §5.3, as much of it as a test needs:
// host-only or Domain cookies, Path, Max-Age and Expires (a past date or
// Max-Age <= 0 deletes), Secure (sent over https and, as browsers do, to
// loopback hosts).  Ports are not part of a cookie's scope.
class Browser {
  constructor() {
    this.jar = new Map();       // `${domain};${path};${name}` -> cookie
    this.history = [];
  }

  defaultPath(u) {
    const p = u.pathname;
    if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
    return p.slice(0, p.lastIndexOf('/'));
  }

  store(url, setCookies) {
    const u = new URL(url);
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const ck = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(),
        domain: u.hostname, hostOnly: true, path: this.defaultPath(u),
        secure: false, expires: Infinity };
      for (const a of attrs) {
        const i = a.indexOf('=');
        const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
        const v = i < 0 ? '' : a.slice(i + 1).trim();
        if (k === 'path' && v.startsWith('/')) ck.path = v;
        else if (k === 'domain' && v) {
          ck.domain = v.replace(/^\./, '').toLowerCase();
          ck.hostOnly = false;
        } else if (k === 'secure') ck.secure = true;
        else if (k === 'max-age' && /^-?[0-9]+$/.test(v)) {
          ck.expires = Date.now() + Number(v) * 1000;
          ck.maxAge = true;
        } else if (k === 'expires' && !ck.maxAge) {
          const t = Date.parse(v);
          if (!Number.isNaN(t)) ck.expires = t;
        }
      }
      const key = `${ck.domain};${ck.path};${ck.name}`;
      if (ck.expires <= Date.now()) this.jar.delete(key);
      else this.jar.set(key, ck);
    }
  }

  cookieHeader(url) {
    const u = new URL(url);
    const host = u.hostname.toLowerCase();
    const now = Date.now();
    const out = [];
    for (const [key, ck] of this.jar) {
      if (ck.expires <= now) { this.jar.delete(key); continue; }
      const domainOk = ck.hostOnly ? host === ck.domain
        : host === ck.domain || host.endsWith('.' + ck.domain);
      const pathOk = u.pathname === ck.path || (u.pathname.startsWith(ck.path) &&
        (ck.path.endsWith('/') || u.pathname[ck.path.length] === '/'));
      const secureOk = !ck.secure || u.protocol === 'https:' || LOOPBACK.has(host);
      if (domainOk && pathOk && secureOk) out.push(`${ck.name}=${ck.value}`);
    }
    return out.join('; ');
  }

  names() {
    return [...this.jar.values()].map((ck) => ck.name).sort();
  }

  // One navigation: GET url with our cookies, keep what is set, return
  // the response with `location` resolved against url.
  async get(url) {
    const headers = { Accept: 'text/html,application/json' };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.Cookie = cookie;
    const res = await exchange('GET', url, { headers });
    this.store(url, res.raw.headers.getSetCookie());
    const loc = res.raw.headers.get('location');
    res.location = loc ? new URL(loc, url).href : undefined;
    this.history.push({ url, status: res.status, location: res.location });
    return res;
  }

  // A navigation that must answer with a redirect: its Location.
  async redirect(url) {
    const res = await this.get(url);
    c.check(res, [302, 303].includes(res.status) && res.location,
      `GET ${url.split('?')[0]} should redirect (302/303 with Location), ` +
      `got ${res.status}`);
    return { res, location: res.location, params: params(res.location) };
  }
}

// --- expectations on redirects -------------------------------------------

// The redirect must go to `prefix` and carry `name` (a challenge), not an
// error.
function wantParam(res, location, prefix, name) {
  const p = params(location);
  c.check(res, !p.error, `expected a redirect with ${name}, got error ` +
    `${p.error}: ${p.error_description || ''} (${location})`);
  c.check(res, location.startsWith(prefix),
    `expected a redirect to ${prefix}..., got ${location}`);
  c.check(res, typeof p[name] === 'string' && p[name].length > 0,
    `the redirect to ${location.split('?')[0]} has no ${name}`);
  return p[name];
}

// The redirect back to the client: code and the same state, or an error.
function atClient(res, location, redirectUri, state) {
  c.check(res, location.split(/[?#]/)[0] === redirectUri,
    `expected the redirect back to the client (${redirectUri}), got ${location}`);
  const p = params(location);
  c.check(res, p.state === state,
    `state should come back unchanged (${state}), got ${JSON.stringify(p.state)}`);
  return p;
}

// --- ID tokens ------------------------------------------------------------

const ALGS = {
  RS256: ['sha256', {}], RS384: ['sha384', {}], RS512: ['sha512', {}],
  PS256: ['sha256', { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  PS384: ['sha384', { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }],
  PS512: ['sha512', { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }],
  ES256: ['sha256', { dsaEncoding: 'ieee-p1363' }],
  ES384: ['sha384', { dsaEncoding: 'ieee-p1363' }],
  ES512: ['sha512', { dsaEncoding: 'ieee-p1363' }],
  EdDSA: [null, {}],
};

function decodeJwt(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) throw new c.StepError(`not a compact JWS: ${token}`);
  const [h, p] = parts.slice(0, 2).map((s) => JSON.parse(Buffer.from(s, 'base64url')));
  return { header: h, payload: p, parts };
}

// OpenID Connect Core §3.1.3.6: the left half of the hash of the ASCII
// token, with the hash of the ID token's alg.
function halfHash(alg, value) {
  const hash = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }[alg.slice(-3)] ||
    (alg === 'EdDSA' ? 'sha512' : 'sha256');
  const d = crypto.createHash(hash).update(value, 'ascii').digest();
  return b64u(d.subarray(0, d.length / 2));
}

// Verify an ID token's signature with the issuer's JWK Set and check
// iss, aud, exp, iat, nonce and at_hash.  `res` is the response that
// carried the token (for failure reports).  Returns the claims.
async function checkIdToken(res, token, { jwksUri, issuer, clientId, nonce,
  accessToken }) {
  const { header, payload, parts } = decodeJwt(token);
  const jwks = await exchange('GET', jwksUri);
  c.check(jwks, jwks.status === 200 && Array.isArray(jwks.data.keys),
    `GET ${jwksUri} should give a JWK Set`);
  const alg = ALGS[header.alg];
  c.check(res, alg, `ID token alg ${header.alg} is not one a client accepts`);
  const jwk = jwks.data.keys.find((k) => k.kid === header.kid);
  c.check(res, jwk, `ID token kid ${header.kid} is not in ${jwksUri}`);
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const ok = crypto.verify(alg[0], Buffer.from(`${parts[0]}.${parts[1]}`),
    Object.assign({ key }, alg[1]), Buffer.from(parts[2], 'base64url'));
  c.check(res, ok, `ID token signature does not verify with key ${header.kid}`);
  const now = Math.floor(Date.now() / 1000);
  const p = payload;
  c.check(res, p.iss === issuer, `ID token iss ${p.iss}, expected ${issuer}`);
  const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
  c.check(res, aud.includes(clientId), `ID token aud ${JSON.stringify(p.aud)} ` +
    `does not hold the client ${clientId}`);
  c.check(res, aud.length === 1 || p.azp === clientId,
    'ID token with several audiences must name the client in azp');
  c.check(res, typeof p.sub === 'string' && p.sub.length > 0, 'ID token sub missing');
  c.check(res, Number.isInteger(p.exp) && p.exp > now, `ID token exp ${p.exp} not in the future`);
  c.check(res, Number.isInteger(p.iat) && p.iat <= now + 60, `ID token iat ${p.iat}`);
  if (nonce !== undefined) {
    c.check(res, p.nonce === nonce, `ID token nonce ${p.nonce}, expected ${nonce}`);
  }
  if (accessToken !== undefined) {
    c.check(res, p.at_hash === halfHash(header.alg, accessToken),
      `ID token at_hash ${p.at_hash} does not match the access token`);
  }
  return { header, claims: p };
}

module.exports = {
  random, pkce, params, exchange, json, form, basic, Browser, wantParam,
  atClient, decodeJwt, halfHash, checkIdToken,
};
