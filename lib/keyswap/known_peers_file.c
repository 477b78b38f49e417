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
 * Read all of fd into a malloc'd buffer.  Not io_read_file(): the file
 * is public data up to 1 MiB, more than the secure pool io_read_file()
 * takes its buffer from, and known_peers_record() and _forget() must
 * read the descriptor they hold the lock on, not open the name again.
 */
static unsigned char *
read_all(int fd, const char *path, size_t *len)
{
	unsigned char *buf;
	size_t got;

	if ((buf = malloc(KNOWN_PEERS_FILE_MAX + 1)) == NULL)
		die(EXIT_USAGE, "out of memory");
	/* One byte past the cap tells a file that is too large. */
	got = io_read_full(fd, buf, KNOWN_PEERS_FILE_MAX + 1, path);
	if (got > KNOWN_PEERS_FILE_MAX)
		die(EXIT_USAGE, "%s: file too large (over %d bytes)", path,
		    KNOWN_PEERS_FILE_MAX);
	*len = got;
	return buf;
}

/* Read a whole file; dies naming it when it cannot be opened, except
 * that a missing file is NULL when missing_ok is set. */
static unsigned char *
read_path(const char *path, int missing_ok, size_t *len)
{
	unsigned char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && missing_ok && errno == ENOENT)
		return NULL;
	if (fd < 0)
		die(EXIT_USAGE, "cannot open %s:", path);
	buf = read_all(fd, path, len);
	close(fd);
	return buf;
}

static int
lookup_or_die(const char *path, const unsigned char *buf, size_t len,
    const char *name, const char *fingerprint, struct known_peer_entry *entry)
{
	const char *why;
	int status;

	status = known_peers_lookup(buf, len, name, fingerprint, entry, &why);
	if (status < 0)
		die(EXIT_USAGE, "%s:%lu: %s", path, entry->line, why);
	return status;
}

int
known_peers_check(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry)
{
	unsigned char *buf;
	size_t len;
	int status;

	if ((buf = read_path(path, 1, &len)) == NULL) {
		memset(entry, 0, sizeof(*entry));
		return KNOWN_PEER_NEW;
	}
	status = lookup_or_die(path, buf, len, name, fingerprint, entry);
	free(buf);
	return status;
}

/*
 * Open path and take the exclusive lock that known_peers_record() and
 * known_peers_forget() share.  An update renames a new file over the old
 * one, so once the lock is held make sure the name still points to the
 * file locked, else start over on the new one.  Returns the descriptor
 * (closing it releases the lock) with *st its status, or -1 if the file
 * does not exist and create is 0.
 */
static int
lock_file(const char *path, int create, struct stat *st)
{
	struct stat current;
	int fd;

	for (;;) {
		fd = open(path, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0),
		    0600);
		if (fd < 0 && !create && errno == ENOENT)
			return -1;
		if (fd < 0)
			die(EXIT_USAGE, "cannot open %s:", path);
		while (flock(fd, LOCK_EX) != 0)
			if (errno != EINTR)
				die(EXIT_USAGE, "cannot lock %s:", path);
		if (fstat(fd, st) != 0)
			die(EXIT_USAGE, "cannot stat %s:", path);
		if (stat(path, &current) == 0 && current.st_dev == st->st_dev &&
		    current.st_ino == st->st_ino)
			return fd;
		close(fd);
	}
}

int
known_peers_record(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry)
{
	struct io_output out;
	struct stat held;
	unsigned char *buf;
	size_t len;
	int fd, status;

	fd = lock_file(path, 1, &held);
	buf = read_all(fd, path, &len);
	status = lookup_or_die(path, buf, len, name, fingerprint, entry);
	if (status == KNOWN_PEER_NEW) {
		io_output_open(&out, path, held.st_mode & 07777, 0);
		io_write_all(out.fd, buf, len, path);
		/* A last line without its newline must not swallow ours. */
		if (len > 0 && buf[len - 1] != '\n')
			io_write_all(out.fd, "\n", 1, path);
		io_write_all(out.fd, name, strlen(name), path);
		io_write_all(out.fd, " ", 1, path);
		io_write_all(out.fd, fingerprint, strlen(fingerprint), path);
		io_write_all(out.fd, "\n", 1, path);
		io_output_commit(&out);
	}
	free(buf);
	close(fd); /* releases the lock, after the new file is in place */
	return status;
}

/*
 * Write buf without the lines of the entries for name to out (or only
 * count them when out is -1); returns how many there are.
 */
static unsigned long
copy_without(int out, const unsigned char *buf, size_t len,
    const char *name, const char *path)
{
	const unsigned char *line;
	struct line_fields f;
	struct lines c;
	size_t kept = 0, n;
	unsigned long removed = 0;

	/* The file parsed (known_peers_lookup() said so): only the lines
	 * whose first field is name go; comments and blank lines stay. */
	lines_init(&c, buf, len, LINES_LAST_OPEN | LINES_TRIM, 0);
	while (lines_next(&c, &line, &n) == 0) {
		if (line_fields(line, n, FIELDS_COMMENT, &f) != 0 ||
		    !line_field_is(&f, 0, name))
			continue;
		if (out >= 0)
			io_write_all(out, buf + kept, c.start - kept, path);
		kept = c.off;
		removed++;
	}
	if (out >= 0)
		io_write_all(out, buf + kept, len - kept, path);
	return removed;
}

unsigned long
known_peers_forget(const char *path, const char *name)
{
	struct known_peer_entry entry;
	struct io_output out;
	struct stat held;
	unsigned char *buf;
	size_t len;
	unsigned long removed;
	int fd;

	if ((fd = lock_file(path, 0, &held)) < 0)
		die(EXIT_USAGE, "cannot open %s:", path);
	buf = read_all(fd, path, &len);
	/* Only a file that parses is edited: every line is checked. */
	(void)lookup_or_die(path, buf, len, name, "", &entry);
	removed = copy_without(-1, buf, len, name, path);
	if (removed > 0) {
		io_output_open(&out, path, held.st_mode & 07777, 0);
		(void)copy_without(out.fd, buf, len, name, path);
		io_output_commit(&out);
	}
	free(buf);
	close(fd); /* releases the lock, after the new file is in place */
	return removed;
}

int
known_peers_allowed(const char *path, const char *fingerprint, char *name,
    struct known_peer_entry *entry)
{
	unsigned char *buf;
	const char *why;
	size_t len;
	int found;

	buf = read_path(path, 0, &len);
	found = known_peers_allowed_lookup(buf, len, fingerprint, name, entry,
	    &why);
	free(buf);
	if (found < 0)
		die(EXIT_USAGE, "%s:%lu: %s", path, entry->line, why);
	return found;
}

