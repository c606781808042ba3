/*
 * clients.h: OAuth 2.0 client records, shared by every management
 * dialect (Hydra's /clients, Authentiq's /client, Dynamic Client
 * Registration's /oauth2/register, and /v1/applications), the CLI and
 * the authorization server.
 *
 * A client record is a JSON object whose members are Hydra 2.x's
 * oAuth2Client fields (client_id, client_name, grant_types, ...), all
 * present after oclient_build() with their defaults, plus the members
 * the other dialects need (application_type, default_max_age,
 * default_scopes, app_id, description, require_pkce, supported_prompts,
 * enforce_par, require_pushed_authorization_requests (RFC 9126 §6;
 * the applications dialect's enforce_par), device_authorization,
 * session_expiration, max_refresh_rotate), plus internal members whose
 * names start with '_' (the secret's hash "_secret", a
 * client_secret_jwt client's sealed secret "_sealed_secret", the
 * registration access token's hash
 * "_rat", the record version "_v", and "_epoch", which every stateless access
 * token of the client carries (tokens.h): random, made anew when the
 * client is created and by DELETE /oauth2/tokens, which voids them).  Internal members never leave
 * lib/: every view for a response is built with oclient_view_*() or
 * strips them with oclient_public().
 *
 * The per-grant lifespans (authorization_code_grant_access_token_lifespan
 * and the nine others) are stored as integer seconds, or null for "use
 * the configured ttl"; views render them as Go durations ("1h0m0s"),
 * as Hydra does.  created_at and updated_at are RFC 3339 UTC strings.
 *
 * Records live in the "clients" database, keyed by client_id, with an
 * index "clients_by_app" (app_id NUL client_id -> empty) for
 * applications.  See schema/store.md.
 *
 * The authorization server reads a client decoded, as struct oclient
 * (below: oclient_find(), oclient_fetch()); the management dialects
 * work on the JSON record.
 */
#ifndef OIDCGI_CLIENTS_H
#define OIDCGI_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct oarena;
struct oclient;
struct oerr;
struct ostore_txn;

#define OCLIENT_ID_MAX		255	/* bytes of a client_id */
#define OCLIENT_SECRET_MIN	16	/* bytes of a chosen secret (128 bits
					   at best; Hydra's 6 is guessable) */
#define OCLIENT_SECRET_MAX	1024
#define OCLIENT_SECRET_BYTES	32	/* random bytes of a generated one */
/* base64url of OCLIENT_SECRET_BYTES, plus NUL */
#define OCLIENT_SECRET_LEN	44
#define OCLIENT_EPOCH_LEN	12	/* characters of "_epoch" */
/* base64url of a sealed secret of OCLIENT_SECRET_MAX bytes */
#define OCLIENT_SEALED_MAX	1405

/* Flags of oclient_build(). */
#define OCLIENT_DCR		0x01	/* self-registration (RFC 7591):
					   server-chosen id and secret; no
					   metadata, owner, skip_consent,
					   access_token_strategy, lifespans */
#define OCLIENT_GEN_ID		0x02	/* ignore a client_id in the input
					   and generate a UUIDv4 */
#define OCLIENT_GEN_SECRET	0x04	/* ignore a client_secret in the
					   input and generate one */
#define OCLIENT_KEEP_SECRET	0x08	/* update: keep the old secret when
					   the input has none */
#define OCLIENT_MERGE		0x10	/* update: every member absent from
					   the input keeps its old value
					   (dialects that see only some
					   members; an explicit null resets
					   a member to its default); without
					   it, absent Hydra members take
					   their defaults and only the other
					   dialects' members are kept.  With
					   OCLIENT_DCR, the members only the
					   operator may set are always kept */

/*
 * Validate in (a JSON object in Hydra's oAuth2Client shape, as a
 * dialect has mapped its own input into it) and build a complete client
 * record from it: every field present, defaults applied (grant_types
 * ["authorization_code"], response_types ["code"],
 * token_endpoint_auth_method "client_secret_basic", scope
 * "offline_access offline openid", subject_type "public",
 * application_type "web", ...), created_at/updated_at set (created_at
 * and the internal members kept from old when old is not NULL, i.e. on
 * update), and the secret hashed.
 *
 * The secret: a client_secret in the input is hashed with PBKDF2
 * (chosen secrets may be guessable); when there is none (or with
 * OCLIENT_GEN_SECRET) and the auth method needs one, a 256-bit secret is
 * generated and hashed with a keyed HMAC.  With OCLIENT_KEEP_SECRET and
 * no secret in the input, old's hash is kept.  The plain secret, when a
 * new one was set, is written to secret_out (OCLIENT_SECRET_MAX + 1
 * bytes) for the response that returns it once; otherwise secret_out is
 * "".  A client with token_endpoint_auth_method "none" has no secret.
 *
 * Returns a new record, or NULL with a 400 naming the field in err
 * (invalid_client_metadata or invalid_redirect_uri for OCLIENT_DCR, as
 * RFC 7591 §3.2.2 requires; invalid_request otherwise).
 */
json_t	*oclient_build(const json_t *in, const json_t *old, unsigned flags,
	    char *secret_out, struct oerr *err);

/*
 * Whole operations, each in one write (or read) transaction of its own,
 * for handlers that need nothing more.  The records returned are new
 * references; secret_out as for oclient_build().
 */
json_t	*oclient_create(const json_t *in, unsigned flags, char *secret_out,
	    struct oerr *err);
/* Replace client id with in (id in the input, if any, must match). */
json_t	*oclient_update(const char *id, const json_t *in, unsigned flags,
	    char *secret_out, struct oerr *err);
json_t	*oclient_get(const char *id, struct oerr *err);
/*
 * oclient_get() through oclient_load_cached(): SHARED, never modified.
 * The protocol reads clients decoded instead: oclient_fetch().
 */
json_t	*oclient_get_cached(const char *id, struct oerr *err);

/*
 * Store operations, inside a transaction (see store.h).  Records are
 * new references the caller releases.
 */
/* Insert a new record; a client_id that exists is a 409 conflict. */
int	 oclient_insert(struct ostore_txn *, const json_t *rec,
	    struct oerr *err);
/* Replace an existing record (404 when there is none). */
int	 oclient_replace(struct ostore_txn *, const json_t *rec,
	    struct oerr *err);
/*
 * Load a record by client_id.  Returns it, or NULL with a 404 (or 500)
 * in err.
 */
json_t	*oclient_load(struct ostore_txn *, const char *id,
	    struct oerr *err);
/*
 * The same, from the per-process cache of decoded clients
 * (oclient_find(): never stale; a record that does not decode is a
 * 500).  The record is SHARED: a new reference the caller must release
 * and MUST NOT MODIFY.
 */
json_t	*oclient_load_cached(struct ostore_txn *, const char *id,
	    struct oerr *err);
/*
 * Void every stateless token of client id issued so far (tokens.h): it
 * gets a new "_epoch".  404 when there is no such client.
 */
int	 oclient_void_tokens(struct ostore_txn *, const char *id,
	    struct oerr *err);
/*
 * Delete the record of client id and its index entries, nothing else:
 * deleting a client is olife_client_remove() (lifecycle.h), which takes
 * its tokens and consents with it.  404 when absent.
 */
int	 oclient_erase(struct ostore_txn *, const char *id,
	    struct oerr *err);

struct oclient_filter {
	const char	*client_name;	/* exact match, or NULL */
	const char	*owner;		/* exact match, or NULL */
	const char	*app_id;	/* exact match, or NULL */
};

/*
 * List the records matching the filter, in client_id order, skipping
 * offset of them and returning at most limit in a new JSON array.
 * *total is the number of matching records.  NULL on store failure.
 */
json_t	*oclient_list(struct ostore_txn *, const struct oclient_filter *,
	    size_t offset, size_t limit, size_t *total, struct oerr *err);

/*
 * Check a client's secret in constant time against the hash of its
 * record (any of the configured secrets.system keys for generated
 * secrets).  A secret verified once is remembered per process (as an
 * HMAC under a random key) with the hash it matched, so that the next
 * check of the same secret against the same hash costs one HMAC.
 * Returns 1 if it matches, 0 otherwise (also for clients without one).
 */
int	 oclient_secret_ok(const struct oclient *, const char *secret);

/*
 * The plain secret of a client_secret_jwt client (RFC 7523 §2.2: the
 * HMAC key of its assertions), opened from the record's
 * "_sealed_secret" (AES-256-GCM under a key derived from the system
 * secrets; only such clients have one).  Written NUL-terminated to out
 * (outsz bytes, OCLIENT_SECRET_MAX + 1 is enough), its length to
 * *outlen.  The caller wipes it (ocrypto_wipe()) after use and never
 * logs it.  Returns 1, or 0 (logged) when the client has none or it
 * cannot be opened.
 */
int	 oclient_secret_open(const struct oclient *, char *out, size_t outsz,
	    size_t *outlen);

/*
 * Set the registration access token (RFC 7592) of a record: a fresh
 * 256-bit token is written to token_out (OCLIENT_SECRET_LEN bytes) and
 * only its keyed hash is kept in the record.
 */
void	 oclient_rat_new(json_t *rec, char *token_out);
/* 1 if token is the record's registration access token (constant time). */
int	 oclient_rat_ok(const json_t *rec, const char *token);

/*
 * The record as Hydra's oAuth2Client (2.x field set, which 1.x SDKs
 * read too): internal members and non-Hydra members removed,
 * lifespans as Go durations.  When secret is not NULL and not "", it is
 * included as client_secret.  A new reference.
 */
json_t	*oclient_view_hydra(const json_t *rec, const char *secret);

/*
 * Does the redirect URI uri match one that the client rec registered?
 * Exactly, or on a loopback IP literal with any port (RFC 8252 §7.3):
 * see ourl_redirect_match().  Returns 1 or 0.
 */
int	 oclient_redirect_ok(const json_t *rec, const char *uri);

/*
 * The URIs of client metadata in in (Hydra's shape) that the server
 * itself requests or hands out for requests: backchannel_logout_uri,
 * frontchannel_logout_uri, jwks_uri, sector_identifier_uri and
 * request_uris.  A host that is or resolves to an internal address
 * (loopback, private, link-local, unspecified, ...: see
 * ourl_host_internal()) is refused for self-registration
 * (OCLIENT_DCR) and, when clients.http.disallow_private_ip_ranges is
 * set, for every client; otherwise it is logged as a warning (the
 * operator is trusted).  A URI listed in
 * clients.http.private_ip_exception_urls (exactly) is allowed.  URIs
 * that do not parse are left to oclient_build().  A
 * sector_identifier_uri is fetched (https, ocurl_get()), and its
 * document, a JSON array of URLs, must list every one of in's
 * redirect_uris (OpenID Connect Registration §5).  It resolves names
 * (getaddrinfo(3)) and fetches: call it outside a store transaction.
 * Returns 1, or 0 with a 400 naming the field in err
 * (invalid_client_metadata for OCLIENT_DCR, else invalid_request).
 */
int	 oclient_uris_check(const json_t *in, unsigned flags,
	    struct oerr *err);

/* Seconds as a Go duration ("1h0m0s", "90s" -> "1m30s"). */
void	 oclient_duration_str(long long secs, char *buf, size_t sz);

/*
 * The number of client records, inside a transaction (see store.h).
 * Returns 1 with *n set, or 0 with a 500 in err.
 */
int	 oclient_count(struct ostore_txn *, size_t *n, struct oerr *err);

/*
 * THE DECODED CLIENT.  The protocol reads a client through struct
 * oclient, decoded once from the stored record (the management
 * dialects keep working on the JSON, which rec gives).  Strings are
 * borrowed from rec and live as long as the struct; "" when the record
 * has the member empty or absent.  A member absent from the record
 * (only hand-made records lack any: oclient_build() writes them all)
 * decodes as empty, false, 0, an empty set or not set, and an enum as
 * its first value (client_secret_basic, public, the configured
 * strategy); a member of the wrong type or an unknown value makes the
 * record damaged.
 */

/* token_endpoint_auth_method */
enum oclient_auth {
	OCLIENT_AUTH_BASIC,		/* client_secret_basic */
	OCLIENT_AUTH_POST,		/* client_secret_post */
	OCLIENT_AUTH_JWT,		/* private_key_jwt */
	OCLIENT_AUTH_NONE,		/* none: a public client */
	OCLIENT_AUTH_SECRET_JWT		/* client_secret_jwt */
};

/* grant_types: bits of struct oclient's grant_types. */
enum oclient_grant {
	OCLIENT_GT_CODE = 0x01,		/* authorization_code */
	OCLIENT_GT_IMPLICIT = 0x02,	/* implicit */
	OCLIENT_GT_REFRESH = 0x04,	/* refresh_token */
	OCLIENT_GT_CC = 0x08,		/* client_credentials */
	OCLIENT_GT_JWT_BEARER = 0x10,	/* urn:...:grant-type:jwt-bearer */
	OCLIENT_GT_TOKEN_EXCHANGE = 0x20 /* urn:...:token-exchange */
};

/*
 * The parts of a response type; a registered response type is a set
 * of them ("code id_token" is OCLIENT_RT_CODE | OCLIENT_RT_IDTOKEN),
 * and struct oclient's response_types has the bit OCLIENT_RT_BIT(set)
 * for each one registered.  The values are authorize.h's
 * OAUTHORIZE_CODE, _TOKEN and _IDTOKEN.
 */
enum oclient_rt {
	OCLIENT_RT_CODE = 0x1,
	OCLIENT_RT_TOKEN = 0x2,
	OCLIENT_RT_IDTOKEN = 0x4
};
#define OCLIENT_RT_BIT(set)	(1u << ((set) & 7))

/* access_token_strategy */
enum oclient_strategy {
	OCLIENT_AT_DEFAULT,		/* "": the configured strategy */
	OCLIENT_AT_OPAQUE,		/* "opaque" */
	OCLIENT_AT_JWT			/* "jwt" */
};

/* subject_type */
enum oclient_subject {
	OCLIENT_SUB_PUBLIC,
	OCLIENT_SUB_PAIRWISE
};

/* userinfo_signed_response_alg */
enum oclient_userinfo {
	OCLIENT_USERINFO_NONE,		/* "none": plain JSON */
	OCLIENT_USERINFO_RS256		/* a signed JWT */
};

/* The per-grant lifespans, indexes of struct oclient's lifespans. */
enum oclient_lifespan {
	OCLIENT_LS_CODE_AT,	/* authorization_code_grant_access_token_ */
	OCLIENT_LS_CODE_ID,	/* authorization_code_grant_id_token_ */
	OCLIENT_LS_CODE_RT,	/* authorization_code_grant_refresh_token_ */
	OCLIENT_LS_CC_AT,	/* client_credentials_grant_access_token_ */
	OCLIENT_LS_IMPLICIT_AT,	/* implicit_grant_access_token_ */
	OCLIENT_LS_IMPLICIT_ID,	/* implicit_grant_id_token_ */
	OCLIENT_LS_JWT_AT,	/* jwt_bearer_grant_access_token_ */
	OCLIENT_LS_REFRESH_AT,	/* refresh_token_grant_access_token_ */
	OCLIENT_LS_REFRESH_ID,	/* refresh_token_grant_id_token_ */
	OCLIENT_LS_REFRESH_RT,	/* refresh_token_grant_refresh_token_ */
	OCLIENT_LS_N
};

/* The member name of each lifespan (Hydra 2.x), by enum oclient_lifespan. */
extern const char *const oclient_lifespan_names[OCLIENT_LS_N];

struct ojwks;

struct oclient {
	const json_t	*rec;		/* the stored record (held) */
	const char	*id;		/* client_id, never "" */
	enum oclient_auth auth;		/* token_endpoint_auth_method */
	const char	*auth_alg;	/* token_endpoint_auth_signing_alg,
					   "" for any */
	unsigned	 grant_types;	/* OCLIENT_GT_* */
	unsigned	 response_types; /* OCLIENT_RT_BIT(...) */
	const char	**redirect_uris;
	size_t		 nredirect_uris;
	const char	**post_logout_redirect_uris;
	size_t		 npost_logout_redirect_uris;
	const char	**request_uris;	/* OpenID Connect Core §6.2 */
	size_t		 nrequest_uris;
	const char	*scope;		/* space-separated, as stored */
	const char	**scopes;	/* its words */
	size_t		 nscopes;
	const char	**audience;
	size_t		 naudience;
	/*
	 * The registered "jwks": the JSON (NULL when not set) and its keys
	 * (NULL when not set or not usable, jwks_error then says why).
	 */
	const json_t	*jwks_json;
	struct ojwks	*jwks;
	char		*jwks_error;
	const char	*jwks_uri;
	const char	*request_object_alg;	/* request_object_signing_alg */
	enum oclient_userinfo userinfo_alg;
	int		 require_pkce;	/* PKCE asked for (public clients
					   need it anyway) */
	int		 require_par;	/* require_pushed_authorization_
					   requests (RFC 9126 §6) */
	int		 dpop_bound;	/* dpop_bound_access_tokens
					   (RFC 9449 §5.2) */
	/* default_max_age: seconds, 0 for none (the max_age of requests
	   without one) */
	int64_t		 default_max_age;
	enum oclient_strategy strategy;	/* access_token_strategy */
	/*
	 * Seconds, or 0 when not set (the record's null: the configured
	 * ttl applies); see oclient_lifespan().
	 */
	int64_t		 lifespans[OCLIENT_LS_N];
	int		 skip_consent;
	int		 skip_logout_consent;
	const char	*frontchannel_logout_uri;
	int		 frontchannel_session_required;
	const char	*backchannel_logout_uri;
	int		 backchannel_session_required;
	enum oclient_subject subject_type;
	const char	*sector_identifier_uri;
	const char	*app_id;
	const char	*epoch;		/* "_epoch" of its stateless tokens */
	const char	*secret_hash;	/* "_secret", NULL when it has none */
	const char	*secret_sealed;	/* "_sealed_secret" (client_secret_jwt
					   only), NULL when it has none */
	int64_t		 secret_expires_at;	/* 0: never */
	unsigned	 refs;		/* private: oclient_release() */
};

/*
 * Decode rec (a client record, a reference is taken).  Returns a new
 * struct oclient (release it with oclient_release()), or NULL with a
 * 500 naming the client and the member in err when rec is damaged.
 */
struct oclient	*oclient_decode(const json_t *rec, struct oerr *err);

/*
 * Client id, decoded, through a per-process cache checked against the
 * stored bytes on every call (never stale), inside a transaction (see
 * store.h).  The struct is SHARED: never modify it; release it with
 * oclient_release().  Returns it, or NULL with a 404 (no such client),
 * or a 500 (the store failed, the record is damaged) in err.
 */
const struct oclient *oclient_find(struct ostore_txn *, const char *id,
		    struct oerr *err);
/* oclient_find() in a read transaction of its own. */
const struct oclient *oclient_fetch(const char *id, struct oerr *err);
/* Let go of a client from the functions above; NULL is fine. */
void		 oclient_release(const struct oclient *);

/* The name of an auth method ("client_secret_basic", ...). */
const char	*oclient_auth_name(enum oclient_auth);
/* The OCLIENT_GT_* bit of a grant type's name, or 0 when unknown. */
unsigned	 oclient_grant_bit(const char *name);
/*
 * 1 if the client registered the response type of these parts
 * (OCLIENT_RT_*), else 0.
 */
int		 oclient_has_rt(const struct oclient *, unsigned parts);
/* 1 if the client's scope has the word w, else 0. */
int		 oclient_has_scope(const struct oclient *, const char *w);
/* 1 if the client's audience lists aud, else 0. */
int		 oclient_has_audience(const struct oclient *,
		    const char *aud);
/*
 * The token exchange policy (RFC 8693), the client's "token_exchange"
 * member: {"subject_clients": [client_id, ...], "audiences": [...],
 * "subject_issuers": [issuer URL, ...]}, all optional ("*" in any
 * matches anything).  A client may exchange the tokens issued to
 * itself and to the subject_clients (oclient_exchange_from()), JWTs of
 * the trusted issuers its subject_issuers lists (none by default;
 * oclient_exchange_issuer()), and ask for a target (audience or
 * resource) among its registered audience and the audiences
 * (oclient_exchange_target()).  Each returns 1 if allowed, else 0.
 */
int		 oclient_exchange_from(const struct oclient *,
		    const char *client_id);
int		 oclient_exchange_target(const struct oclient *,
		    const char *target);
int		 oclient_exchange_issuer(const struct oclient *,
		    const char *issuer);
/* oclient_redirect_ok() for a decoded client. */
int		 oclient_redirect_allowed(const struct oclient *,
		    const char *uri);
/* 1 if uri is one of the post_logout_redirect_uris (exactly). */
int		 oclient_post_logout_ok(const struct oclient *,
		    const char *uri);
/*
 * The client's <grant>_grant_<token>_lifespan in seconds: grant is
 * "authorization_code", "implicit", "refresh_token",
 * "client_credentials" or "jwt_bearer", token "access_token",
 * "id_token" or "refresh_token".  0 when the client sets none (or the
 * pair does not exist).
 */
int64_t		 oclient_lifespan(const struct oclient *, const char *grant,
		    const char *token);

#endif
