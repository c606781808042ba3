/*
 * owner.c: who the oidcgi tool acts as on the data directory.
 *
 * The data directory belongs to the user the web server runs the
 * FastCGI binaries as; every file in it must too, or those binaries
 * cannot open the store ("secrets.system: Permission denied").  So:
 *
 *  - `oidcgi init --user USER` run by root creates the data directory
 *    (and its missing parents, owned by root, mode 0755) owned by USER,
 *    gives USER whatever the directory already holds, and then works as
 *    USER;
 *  - any other command run by root on a data directory that belongs to
 *    another user switches to that user (and the directory's group)
 *    before it touches anything, so the files it creates keep the
 *    directory's ownership.
 */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "cli.h"

static uid_t	 give_uid;
static gid_t	 give_gid;

static void
msgf(char *msg, size_t sz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
msgf(char *msg, size_t sz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sz, fmt, ap);
	va_end(ap);
}

/* Become uid and gid for good (supplementary groups: the user's). */
static int
become(uid_t uid, gid_t gid, char *msg, size_t sz)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) != NULL) {
		if (initgroups(pw->pw_name, gid) == -1) {
			msgf(msg, sz, "initgroups %s: %s", pw->pw_name,
			    strerror(errno));
			return 0;
		}
	} else if (setgroups(0, NULL) == -1) {
		msgf(msg, sz, "setgroups: %s", strerror(errno));
		return 0;
	}
	if (setgid(gid) == -1 || setuid(uid) == -1) {
		msgf(msg, sz, "cannot switch to uid %u: %s", (unsigned)uid,
		    strerror(errno));
		return 0;
	}
	if (setuid(0) != -1) {
		msgf(msg, sz, "could switch back to root after becoming uid "
		    "%u", (unsigned)uid);
		return 0;
	}
	return 1;
}

/* mkdir -p the parents of path (root-owned, 0755). */
static int
mkparents(const char *path, char *msg, size_t sz)
{
	char	 buf[PATH_MAX], ch;
	char	*p;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
		msgf(msg, sz, "%s: path too long", path);
		return 0;
	}
	if ((p = strrchr(buf, '/')) == NULL || p == buf)
		return 1;
	*p = '\0';
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		ch = *p;
		*p = '\0';
		if (mkdir(buf, 0755) == 0)
			(void)chmod(buf, 0755);	/* not the umask's 0700 */
		else if (errno != EEXIST) {
			msgf(msg, sz, "mkdir %s: %s", buf, strerror(errno));
			return 0;
		}
		if ((*p = ch) == '\0')
			break;
	}
	return 1;
}

static int
give(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	/* Never follows a symbolic link (FTW_PHYS, lchown). */
	if (lchown(path, give_uid, give_gid) == -1) {
		fprintf(stderr, "oidcgi: chown %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	return 0;
}

int
cli_owner(const struct oconf *c, const char *user, char *msg, size_t sz)
{
	struct passwd	*pw;
	struct stat	 st;

	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			msgf(msg, sz, "--user %s: no such user", user);
			return 0;
		}
		if (pw->pw_uid == geteuid())
			return 1;	/* oconf_secrets() makes it */
		if (geteuid() != 0) {
			msgf(msg, sz, "--user %s: only root can make a data "
			    "directory for another user", user);
			return 0;
		}
		if (!mkparents(c->data_dir, msg, sz))
			return 0;
		if (mkdir(c->data_dir, 0700) == -1 && errno != EEXIST) {
			msgf(msg, sz, "mkdir %s: %s", c->data_dir,
			    strerror(errno));
			return 0;
		}
		if (lstat(c->data_dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
			msgf(msg, sz, "%s is not a directory", c->data_dir);
			return 0;
		}
		give_uid = pw->pw_uid;
		give_gid = pw->pw_gid;
		if (nftw(c->data_dir, give, 16, FTW_PHYS) != 0) {
			msgf(msg, sz, "cannot give %s to %s", c->data_dir,
			    user);
			return 0;
		}
		if (chmod(c->data_dir, 0700) == -1) {
			msgf(msg, sz, "chmod %s: %s", c->data_dir,
			    strerror(errno));
			return 0;
		}
		if (!become(pw->pw_uid, pw->pw_gid, msg, sz))
			return 0;
		if (access(c->data_dir, R_OK | W_OK | X_OK) == -1) {
			msgf(msg, sz, "%s cannot reach %s (%s): every folder "
			    "above it must be searchable by %s (chmod o+x)",
			    user, c->data_dir, strerror(errno), user);
			return 0;
		}
		return 1;
	}
	if (geteuid() != 0 || stat(c->data_dir, &st) == -1 ||
	    st.st_uid == 0)
		return 1;
	return become(st.st_uid, st.st_gid, msg, sz);
}
