/* SPDX-License-Identifier: ISC */
/* io_output.c: output files that appear whole or not at all. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "core/io.h"

/*
 * Outputs appear whole or not at all.  The data goes to an unnamed file
 * (O_TMPFILE) in the target's directory, linked into place at the end,
 * so a process that dies at any moment, even by SIGKILL, leaves nothing.
 * Where the filesystem has no O_TMPFILE, a named temporary file is used
 * and removed at exit and on the signals rsapipe_init() catches; only a
 * SIGKILL can then leave one behind (SECURITY.md).
 */
#define MAX_PENDING 8
static char *volatile pending[MAX_PENDING];

/* Remove the named temporaries: from atexit, and from a signal handler
 * (unlink(2) is async-signal-safe; nothing is freed here). */
void
io_remove_pending(void)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending[i] != NULL) {
			unlink(pending[i]);
			pending[i] = NULL;
		}
}

/* A signal that ends the program first removes the named temporaries,
 * then ends it as the signal would have. */
static void
on_fatal_signal(int sig)
{
	io_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Catch the signals that end a program, unless the program chose what
 * they do (ignored in a background job, or handled). */
static void
catch_fatal_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

static void
track(char *tmp, int add)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(io_remove_pending);
		catch_fatal_signals();
		registered = 1;
	}
	for (i = 0; i < MAX_PENDING; i++) {
		if (add && pending[i] == NULL) {
			pending[i] = tmp;
			return;
		}
		if (!add && pending[i] == tmp) {
			pending[i] = NULL;
			return;
		}
	}
	/* No program opens more outputs than this at once. */
	if (add)
		rp_fatal("too many pending output files");
}

/* "dir/.rsapipe-tmp-XXXXXX" beside path, malloc'd. */
static char *
temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	char *tmp = rp_alloc(dirlen + sizeof(".rsapipe-tmp-XXXXXX"));

	memcpy(tmp, path, dirlen);
	strcpy(tmp + dirlen, ".rsapipe-tmp-XXXXXX");
	return tmp;
}

/* An unnamed file in path's directory into *fd, or -1 there where
 * O_TMPFILE is not supported (the caller falls back to a named one). */
static int
open_unnamed(const char *path, mode_t mode, int *fd, struct rp_error *err)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int rc;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return rp_fail(err, RP_IO, "%s: File name too long", path);
	*fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (*fd >= 0 && fchmod(*fd, mode) != 0) {
		rc = rp_fail_errno(err, RP_IO, "chmod %s", path);
		close(*fd);
		return rc;
	}
	if (*fd < 0 && errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL && errno != ENOENT)
		return rp_fail_errno(err, RP_IO, "cannot create %s", path);
	return 0;
}

/* An existing target that is not a regular file: a directory is an
 * error, a device, FIFO or socket (/dev/null, a pipe) is written in
 * place, since renaming a file over it would replace it.  Sets *fd to
 * its descriptor, or to -1 when path does not exist or is a regular
 * file. */
static int
open_special(const char *path, int no_clobber, int *fd, struct rp_error *err)
{
	struct stat st;

	*fd = -1;
	if (lstat(path, &st) != 0) {
		/* A name that cannot exist (too long, a missing directory)
		 * is refused now, before any work is done. */
		if (errno != ENOENT)
			return rp_fail_errno(err, RP_IO, "%s", path);
		return 0;
	}
	if (no_clobber)
		return rp_fail(err, RP_USAGE, "%s already exists; not "
		    "overwriting", path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return rp_fail(err, RP_USAGE, "%s is a directory", path);
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		return 0;
	if ((*fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return rp_fail_errno(err, RP_IO, "cannot open %s", path);
	return 0;
}

/* A named temporary file beside path, where O_TMPFILE is missing. */
static int
open_named(struct io_output *out, const char *path, mode_t mode,
    struct rp_error *err)
{
	/* mkostemp creates 0600 with O_EXCL; widen only if asked. */
	int rc;

	out->tmp = temp_name(path);
	if ((out->fd = mkostemp(out->tmp, O_CLOEXEC)) < 0) {
		rc = rp_fail_errno(err, RP_IO, "cannot create a temporary "
		    "file beside %s", path);
		/* No file of ours: io_output_abort() must unlink nothing. */
		free(out->tmp);
		out->tmp = NULL;
		return rc;
	}
	track(out->tmp, 1);
	if (fchmod(out->fd, mode) != 0)
		return rp_fail_errno(err, RP_IO, "chmod %s", out->tmp);
	return 0;
}

int
io_output_create(struct io_output *out, const char *path, mode_t mode,
    int no_clobber, struct rp_error *err)
{
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (path == NULL || strcmp(path, "-") == 0) {
		if ((rc = io_std_check(STDOUT_FILENO, err)) != 0)
			return rc;
		out->fd = STDOUT_FILENO;
		return 0;
	}
	if ((rc = open_special(path, no_clobber, &out->fd, err)) != 0 ||
	    out->fd >= 0)
		return rc;
	n = strlen(path) + 1;
	out->path = memcpy(rp_alloc(n), path, n);
	out->no_clobber = no_clobber;
	if ((rc = open_unnamed(path, mode, &out->fd, err)) != 0 ||
	    out->fd >= 0)
		return rc;
	return open_named(out, path, mode, err);
}

/* Six random characters of [A-Za-z0-9] over the XXXXXX at p. */
static void
random_suffix(char *p)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	int i;

	gcry_create_nonce(r, sizeof(r));
	for (i = 0; i < 6; i++)
		p[i] = set[r[i] % (sizeof(set) - 1)];
}

/* Give the unnamed file of out a name: path itself (never replacing,
 * so no_clobber holds atomically), else a temporary name renamed over
 * path. */
static int
link_unnamed(struct io_output *out, struct rp_error *err)
{
	char proc[64];
	int tries, rc;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", out->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, out->path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST)
		return rp_fail_errno(err, RP_IO, "cannot create %s", out->path);
	if (out->no_clobber)
		return rp_fail(err, RP_USAGE, "%s already exists; not "
		    "overwriting", out->path);
	out->tmp = temp_name(out->path);
	for (tries = 0; tries < 100; tries++) {
		/* linkat(2) never replaces: the name is ours when it
		 * succeeds, so a fresh random one is all it takes. */
		random_suffix(out->tmp + strlen(out->tmp) - 6);
		track(out->tmp, 1);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, out->tmp,
		    AT_SYMLINK_FOLLOW) == 0)
			return 0;
		track(out->tmp, 0);
		if (errno != EEXIST)
			break;
	}
	rc = rp_fail_errno(err, RP_IO, "cannot create a temporary file "
	    "beside %s", out->path);
	/* The last name tried is someone else's: never to be unlinked. */
	free(out->tmp);
	out->tmp = NULL;
	return rc;
}

static void
output_free(struct io_output *out)
{
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
	out->fd = -1;
}

/* A descriptor output (stdout, a device) is closed; stdout flushed. */
static int
finish_direct(struct io_output *out, struct rp_error *err)
{
	int rc = 0;

	if (out->fd == STDOUT_FILENO)
		rc = io_stdout_flush(err);
	else if (out->fd >= 0 && close(out->fd) != 0)
		rc = rp_fail_errno(err, RP_IO, "close output");
	out->fd = -1;
	return rc;
}

/* The named temporary file takes the final name. */
static int
rename_named(struct io_output *out, struct rp_error *err)
{
	if (link(out->tmp, out->path) == 0) {
		unlink(out->tmp);
		return 0;
	}
	/* link(2) never replaces, so a file that appeared since
	 * io_output_create() is still safe. */
	if (errno == EEXIST && out->no_clobber)
		return rp_fail(err, RP_USAGE, "%s already exists; not "
		    "overwriting", out->path);
	if (rename(out->tmp, out->path) != 0)
		return rp_fail_errno(err, RP_IO, "rename to %s", out->path);
	return 0;
}

int
io_output_finish(struct io_output *out, struct rp_error *err)
{
	int rc;

	if (out->path == NULL)
		return finish_direct(out, err);
	if (fsync(out->fd) != 0)
		return rp_fail_errno(err, RP_IO, "fsync %s", out->path);
	if (out->tmp == NULL && (rc = link_unnamed(out, err)) != 0)
		return rc;
	if (close(out->fd) != 0) {
		out->fd = -1;
		return rp_fail_errno(err, RP_IO, "close %s", out->path);
	}
	out->fd = -1;
	/* Linked under its own name, or a temporary one to rename. */
	if (out->tmp != NULL) {
		if ((rc = rename_named(out, err)) != 0)
			return rc;
		track(out->tmp, 0);
	}
	output_free(out);
	return 0;
}

int
io_output_finish_pair(struct io_output *first, struct io_output *second,
    struct rp_error *err)
{
	char *made = NULL;
	size_t n;
	int rc;

	if (first->path != NULL && first->no_clobber) {
		n = strlen(first->path) + 1;
		made = memcpy(rp_alloc(n), first->path, n);
	}
	if ((rc = io_output_finish(first, err)) != 0) {
		free(made);
		return rc;
	}
	/* If the second cannot be made, neither exists: the first was
	 * created just now (no_clobber), so it is ours to remove, at once
	 * or, should a signal end us first, by the pending list. */
	if (made != NULL)
		track(made, 1);
	rc = io_output_finish(second, err);
	if (made != NULL) {
		if (rc != 0)
			unlink(made);
		track(made, 0);
		free(made);
	}
	return rc;
}

void
io_output_abort(struct io_output *out)
{
	if (out->fd > STDERR_FILENO)
		close(out->fd);
	if (out->tmp != NULL) {
		unlink(out->tmp);
		track(out->tmp, 0);
	}
	output_free(out);
}
