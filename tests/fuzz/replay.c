/*
 * replay.c: a plain main() for a fuzz target, without libFuzzer, so that
 * a gcc build (with ASan and UBSan under make asan) runs the target over
 * its corpus.  Each argument is a file or a folder; every regular file
 * of a folder (not recursively, hidden files skipped) is one input.
 * Without arguments, replay_<name> runs tests/fuzz/corpus/<name>/ (from
 * the top of the source tree, as tests/unit/run starts it).
 * Prints "N passed, 0 failed" in the unit tests' shape; a failing input
 * crashes the process, after its name is printed to stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

#include "fuzz.h"

/* Targets without an LLVMFuzzerInitialize() leave this NULL. */
#pragma weak LLVMFuzzerInitialize

static size_t	 ninputs;
static const char *current;	/* the input being run, for a crash */

/* Name the input that crashed (a sanitizer report, or abort()). */
static void
say_current(void)
{
	if (current != NULL)
		fprintf(stderr, "replay: the failing input is %s\n",
		    current);
}

static void
on_abort(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Run the target on the contents of one file.  Returns 1, or 0. */
static int
replay_file(const char *path)
{
	FILE		*f;
	unsigned char	*buf = NULL;
	size_t		 len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 0;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap * 2 + 4096;
			if ((buf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: realloc\n");
				abort();
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		free(buf);
		return 0;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees reads past the input's end. */
	{
		unsigned char *in = malloc(len > 0 ? len : 1);

		if (in == NULL)
			abort();
		memcpy(in, buf, len);
		free(buf);
		current = path;
		LLVMFuzzerTestOneInput(in, len);
		current = NULL;
		free(in);
	}
	ninputs++;
	return 1;
}

static int
replay_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096];
	struct stat	 st;
	int		 ok = 1;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (!replay_file(path))
			ok = 0;
	}
	closedir(d);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	char		 dflt[256];
	const char	*name;
	int		 i, ok = 1;

#ifdef __SANITIZE_ADDRESS__
	__sanitizer_set_death_callback(say_current);
#endif
	signal(SIGABRT, on_abort);
	signal(SIGSEGV, on_abort);
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc == 1) {
		name = strrchr(argv[0], '/') != NULL ?
		    strrchr(argv[0], '/') + 1 : argv[0];
		if (strncmp(name, "replay_", 7) == 0)
			name += 7;
		snprintf(dflt, sizeof(dflt), "tests/fuzz/corpus/%s", name);
		ok = replay_dir(dflt);
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			ok = 0;
		} else if (S_ISDIR(st.st_mode))
			ok &= replay_dir(argv[i]);
		else
			ok &= replay_file(argv[i]);
	}
	if (ninputs == 0) {
		fprintf(stderr, "replay: no input\n");
		ok = 0;
	}
	printf("%zu passed, %d failed\n", ninputs, ok ? 0 : 1);
	return ok ? 0 : 1;
}
