/* known_peers.c: trust on first use for keyswap (known_hosts style). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpg-error.h>

#include "common.h"
#include "io.h"
#include "known_peers.h"

#define FINGERPRINT_PREFIX "SHA256:"
#define FINGERPRINT_B64_LEN 43
/* Base64 of the largest SPKI keyswap accepts (2100 bytes), padded. */
#define SPKI_B64_MAX 2800

int
known_peers_valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > KNOWN_PEERS_NAME_MAX || name[0] == '#')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || (unsigned char)name[i] >= 0x7f)
			return 0;
	return 1;
}

static int
is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Turn an entry's value into a fingerprint: checked as is when it is
 * one, computed from the decoded key when it is a base64 SPKI.
 */
static int
value_fingerprint(const char *value, size_t len,
    char out[KEY_FINGERPRINT_LEN], const char **why)
{
	char *der = NULL;
	size_t i, pad = 0, der_len = 0;
	gpgrt_b64state_t state;
	struct rsa_key key;
	const char *key_why;
	int rc = -1;

	if (len > sizeof(FINGERPRINT_PREFIX) - 1 &&
	    memcmp(value, FINGERPRINT_PREFIX, sizeof(FINGERPRINT_PREFIX) - 1)
	    == 0) {
		if (len != sizeof(FINGERPRINT_PREFIX) - 1 + FINGERPRINT_B64_LEN) {
			*why = "bad fingerprint length";
			return -1;
		}
		for (i = sizeof(FINGERPRINT_PREFIX) - 1; i < len; i++)
			if (!is_b64((unsigned char)value[i])) {
				*why = "bad character in fingerprint";
				return -1;
			}
		memcpy(out, value, len);
		out[len] = '\0';
		return 0;
	}

	/* Strict base64: the alphabet, at most two '=' at the very end,
	 * and a length that is a multiple of 4.  The decoder would skip
	 * stray characters; we do not want it to. */
	if (len == 0 || len % 4 != 0 || len > SPKI_B64_MAX) {
		*why = "neither a SHA256: fingerprint nor a base64 public key";
		return -1;
	}
	while (pad < 2 && value[len - 1 - pad] == '=')
		pad++;
	for (i = 0; i < len - pad; i++)
		if (!is_b64((unsigned char)value[i])) {
			*why = "neither a SHA256: fingerprint nor a base64 "
			    "public key";
			return -1;
		}
	if ((der = malloc(len)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	memcpy(der, value, len);
	if ((state = gpgrt_b64dec_start(NULL)) == NULL) {
		*why = "out of memory";
		goto out;
	}
	if (gpgrt_b64dec_proc(state, der, len, &der_len) != 0) {
		gpgrt_b64dec_finish(state);
		*why = "bad base64 public key";
		goto out;
	}
	if (gpgrt_b64dec_finish(state) != 0) {
		*why = "bad base64 public key";
		goto out;
	}
	memset(&key, 0, sizeof(key));
	if (key_from_spki(&key, (unsigned char *)der, der_len, &key_why) != 0) {
		*why = key_why;
		key_free(&key);
		goto out;
	}
	key_fingerprint(&key, out);
	key_free(&key);
	rc = 0;
out:
	free(der);
	return rc;
}

int
known_peers_lookup(const unsigned char *buf, size_t len, const char *name,
    const char *fingerprint, struct known_peer_entry *entry, const char **why)
{
	const unsigned char *line = buf, *end = buf + len, *eol, *p, *q;
	int ours;
	char found[KEY_FINGERPRINT_LEN];
	size_t name_len = strlen(name), value_len;
	unsigned long lineno = 0;
	int status = KNOWN_PEER_NEW;

	memset(entry, 0, sizeof(*entry));
	for (; line < end; line = eol + (eol < end)) {
		lineno++;
		eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end;
		p = line;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || *p == '#')
			continue;
		/* NAME */
		q = p;
		while (q < eol && *q > ' ' && *q < 0x7f)
			q++;
		if (q == eol || (*q != ' ' && *q != '\t'))
			goto malformed;
		ours = (size_t)(q - p) == name_len &&
		    memcmp(p, name, name_len) == 0;
		/* VALUE */
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		p = q;
		while (q < eol && *q > ' ' && *q < 0x7f)
			q++;
		value_len = (size_t)(q - p);
		/* Only trailing blanks (and a CR) may follow. */
		while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (value_len == 0 || q != eol)
			goto malformed;
		if (value_fingerprint((const char *)p, value_len, found,
		    why) != 0) {
			entry->line = lineno;
			return -1;
		}
		if (!ours)
			continue; /* another peer's entry, well formed */
		if (strcmp(found, fingerprint) == 0)
			status = KNOWN_PEER_MATCH;
		else if (status == KNOWN_PEER_NEW) {
			/* The first entry is the one to show as "old". */
			status = KNOWN_PEER_CHANGED;
			entry->line = lineno;
			memcpy(entry->fingerprint, found, sizeof(found));
		}
	}
	if (status == KNOWN_PEER_NEW)
		entry->line = 0;
	return status;
malformed:
	entry->line = lineno;
	*why = "malformed entry (want \"NAME SHA256:fingerprint\" or "
	    "\"NAME base64-public-key\")";
	return -1;
}

/* Read all of fd into a malloc'd buffer (the file is public data). */
static unsigned char *
read_all(int fd, const char *path, size_t *len)
{
	unsigned char *buf;
	size_t got = 0, r;

	if ((buf = malloc(KNOWN_PEERS_FILE_MAX + 1)) == NULL)
		die(EXIT_USAGE, "out of memory");
	while (got < KNOWN_PEERS_FILE_MAX + 1) {
		r = io_read_some(fd, buf + got, KNOWN_PEERS_FILE_MAX + 1 - got,
		    path);
		if (r == 0)
			break;
		got += r;
	}
	if (got > KNOWN_PEERS_FILE_MAX)
		die(EXIT_USAGE, "%s: file too large (over %d bytes)", path,
		    KNOWN_PEERS_FILE_MAX);
	*len = got;
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
	int fd, status;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		memset(entry, 0, sizeof(*entry));
		return KNOWN_PEER_NEW;
	}
	if (fd < 0)
		die(EXIT_USAGE, "cannot open %s:", path);
	buf = read_all(fd, path, &len);
	close(fd);
	status = lookup_or_die(path, buf, len, name, fingerprint, entry);
	free(buf);
	return status;
}

int
known_peers_record(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry)
{
	struct io_output out;
	struct stat held, current;
	unsigned char *buf;
	size_t len;
	int fd, status;

	/* Lock the file itself; since the update renames a new file over
	 * it, after taking the lock make sure the name still points to
	 * the file we locked, else start over on the new one. */
	for (;;) {
		fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			die(EXIT_USAGE, "cannot open %s:", path);
		while (flock(fd, LOCK_EX) != 0)
			if (errno != EINTR)
				die(EXIT_USAGE, "cannot lock %s:", path);
		if (fstat(fd, &held) != 0)
			die(EXIT_USAGE, "cannot stat %s:", path);
		if (stat(path, &current) == 0 && current.st_dev == held.st_dev &&
		    current.st_ino == held.st_ino)
			break;
		close(fd);
	}
	buf = read_all(fd, path, &len);
	status = lookup_or_die(path, buf, len, name, fingerprint, entry);
	if (status == KNOWN_PEER_NEW) {
		io_output_open(&out, path, 0600, 0);
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
