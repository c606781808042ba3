/*
 * users.c: "oidcgi users ...", the user store of the bundled login app
 * (lib/records/users.h), on the data directory itself, with JSON output; and
 * "oidcgi demo", the demo user and client of a fresh data directory.
 *
 *   oidcgi users add USERNAME [--password-file FILE] [--claim NAME=VALUE]...
 *   oidcgi users get USERNAME
 *   oidcgi users list
 *   oidcgi users passwd USERNAME [--password-file FILE]
 *   oidcgi users set-claim USERNAME CLAIM VALUE
 *   oidcgi users set-claim USERNAME CLAIM --unset
 *   oidcgi users delete USERNAME
 *
 * A password is never an argument (argv is visible to every user of
 * the machine): it is the first line of FILE ("-" for standard input),
 * or of standard input, which is read without echo when it is a
 * terminal.  Claim values: true or false for email_verified and
 * phone_number_verified, a JSON object for address, text otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "records/users.h"
#include "cli.h"

#define PW_BUF	(OUSER_PASSWORD_MAX + 3)

/* Print a JSON value on stdout, one line. */
static void
print(const json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT);

	puts(s);
	free(s);
}

static int
fail(const struct oerr *err)
{
	fprintf(stderr, "oidcgi: %s\n", err->description);
	return 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: oidcgi users add USERNAME [--password-file "
	    "FILE] [--claim NAME=VALUE]...\n"
	    "       oidcgi users get USERNAME | list | delete USERNAME\n"
	    "       oidcgi users passwd USERNAME [--password-file FILE]\n"
	    "       oidcgi users set-claim USERNAME CLAIM VALUE|--unset\n"
	    "(passwords come from FILE, \"-\" or standard input, never "
	    "from the command line)\n");
}

/*
 * Read the first line of f into buf (PW_BUF bytes), without its line
 * end.  Returns 1, or 0 with a message printed.
 */
static int
read_line(FILE *f, const char *what, char *buf)
{
	size_t	 n;

	if (fgets(buf, PW_BUF, f) == NULL) {
		fprintf(stderr, "oidcgi: %s: no password to read%s%s\n", what,
		    ferror(f) ? ": " : "", ferror(f) ? strerror(errno) : "");
		return 0;
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == PW_BUF - 1) {
		fprintf(stderr, "oidcgi: %s: the password is longer than %d "
		    "bytes\n", what, OUSER_PASSWORD_MAX);
		return 0;
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 1;
}

/*
 * The password: from file (NULL or "-": standard input, without echo
 * and with a prompt when it is a terminal).  Returns 1, or 0 with a
 * message printed.
 */
static int
read_password(const char *file, char *buf)
{
	struct termios	 old, quiet;
	FILE		*f;
	int		 ok, tty;

	if (file != NULL && strcmp(file, "-") != 0) {
		if ((f = fopen(file, "r")) == NULL) {
			fprintf(stderr, "oidcgi: %s: %s\n", file,
			    strerror(errno));
			return 0;
		}
		ok = read_line(f, file, buf);
		fclose(f);
		return ok;
	}
	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fputs("Password: ", stderr);
		fflush(stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = read_line(stdin, "standard input", buf);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return ok;
}

/* oidcgi users add USERNAME [--password-file FILE] [--claim N=V]... */
static int
add(int argc, char *argv[])
{
	struct oerr	 err;
	const char	*file = NULL;
	char		 pw[PW_BUF], *eq, *name;
	json_t		*claims = json_object(), *v, *view = NULL;
	int		 k, rc = 2;

	oerr_clear(&err);
	for (k = 1; k < argc; k += 2) {
		if (strcmp(argv[k], "--password-file") != 0 &&
		    strcmp(argv[k], "--claim") != 0) {
			fprintf(stderr, "oidcgi: %s: unknown flag (a password "
			    "is read from standard input or "
			    "--password-file)\n", argv[k]);
			goto out;
		}
		if (k + 1 == argc) {
			fprintf(stderr, "oidcgi: %s: needs a value\n", argv[k]);
			goto out;
		}
		if (strcmp(argv[k], "--password-file") == 0)
			file = argv[k + 1];
		else if (strcmp(argv[k], "--claim") == 0 &&
		    (eq = strchr(argv[k + 1], '=')) != NULL) {
			name = oxstrndup(argv[k + 1],
			    (size_t)(eq - argv[k + 1]));
			v = ouser_claim_parse(name, eq + 1, &err);
			if (v != NULL)
				json_object_set_new(claims, name, v);
			free(name);
			if (v == NULL) {
				rc = fail(&err);
				goto out;
			}
		} else {
			fprintf(stderr, "oidcgi: --claim %s: not NAME=VALUE\n",
			    argv[k + 1]);
			goto out;
		}
	}
	rc = 1;
	if (!ouser_name_ok(argv[0], &err))
		rc = fail(&err);
	else if (read_password(file, pw)) {
		if ((view = ouser_create(argv[0], pw, claims, &err)) == NULL)
			rc = fail(&err);
		else {
			print(view);
			rc = 0;
		}
	}
	ocrypto_wipe(pw, sizeof(pw));
out:
	json_decref(view);
	json_decref(claims);
	return rc;
}

/* oidcgi users passwd USERNAME [--password-file FILE] */
static int
passwd(int argc, char *argv[])
{
	struct oerr	 err;
	char		 pw[PW_BUF];
	json_t		*view;
	int		 rc = 1;

	oerr_clear(&err);
	if (argc != 1 && (argc != 3 || strcmp(argv[1], "--password-file") !=
	    0)) {
		usage();
		return 2;
	}
	/* Say so before asking for a password a missing user can't use. */
	if ((view = ouser_get(argv[0], &err)) == NULL)
		return fail(&err);
	if (read_password(argc == 3 ? argv[2] : NULL, pw)) {
		if (!ouser_passwd(argv[0], pw, &err))
			rc = fail(&err);
		else {
			print(view);
			rc = 0;
		}
	}
	ocrypto_wipe(pw, sizeof(pw));
	json_decref(view);
	return rc;
}

/* oidcgi users set-claim USERNAME CLAIM VALUE|--unset */
static int
set_claim(int argc, char *argv[])
{
	struct oerr	 err;
	json_t		*v = NULL, *view;

	oerr_clear(&err);
	if (argc != 3) {
		usage();
		return 2;
	}
	if (strcmp(argv[2], "--unset") != 0 &&
	    (v = ouser_claim_parse(argv[1], argv[2], &err)) == NULL)
		return fail(&err);
	view = ouser_set_claim(argv[0], argv[1], v, &err);
	json_decref(v);
	if (view == NULL)
		return fail(&err);
	print(view);
	json_decref(view);
	return 0;
}

int
cmd_users(int argc, char *argv[])
{
	struct oerr	 err;
	json_t		*j;

	oerr_clear(&err);
	if (argc >= 2 && strcmp(argv[0], "add") == 0)
		return add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "passwd") == 0)
		return passwd(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "set-claim") == 0)
		return set_claim(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[0], "get") == 0) {
		if ((j = ouser_get(argv[1], &err)) == NULL)
			return fail(&err);
	} else if (argc == 1 && strcmp(argv[0], "list") == 0) {
		if ((j = ouser_list(&err)) == NULL)
			return fail(&err);
	} else if (argc == 2 && strcmp(argv[0], "delete") == 0) {
		return olife_user_delete(argv[1], &err) ? 0 : fail(&err);
	} else {
		usage();
		return 2;
	}
	print(j);
	json_decref(j);
	return 0;
}

/* 1 if the store holds no user and no client. */
static int
store_empty(void)
{
	struct ostore_txn	*t;
	struct oerr		 err;
	size_t			 nu = 1, nc = 1;

	oerr_clear(&err);
	if ((t = ostore_read_begin(NULL)) == NULL)
		return 0;
	if (!ouser_count(t, &nu, &err) || !oclient_count(t, &nc, &err))
		nu = 1;
	ostore_read_end(t);
	return nu == 0 && nc == 0;
}

/*
 * oidcgi demo: on a store without users and clients, create the user
 * "demo" (a random password) and the confidential client "demo" (a
 * random secret, redirect URI <issuer>ui/callback), and print how to
 * try them: the only time the password and the secret are shown.  On
 * any other store it does nothing.
 */
int
cmd_demo(int argc, char *argv[])
{
	struct oerr	 err;
	struct oarena	 a;
	char		 pw[24], state[24], secret[OCLIENT_SECRET_MAX + 1] = "";
	char		*cb, *url;
	json_t		*claims = NULL, *in = NULL, *user = NULL, *rec = NULL;
	int		 rc = 1;

	oerr_clear(&err);
	if (argc != 0) {
		fprintf(stderr, "usage: oidcgi demo\n");
		return 2;
	}
	if (!store_empty())
		return 0;
	oarena_init(&a);
	ocrypto_token(pw, sizeof(pw), 12);
	ocrypto_token(state, sizeof(state), 12);
	cb = oarena_printf(&a, "%sui/callback", oconf->issuer);
	claims = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s}", "name",
	    "Demo User", "given_name", "Demo", "family_name", "User",
	    "email", "demo@example.com", "email_verified", 1, "locale", "en",
	    "zoneinfo", "UTC");
	in = json_pack("{s:s,s:s,s:[s],s:[s,s],s:[s],s:s,s:s}",
	    "client_id", "demo", "client_name", "oidcgi demo",
	    "redirect_uris", cb, "grant_types", "authorization_code",
	    "refresh_token", "response_types", "code", "scope",
	    "openid offline_access profile email address phone",
	    "token_endpoint_auth_method", "client_secret_basic");
	if ((user = ouser_create("demo", pw, claims, &err)) == NULL ||
	    (rec = oclient_create(in, 0, secret, &err)) == NULL) {
		rc = fail(&err);
		goto out;
	}
	url = oarena_printf(&a, "%soauth2/auth?client_id=demo&response_type="
	    "code&scope=openid%%20profile%%20email&redirect_uri=%s&state=%s",
	    oconf->issuer, oform_encode(&a, cb), state);
	printf("\n"
	    "oidcgi demo: a user and a client to try the bundled sign-in\n"
	    "pages, created because the data directory was new.  This is the\n"
	    "only time the password and the secret are shown (set\n"
	    "OIDCGI_NO_DEMO=1 to start without them).\n\n"
	    "  Open this authorization URL in a browser:\n    %s\n\n"
	    "  Sign in as:    demo\n"
	    "  Password:      %s\n\n"
	    "  The client:    demo, secret %s (client_secret_basic)\n"
	    "  Redirect URI:  %s (shows the code)\n"
	    "  Then exchange the code for tokens:\n"
	    "    curl -u 'demo:%s' -d grant_type=authorization_code \\\n"
	    "      -d redirect_uri='%s' -d code=CODE \\\n"
	    "      %soauth2/token\n\n", url, pw, secret, cb, secret, cb,
	    oconf->issuer);
	fflush(stdout);
	rc = 0;
out:
	ocrypto_wipe(pw, sizeof(pw));
	ocrypto_wipe(secret, sizeof(secret));
	oarena_free(&a);
	json_decref(claims);
	json_decref(in);
	json_decref(user);
	json_decref(rec);
	return rc;
}
