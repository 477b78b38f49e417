/* SPDX-License-Identifier: ISC */
/*
 * known_peers_file.c: the known_peers file and allow list on disk:
 * reading, the lock, atomic record and forget (known_peers.h).  The
 * parsing is known_peers.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/lines.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keyswap/known_peers.h"

/*
 * Read all of fd into a malloc'd buffer (*buf, *len).  Not
 * io_file_load(): the file is public data up to 1 MiB, more than the
 * secure pool io_file_load() takes its buffer from, and
 * known_peers_record() and _forget() must read the descriptor they hold
 * the lock on, not open the name again.
 */
static int
read_all(int fd, const char *path, unsigned char **buf, size_t *len,
    struct rp_error *err)
{
	int rc;

	*buf = rp_alloc(KNOWN_PEERS_FILE_MAX + 1);
	/* One byte past the cap tells a file that is too large. */
	if ((rc = io_read_all(fd, *buf, KNOWN_PEERS_FILE_MAX + 1, len, path,
	    err)) == 0 && *len > KNOWN_PEERS_FILE_MAX)
		rc = rp_fail(err, RP_USAGE, "%s: file too large (over %d "
		    "bytes)", path, KNOWN_PEERS_FILE_MAX);
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

/* Read a whole file, naming it when it cannot be opened, except that a
 * missing file is *buf NULL when missing_ok is set. */
static int
read_path(const char *path, int missing_ok, unsigned char **buf,
    size_t *len, struct rp_error *err)
{
	int fd, rc;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && missing_ok && errno == ENOENT)
		return 0;
	if (fd < 0)
		return rp_fail_errno(err, RP_IO, "cannot open %s", path);
	rc = read_all(fd, path, buf, len, err);
	close(fd);
	return rc;
}

/* A refused line of a file given on the command line: RP_USAGE, its
 * reason kept. */
static int
as_usage(struct rp_error *err)
{
	if (err != NULL)
		err->code = RP_USAGE;
	return RP_USAGE;
}

/* A line the lookups refuse is the file's fault: RP_USAGE, as any file
 * given on the command line that cannot be used (status 2). */
static int
lookup_file(const char *path, const unsigned char *buf, size_t len,
    const char *name, const char *fingerprint, struct known_peer_entry *entry,
    struct rp_error *err)
{
	int status;

	status = known_peers_lookup(buf, len, name, fingerprint, entry, err);
	if (status < 0) {
		rp_prefix(err, "%s:%lu", path, entry->line);
		return as_usage(err);
	}
	return status;
}

int
known_peers_check(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry,
    struct rp_error *err)
{
	unsigned char *buf;
	size_t len;
	int status;

	if ((status = read_path(path, 1, &buf, &len, err)) != 0)
		return status;
	if (buf == NULL) {
		memset(entry, 0, sizeof(*entry));
		return KNOWN_PEER_NEW;
	}
	status = lookup_file(path, buf, len, name, fingerprint, entry, err);
	free(buf);
	return status;
}

/*
 * Open path and take the exclusive lock that known_peers_record() and
 * known_peers_forget() share.  An update renames a new file over the old
 * one, so once the lock is held make sure the name still points to the
 * file locked, else start over on the new one.  Returns the descriptor
 * (closing it releases the lock) with *st its status, or RP_IO ("cannot
 * open F: No such file or directory" when it does not exist and create
 * is 0).
 */
static int
lock_file(const char *path, int create, struct stat *st,
    struct rp_error *err)
{
	struct stat current;
	int fd;

	for (;;) {
		fd = open(path, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0),
		    0600);
		if (fd < 0)
			return rp_fail_errno(err, RP_IO, "cannot open %s", path);
		while (flock(fd, LOCK_EX) != 0)
			if (errno != EINTR) {
				rp_fail_errno(err, RP_IO, "cannot lock %s",
				    path);
				close(fd);
				return RP_IO;
			}
		if (fstat(fd, st) != 0) {
			rp_fail_errno(err, RP_IO, "cannot stat %s", path);
			close(fd);
			return RP_IO;
		}
		if (stat(path, &current) == 0 && current.st_dev == st->st_dev &&
		    current.st_ino == st->st_ino)
			return fd;
		close(fd);
	}
}

/* The file as it was (buf, len) with "name fingerprint" after it. */
static int
write_recorded(struct io_output *out, const unsigned char *buf, size_t len,
    const char *name, const char *fingerprint, const char *path,
    struct rp_error *err)
{
	const char *parts[] = { name, " ", fingerprint, "\n" };
	size_t i;
	int rc;

	if ((rc = io_write(out->fd, buf, len, path, err)) != 0)
		return rc;
	/* A last line without its newline must not swallow ours. */
	if (len > 0 && buf[len - 1] != '\n' &&
	    (rc = io_write(out->fd, "\n", 1, path, err)) != 0)
		return rc;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if ((rc = io_write(out->fd, parts[i], strlen(parts[i]), path,
		    err)) != 0)
			return rc;
	return 0;
}

int
known_peers_record(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry,
    struct rp_error *err)
{
	struct io_output out;
	struct stat held;
	unsigned char *buf;
	size_t len;
	int fd, status;

	if ((fd = lock_file(path, 1, &held, err)) < 0)
		return fd;
	if ((status = read_all(fd, path, &buf, &len, err)) == 0)
		status = lookup_file(path, buf, len, name, fingerprint, entry,
		    err);
	if (status == KNOWN_PEER_NEW && (status = io_output_create(&out, path,
	    held.st_mode & 07777, 0, err)) == 0) {
		if ((status = write_recorded(&out, buf, len, name, fingerprint,
		    path, err)) == 0)
			status = io_output_finish(&out, err);
		else
			io_output_abort(&out);
		if (status == 0)
			status = KNOWN_PEER_NEW;
	}
	free(buf);
	close(fd); /* releases the lock, after the new file is in place */
	return status;
}

/*
 * Write buf without the lines of the entries for name to out (or only
 * count them when out is -1) into *removed.  0, or RP_IO.
 */
static int
copy_without(int out, const unsigned char *buf, size_t len,
    const char *name, const char *path, unsigned long *removed,
    struct rp_error *err)
{
	const unsigned char *line;
	struct line_fields f;
	struct lines c;
	size_t kept = 0, n;

	*removed = 0;
	/* The file parsed (known_peers_lookup() said so): only the lines
	 * whose first field is name go; comments and blank lines stay. */
	lines_init(&c, buf, len, LINES_LAST_OPEN | LINES_TRIM, 0);
	while (lines_next(&c, &line, &n) == 0) {
		if (line_fields(line, n, FIELDS_COMMENT, &f) != 0 ||
		    !line_field_is(&f, 0, name))
			continue;
		if (out >= 0 && io_write(out, buf + kept, c.start - kept, path,
		    err) != 0)
			return RP_IO;
		kept = c.off;
		(*removed)++;
	}
	if (out >= 0 && io_write(out, buf + kept, len - kept, path, err) != 0)
		return RP_IO;
	return 0;
}

/* The file without name's entries, in place of the old (held). */
static int
rewrite_without(const char *path, const struct stat *held,
    const unsigned char *buf, size_t len, const char *name,
    struct rp_error *err)
{
	struct io_output out;
	unsigned long n;
	int rc;

	if ((rc = io_output_create(&out, path, held->st_mode & 07777, 0,
	    err)) != 0)
		return rc;
	if ((rc = copy_without(out.fd, buf, len, name, path, &n, err)) != 0) {
		io_output_abort(&out);
		return rc;
	}
	return io_output_finish(&out, err);
}

int
known_peers_forget(const char *path, const char *name,
    unsigned long *removed, struct rp_error *err)
{
	struct known_peer_entry entry;
	struct stat held;
	unsigned char *buf = NULL;
	size_t len;
	int fd, rc;

	*removed = 0;
	if ((fd = lock_file(path, 0, &held, err)) < 0)
		return fd;
	/* Only a file that parses is edited: every line is checked. */
	if ((rc = read_all(fd, path, &buf, &len, err)) == 0 &&
	    (rc = lookup_file(path, buf, len, name, "", &entry, err)) >= 0)
		rc = copy_without(-1, buf, len, name, path, removed, err);
	if (rc == 0 && *removed > 0)
		rc = rewrite_without(path, &held, buf, len, name, err);
	free(buf);
	close(fd); /* releases the lock, after the new file is in place */
	return rc < 0 ? rc : 0;
}

int
known_peers_allowed(const char *path, const char *fingerprint, char *name,
    struct known_peer_entry *entry, struct rp_error *err)
{
	unsigned char *buf;
	size_t len;
	int found;

	if ((found = read_path(path, 0, &buf, &len, err)) != 0)
		return found;
	found = known_peers_allowed_lookup(buf, len, fingerprint, name, entry,
	    err);
	free(buf);
	if (found < 0) {
		rp_prefix(err, "%s:%lu", path, entry->line);
		return as_usage(err);
	}
	return found;
}
