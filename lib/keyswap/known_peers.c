/* SPDX-License-Identifier: ISC */
/* known_peers.c: trust on first use for keyswap (known_hosts style). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keyswap/known_peers.h"

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

/* A value that is a fingerprint: checked and copied. */
static int
fingerprint_value(const char *value, size_t len,
    char out[KEY_FINGERPRINT_LEN], const char **why)
{
	size_t i;

	if (len != sizeof(FINGERPRINT_PREFIX) - 1 + FINGERPRINT_B64_LEN) {
		*why = "bad fingerprint length";
		return RP_MALFORMED;
	}
	for (i = sizeof(FINGERPRINT_PREFIX) - 1; i < len; i++)
		if (!is_b64((unsigned char)value[i])) {
			*why = "bad character in fingerprint";
			return RP_MALFORMED;
		}
	memcpy(out, value, len);
	out[len] = '\0';
	return 0;
}

/*
 * After a parse into the local key that returned rc: its fingerprint
 * when it parsed, and the key freed.  A reason the parse put in the key
 * (keys.h) moves to reason, room the caller owns, so *why outlives it.
 */
static int
key_done(struct rsa_key *key, int rc, char fp[KEY_FINGERPRINT_LEN],
    char reason[KEY_REASON_LEN], const char **why)
{
	if (rc == 0)
		key_fingerprint(key, fp);
	else if (*why == key->reason) {
		memcpy(reason, key->reason, KEY_REASON_LEN);
		*why = reason;
	}
	key_free(key);
	return rc;
}

/* A value that is the base64 of an SPKI DER: decoded (strictly, by
 * base64_decode), fingerprinted. */
static int
spki_value(const char *value, size_t len, char out[KEY_FINGERPRINT_LEN],
    char reason[KEY_REASON_LEN], const char **why)
{
	unsigned char *der;
	size_t der_len;
	struct rsa_key key;
	int rc;

	if (len > SPKI_B64_MAX || base64_decode(value, len, &der, &der_len,
	    why) != 0) {
		*why = "neither a SHA256: fingerprint nor a base64 public key";
		return RP_MALFORMED;
	}
	rc = key_from_spki(&key, der, der_len, why);
	secure_free(der);
	return key_done(&key, rc, out, reason, why);
}

/*
 * Turn an entry's value into a fingerprint: checked as is when it is
 * one, computed from the decoded key when it is a base64 SPKI.
 */
static int
value_fingerprint(const char *value, size_t len,
    char out[KEY_FINGERPRINT_LEN], char reason[KEY_REASON_LEN],
    const char **why)
{
	if (len > sizeof(FINGERPRINT_PREFIX) - 1 &&
	    memcmp(value, FINGERPRINT_PREFIX, sizeof(FINGERPRINT_PREFIX) - 1)
	    == 0)
		return fingerprint_value(value, len, out, why);
	return spki_value(value, len, out, reason, why);
}

/*
 * The lines of a file, one at a time, split into blank-separated words.
 * Only the first WORDS_MAX words are kept; n counts them all.
 */
#define WORDS_MAX 4
struct lines {
	const unsigned char *next, *end;
	const unsigned char *line, *eol; /* the current line, no newline */
	unsigned long lineno;
	const unsigned char *word[WORDS_MAX];
	size_t word_len[WORDS_MAX];
	int n;
};

static void
lines_start(struct lines *l, const unsigned char *buf, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->next = buf;
	l->end = buf + len;
}

/*
 * Split the current line.  Blanks are spaces and tabs; trailing blanks
 * and a CR are ignored.  Sets l->n (0 for a blank line or a comment) and
 * returns 0, or RP_MALFORMED for a byte that is not printable ASCII.
 */
static int
split_line(struct lines *l)
{
	const unsigned char *p = l->line, *eol = l->eol, *w;

	while (eol > p && (eol[-1] == ' ' || eol[-1] == '\t' ||
	    eol[-1] == '\r'))
		eol--;
	for (l->n = 0;; l->n++) {
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || (l->n == 0 && *p == '#'))
			return 0;
		for (w = p; p < eol && *p > ' ' && *p < 0x7f; p++)
			continue;
		if (p < eol && *p != ' ' && *p != '\t')
			return RP_MALFORMED;
		if (l->n < WORDS_MAX) {
			l->word[l->n] = w;
			l->word_len[l->n] = (size_t)(p - w);
		}
	}
}

/*
 * Advance to the next line that holds words.  Returns 1, 0 at the end of
 * the file, or RP_MALFORMED (with l->lineno naming it) for a line with a
 * byte that is not printable ASCII.
 */
static int
next_entry(struct lines *l)
{
	while (l->next < l->end) {
		l->line = l->next;
		l->eol = memchr(l->line, '\n', (size_t)(l->end - l->line));
		if (l->eol == NULL)
			l->eol = l->end;
		l->next = l->eol + (l->eol < l->end);
		l->lineno++;
		if (split_line(l) != 0)
			return RP_MALFORMED;
		if (l->n > 0)
			return 1;
	}
	return 0;
}

/* Is word i of the current line exactly s? */
static int
word_is(const struct lines *l, int i, const char *s)
{
	size_t n = strlen(s);

	return i < l->n && i < WORDS_MAX && l->word_len[i] == n &&
	    memcmp(l->word[i], s, n) == 0;
}

static const char malformed_entry[] = "malformed entry (want \"NAME "
    "SHA256:fingerprint\" or \"NAME base64-public-key\")";

int
known_peers_lookup(const unsigned char *buf, size_t len, const char *name,
    const char *fingerprint, struct known_peer_entry *entry, const char **why)
{
	struct lines l;
	char found[KEY_FINGERPRINT_LEN];
	unsigned long changed_line = 0;
	int r, status = KNOWN_PEER_NEW;

	memset(entry, 0, sizeof(*entry));
	lines_start(&l, buf, len);
	while ((r = next_entry(&l)) != 0) {
		entry->line = l.lineno;
		if (r < 0 || l.n != 2) {
			*why = malformed_entry;
			return RP_MALFORMED;
		}
		if ((r = value_fingerprint((const char *)l.word[1],
		    l.word_len[1], found, entry->reason, why)) != 0)
			return r;
		if (!word_is(&l, 0, name))
			continue; /* another peer's entry, well formed */
		if (strcmp(found, fingerprint) == 0)
			status = KNOWN_PEER_MATCH;
		else if (status == KNOWN_PEER_NEW) {
			/* The first entry is the one to show as "old". */
			status = KNOWN_PEER_CHANGED;
			changed_line = l.lineno;
			memcpy(entry->fingerprint, found, sizeof(found));
		}
	}
	entry->line = changed_line;
	return status;
}

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
	struct lines l;
	const unsigned char *kept = buf;
	unsigned long removed = 0;

	lines_start(&l, buf, len);
	while (next_entry(&l) > 0) {
		if (!word_is(&l, 0, name))
			continue;
		if (out >= 0)
			io_write_all(out, kept, (size_t)(l.line - kept), path);
		kept = l.next;
		removed++;
	}
	if (out >= 0)
		io_write_all(out, kept, (size_t)(l.end - kept), path);
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

static const char malformed_allowed[] = "malformed entry (want \"NAME "
    "SHA256:fingerprint\", \"NAME base64-public-key\" or \"ssh-rsa "
    "BASE64 NAME\")";

/* Why a line of an allow list that is not "NAME VALUE" is refused. */
static const char *
allowed_line_error(const struct lines *l)
{
	static const char *const others[] = { "ssh-", "ecdsa-", "sk-",
	    NULL };
	int k;

	if (word_is(l, 0, "ssh-rsa"))
		return l->n < 3 ? "ssh-rsa line without a name: put the "
		    "client's name in its comment" : "the comment of an "
		    "ssh-rsa line is the client's name: one word";
	for (k = 0; others[k] != NULL; k++)
		if (l->word_len[0] > strlen(others[k]) && memcmp(l->word[0],
		    others[k], strlen(others[k])) == 0)
			return "not an RSA key: keyswap identities are RSA";
	if (memmem(l->line, (size_t)(l->eol - l->line), "ssh-rsa ", 8))
		return "authorized_keys options are not supported; remove "
		    "everything before ssh-rsa";
	return malformed_allowed;
}

/* The fingerprint of an "ssh-rsa BASE64 NAME" line. */
static int
ssh_line_fingerprint(const struct lines *l, char fp[KEY_FINGERPRINT_LEN],
    char reason[KEY_REASON_LEN], const char **why)
{
	struct rsa_key key;
	int rc;

	rc = key_parse_public(&key, l->line, (size_t)(l->eol - l->line), NULL,
	    why);
	return key_done(&key, rc, fp, reason, why);
}

/*
 * The fingerprint and name of the current allow-list line: "NAME VALUE"
 * or "ssh-rsa BASE64 NAME".  Returns 0, or an rp_err code with *why
 * (a reason that names a number in reason).
 */
static int
allowed_entry(const struct lines *l, char fp[KEY_FINGERPRINT_LEN],
    char *name, char reason[KEY_REASON_LEN], const char **why)
{
	int name_word, rc;

	if (l->n == 2 && !word_is(l, 0, "ssh-rsa")) {
		name_word = 0;
		rc = value_fingerprint((const char *)l->word[1],
		    l->word_len[1], fp, reason, why);
	} else if (l->n == 3 && word_is(l, 0, "ssh-rsa")) {
		name_word = 2;
		rc = ssh_line_fingerprint(l, fp, reason, why);
	} else {
		*why = allowed_line_error(l);
		return RP_MALFORMED;
	}
	if (rc != 0)
		return rc;
	*why = "bad name (want 1 to 255 printable characters without "
	    "spaces)";
	if (l->word_len[name_word] > KNOWN_PEERS_NAME_MAX)
		return RP_MALFORMED;
	memcpy(name, l->word[name_word], l->word_len[name_word]);
	name[l->word_len[name_word]] = '\0';
	return known_peers_valid_name(name) ? 0 : RP_MALFORMED;
}

int
known_peers_allowed_lookup(const unsigned char *buf, size_t len,
    const char *fingerprint, char *name, struct known_peer_entry *entry,
    const char **why)
{
	struct lines l;
	char fp[KEY_FINGERPRINT_LEN], line_name[KNOWN_PEERS_NAME_MAX + 1];
	int r, found = 0;

	memset(entry, 0, sizeof(*entry));
	lines_start(&l, buf, len);
	while ((r = next_entry(&l)) != 0) {
		if (r < 0) {
			*why = malformed_allowed;
			r = RP_MALFORMED;
		} else
			r = allowed_entry(&l, fp, line_name, entry->reason, why);
		if (r != 0) {
			entry->line = l.lineno;
			return r;
		}
		if (found || strcmp(fp, fingerprint) != 0)
			continue;
		found = 1;
		strcpy(name, line_name);
		entry->line = l.lineno;
		memcpy(entry->fingerprint, fp, sizeof(fp));
	}
	return found;
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

/* Is s (n bytes) a fingerprint's base64 part: 43 base64 characters? */
static int
is_fingerprint_b64(const char *s, size_t n)
{
	size_t i;

	if (n != FINGERPRINT_B64_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_b64((unsigned char)s[i]))
			return 0;
	return 1;
}

int
known_peers_answer(const char *answer, const char *fingerprint)
{
	const size_t prefix = sizeof(FINGERPRINT_PREFIX) - 1;
	const char *p = answer;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	if (n == 3 && strncasecmp(p, "yes", 3) == 0)
		return KNOWN_PEER_ANSWER_YES;
	if (n == 2 && strncasecmp(p, "no", 2) == 0)
		return KNOWN_PEER_ANSWER_NO;
	if (n >= prefix && memcmp(p, FINGERPRINT_PREFIX, prefix) == 0) {
		p += prefix;
		n -= prefix;
	} else if (!is_fingerprint_b64(p, n))
		return KNOWN_PEER_ANSWER_OTHER;
	/* A public value: an exact comparison, nothing to hide. */
	if (strlen(fingerprint) == prefix + n &&
	    memcmp(fingerprint, FINGERPRINT_PREFIX, prefix) == 0 &&
	    memcmp(fingerprint + prefix, p, n) == 0)
		return KNOWN_PEER_ANSWER_MATCH;
	return KNOWN_PEER_ANSWER_MISMATCH;
}
