/*
 * flowstate.h: the sealed flow state of an authorization (flow.h seals
 * and opens it as JSON) as structs: the validated authorization
 * request, decoded when a challenge or verifier is opened and encoded
 * when one is sealed.  The JSON keeps its member names, so that state
 * sealed by an earlier build still opens.  Decoding checks each
 * member's type: a damaged state is refused with a 400 naming the
 * member, never read as something else.
 */
#ifndef OIDCGI_FLOWSTATE_H
#define OIDCGI_FLOWSTATE_H

#include <jansson.h>

#include "base/json.h"
#include "records/flow.h"

struct oerr;

/* prompt values (OpenID Connect Core §3.1.2.1) as bits. */
#define OFSTATE_PROMPT_NONE	0x1
#define OFSTATE_PROMPT_LOGIN	0x2
#define OFSTATE_PROMPT_CONSENT	0x4
#define OFSTATE_PROMPT_SELECT	0x8	/* select_account */

/*
 * A validated authorization request, as sealed in the login challenge
 * ("req") and every state after it.  Strings are owned; NULL where the
 * parameter was not sent.
 */
struct ofstate_req {
	char		*client_id;
	char		*redirect_uri;	/* the one registered if not sent */
	char		*state;
	char		*response_type;	/* as sent */
	int		 response_mode;	/* enum oauthorize_mode */
	struct ojson_strs scope;	/* no duplicates */
	char		*nonce;
	unsigned	 prompt;	/* OFSTATE_PROMPT_* */
	long long	 max_age;	/* seconds, -1: none */
	struct ojson_strs audience;
	char		*code_challenge;
	char		*code_challenge_method;
	char		*dpop_jkt;	/* RFC 9449 §10, NULL: none */
	json_t		*id_token_hint_claims;	/* owned, NULL: no hint */
	/* Passed on to the login app as they are. */
	char		*login_hint;
	char		*acr_values;
	char		*ui_locales;
	char		*display;
};

/* Free what r owns and zero it; a zeroed r is fine. */
void	 ofstate_req_free(struct ofstate_req *r);

/* The bit of one prompt value ("none", "login", ...), 0 if unknown. */
unsigned ofstate_prompt_bit(const char *word);

/* Copy src into dst (overwritten; ofstate_req_free()). */
void	 ofstate_req_copy(struct ofstate_req *dst,
	    const struct ofstate_req *src);

/* The request as JSON (the members above; a new reference). */
json_t	*ofstate_req_json(const struct ofstate_req *r);

/*
 * Decode the JSON of a request into r (overwritten; ofstate_req_free()
 * either way).  Returns 1, or 0 with a 400 in err naming the member
 * that is missing or of the wrong type.
 */
int	 ofstate_req_decode(const json_t *j, struct ofstate_req *r,
	    struct oerr *err);

/*
 * THE LOGIN AND CONSENT STATES.  A login challenge (purpose
 * OFLOW_LOGIN) is {id, exp, requested_at, csrf, req, request_url, skip,
 * sid, subject?, auth_time?, app}; its verifier (OFLOW_LOGIN_VERIFIER)
 * the same plus what the login app answered: "login" (accepted) or
 * "error" (rejected).  A consent challenge (OFLOW_CONSENT) is {id, exp,
 * flow_exp, requested_at, csrf, req, request_url, login, sid, skip,
 * login_challenge, previous?, app}; its verifier the same plus
 * "consent" or "error".  Strings are owned; NULL where the member is
 * optional and absent.
 */

/* A login app's answer (Hydra's acceptOAuth2LoginRequest). */
struct ofstate_login_result {
	char		*subject;
	int		 remember;
	long long	 remember_for;
	char		*acr;
	long long	 auth_time;
	struct ojson_strs amr;
	json_t		*context;	/* an object, owned */
	char		*force_subject_identifier;
};

/* A consent app's answer (Hydra's acceptOAuth2ConsentRequest). */
struct ofstate_consent_result {
	int		 remember;
	long long	 remember_for;
	struct ojson_strs grant_scope;
	struct ojson_strs grant_access_token_audience;
	json_t		*session;	/* {id_token, access_token}, owned */
};

/* An app's rejection (Hydra's RequestDeniedError). */
struct ofstate_error {
	char		*error;
	char		*error_description;
	char		*error_hint;
	long long	 status_code;
};

/* A login challenge or verifier. */
struct ofstate_login {
	char		*id;
	long long	 exp;
	long long	 requested_at;
	char		*csrf;
	struct ofstate_req req;
	char		*request_url;
	int		 skip;		/* a live login session covers it */
	char		*sid;
	char		*subject;	/* skip: the session's */
	long long	 auth_time;	/* skip: the session's */
	char		*app;		/* where the challenge was sent */
	int		 has_login;	/* verifier, accepted: login */
	struct ofstate_login_result login;
	int		 has_error;	/* verifier, rejected: error */
	struct ofstate_error error;
};

/* A consent challenge or verifier. */
struct ofstate_consent {
	char		*id;
	long long	 exp;
	long long	 flow_exp;	/* 0: exp (older state) */
	long long	 requested_at;
	char		*csrf;
	struct ofstate_req req;
	char		*request_url;
	struct ofstate_login_result login;
	char		*sid;
	int		 skip;		/* a remembered consent covers it */
	char		*login_challenge;	/* the flow's login id */
	json_t		*previous;	/* skip: the consent, owned */
	char		*app;
	int		 has_consent;	/* verifier, accepted: consent */
	struct ofstate_consent_result consent;
	int		 has_error;	/* verifier, rejected: error */
	struct ofstate_error error;
};

/* Free what each owns and zero it; a zeroed one is fine. */
void	 ofstate_login_result_free(struct ofstate_login_result *);
void	 ofstate_consent_result_free(struct ofstate_consent_result *);
void	 ofstate_error_free(struct ofstate_error *);
void	 ofstate_login_free(struct ofstate_login *);
void	 ofstate_consent_free(struct ofstate_consent *);

/* Copy src into dst (overwritten; ofstate_login_result_free()). */
void	 ofstate_login_result_copy(struct ofstate_login_result *dst,
	    const struct ofstate_login_result *src);

/* As JSON (new references), the members above in their order. */
json_t	*ofstate_login_result_json(const struct ofstate_login_result *);
json_t	*ofstate_error_json(const struct ofstate_error *);
json_t	*ofstate_login_json(const struct ofstate_login *);
json_t	*ofstate_consent_json(const struct ofstate_consent *);

/*
 * Decode opened state (overwritten; free it either way).  Members this
 * build does not know are ignored.  Returns 1, or 0 with a 400 in err
 * naming the member that is missing or of the wrong type.
 */
int	 ofstate_login_result_decode(const json_t *,
	    struct ofstate_login_result *, struct oerr *);
int	 ofstate_login_decode(const json_t *, struct ofstate_login *,
	    struct oerr *);
int	 ofstate_consent_decode(const json_t *, struct ofstate_consent *,
	    struct oerr *);

/*
 * Seal (oflow_seal) and open (oflow_open, then decode) a login state
 * (OFLOW_LOGIN, OFLOW_LOGIN_VERIFIER) or a consent state (OFLOW_CONSENT,
 * OFLOW_CONSENT_VERIFIER).  Sealing returns a new string (free()).
 * Opening returns 1, or 0 with err set: oflow_open()'s 404, or the
 * decoder's 400.
 */
char	*ofstate_login_seal(enum oflow_purpose, const struct ofstate_login *);
int	 ofstate_login_open(enum oflow_purpose, const char *sealed,
	    struct ofstate_login *, struct oerr *);
char	*ofstate_consent_seal(enum oflow_purpose,
	    const struct ofstate_consent *);
int	 ofstate_consent_open(enum oflow_purpose, const char *sealed,
	    struct ofstate_consent *, struct oerr *);

/*
 * THE LOGOUT STATES.  A logout challenge (OFLOW_LOGOUT) is {id, exp,
 * requested_at, csrf, subject, sid, client_id, post_logout_redirect_uri,
 * state, rp_initiated, request_url, browser_session, app}; its verifier
 * (OFLOW_LOGOUT_VERIFIER) the same without request_url.  client_id,
 * post_logout_redirect_uri and state are "" when the request had none.
 */
struct ofstate_logout {
	char		*id;
	long long	 exp;
	long long	 requested_at;
	char		*csrf;
	char		*subject;
	char		*sid;
	char		*client_id;
	char		*post_logout_redirect_uri;
	char		*state;
	int		 rp_initiated;	/* with an id_token_hint */
	char		*request_url;	/* the challenge's; NULL: none */
	int		 browser_session; /* the browser's own session */
	char		*app;
};

void	 ofstate_logout_free(struct ofstate_logout *);
json_t	*ofstate_logout_json(const struct ofstate_logout *);
/* As ofstate_login_decode(); browser_session is 1 when absent. */
int	 ofstate_logout_decode(const json_t *, struct ofstate_logout *,
	    struct oerr *);
char	*ofstate_logout_seal(enum oflow_purpose,
	    const struct ofstate_logout *);
int	 ofstate_logout_open(enum oflow_purpose, const char *sealed,
	    struct ofstate_logout *, struct oerr *);

#endif
