/* SPDX-License-Identifier: ISC */
/* stream.c: the rsapipe v1 stream format, header and records. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "armor.h"
#include "bytes.h"
#include "common.h"
#include "error.h"
#include "format.h"
#include "hkdf.h"
#include "io.h"
#include "rsa.h"
#include "stream.h"

struct stream_keys *
stream_keys_new(void)
{
	struct stream_keys *keys = secure_alloc(sizeof(*keys));

	memset(keys, 0, sizeof(*keys));
	return keys;
}

static void
derive_one(unsigned char out[32], const struct stream_keys *keys,
    const unsigned char *salt, const char *info)
{
	gcry_error_t err;

	err = hkdf_sha256(out, 32, keys->file_key, sizeof(keys->file_key),
	    salt, STREAM_SALT_LEN, (const unsigned char *)info, strlen(info));
	if (err)
		die_gcry(EXIT_USAGE, err, "HKDF");
}

void
stream_keys_derive(struct stream_keys *keys,
    const unsigned char salt[STREAM_SALT_LEN])
{
	derive_one(keys->header_key, keys, salt, STREAM_INFO_HEADER);
	derive_one(keys->payload_key, keys, salt, STREAM_INFO_PAYLOAD);
	derive_one(keys->session_key, keys, salt, STREAM_INFO_SESSION);
}

void
stream_keys_free(struct stream_keys *keys)
{
	secure_free(keys, sizeof(*keys));
}

/* ---- Header parsing ---- */

/* Magic, version, flags, salt, count: one fixed block, checked whole. */
static int
parse_fixed(struct stream_header *h, struct reader *r, const char **why)
{
	const unsigned char *p;

	if (rd_bytes(r, STREAM_FIXED_LEN, &p) != 0)
		return r->err;
	if (p[STREAM_MAGIC_LEN] != STREAM_VERSION) {
		*why = "unsupported stream version";
		return RP_REFUSED;
	}
	h->flags = p[STREAM_OFF_FLAGS];
	if ((h->flags & ~STREAM_FLAGS_KNOWN) != 0) {
		*why = "malformed header (unknown flags)";
		return RP_MALFORMED;
	}
	h->salt = p + STREAM_OFF_SALT;
	h->count = p[STREAM_OFF_COUNT];
	if (h->count == 0 || h->count > STREAM_MAX_RECIPIENTS) {
		*why = "malformed header (recipient count)";
		return RP_MALFORMED;
	}
	return 0;
}

static int
parse_stanzas(struct stream_header *h, struct reader *r, const char **why)
{
	struct stream_stanza *s;
	size_t i;

	for (i = 0; i < h->count; i++) {
		s = &h->stanza[i];
		if (rd_bytes(r, STREAM_KEY_ID_LEN, &s->id) == 0 &&
		    rd_vec(r, 2, STREAM_RSA_MIN_BYTES, STREAM_RSA_MAX_BYTES,
		    &s->ct, &s->ct_len) == RP_MALFORMED)
			*why = "malformed header (stanza length)";
		if (r->err != 0)
			return r->err;
	}
	return 0;
}

/* Session tag, signer and signature, MAC. */
static int
parse_trailer(struct stream_header *h, struct reader *r, const char **why)
{
	if (h->flags & STREAM_FLAG_SESSION)
		(void)rd_bytes(r, STREAM_SESSION_TAG_LEN, &h->session_tag);
	if ((h->flags & STREAM_FLAG_SIGNED) &&
	    rd_bytes(r, STREAM_KEY_ID_LEN, &h->signer_id) == 0) {
		h->signed_len = r->off;
		if (rd_vec(r, 2, STREAM_RSA_MIN_BYTES, STREAM_RSA_MAX_BYTES,
		    &h->sig, &h->sig_len) == RP_MALFORMED)
			*why = "malformed header (signature length)";
	}
	h->mac_offset = r->off;
	(void)rd_bytes(r, STREAM_MAC_LEN, &h->mac);
	return r->err;
}

int
stream_header_parse(struct stream_header *h, const unsigned char *buf,
    size_t len, size_t *need, const char **why)
{
	struct reader r;
	size_t n;
	int rc;

	memset(h, 0, sizeof(*h));
	/* Say "not ours" as soon as the first bytes disagree, so garbage is
	 * refused without waiting for more input. */
	n = len < STREAM_MAGIC_LEN ? len : STREAM_MAGIC_LEN;
	if (memcmp(buf, STREAM_MAGIC, n) != 0) {
		*why = "not an rsapipe stream";
		return RP_MALFORMED;
	}
	rd_init(&r, buf, len);
	if ((rc = parse_fixed(h, &r, why)) == 0 &&
	    (rc = parse_stanzas(h, &r, why)) == 0 &&
	    (rc = parse_trailer(h, &r, why)) == 0)
		h->len = r.off;
	if (rc == RP_MORE)
		*need = r.need;
	return rc;
}

/* ---- Header MAC, session tag, signed digest ---- */

/* SHA-256 over what a signature covers: context, header prefix, session. */
static void
signed_digest(unsigned char out[RSA_DIGEST_LEN], const unsigned char *hdr,
    size_t len, const unsigned char *session)
{
	gcry_md_hd_t md;
	gcry_error_t err;

	err = gcry_md_open(&md, GCRY_MD_SHA256, 0);
	if (err)
		die_gcry(EXIT_USAGE, err, "SHA-256");
	gcry_md_write(md, STREAM_SIG_CONTEXT, sizeof(STREAM_SIG_CONTEXT));
	gcry_md_write(md, hdr, len);
	if (session != NULL)
		gcry_md_write(md, session, STREAM_SESSION_LEN);
	memcpy(out, gcry_md_read(md, GCRY_MD_SHA256), RSA_DIGEST_LEN);
	gcry_md_close(md);
}

/* MAC over the header prefix and the session. */
static void
header_mac(unsigned char out[STREAM_MAC_LEN], const struct stream_keys *keys,
    const unsigned char *hdr, size_t len, const unsigned char *session)
{
	gcry_mac_hd_t h;
	gcry_error_t err;
	size_t outlen = STREAM_MAC_LEN;

	err = gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE, NULL);
	if (!err)
		err = gcry_mac_setkey(h, keys->header_key,
		    sizeof(keys->header_key));
	if (!err)
		err = gcry_mac_write(h, hdr, len);
	if (!err && session != NULL)
		err = gcry_mac_write(h, session, STREAM_SESSION_LEN);
	if (!err)
		err = gcry_mac_read(h, out, &outlen);
	gcry_mac_close(h);
	if (err)
		die_gcry(EXIT_USAGE, err, "HMAC");
}

static void
session_tag(unsigned char out[STREAM_SESSION_TAG_LEN],
    const struct stream_keys *keys, const unsigned char *session)
{
	unsigned char full[HKDF_SHA256_LEN];
	gcry_error_t err;

	err = hmac_sha256(full, keys->session_key, sizeof(keys->session_key),
	    session, STREAM_SESSION_LEN);
	if (err)
		die_gcry(EXIT_USAGE, err, "HMAC");
	memcpy(out, full, STREAM_SESSION_TAG_LEN);
	wipe(full, sizeof(full));
}

/* ---- Header creation ---- */

/* n bytes of room in the header being written; it was sized for the
 * largest header, so running out is a bug. */
static unsigned char *
room(struct writer *w, size_t n)
{
	unsigned char *p;

	if ((p = wr_reserve(w, n)) == NULL)
		die(EXIT_USAGE, "internal error: header overflow");
	return p;
}

/* An RSA key's modulus length, if a stream can carry it. */
static size_t
stream_rsa_bytes(const struct rsa_key *key, const char *what)
{
	size_t n = rsa_modulus_bytes(key);

	if (n < STREAM_RSA_MIN_BYTES || n > STREAM_RSA_MAX_BYTES)
		die(EXIT_USAGE, "%s key size not supported", what);
	return n;
}

/* Magic to count, with a fresh file key and salt, keys derived. */
static void
write_fixed(struct writer *w, struct stream_keys *keys, unsigned flags,
    size_t count)
{
	unsigned char *salt;

	/* GCRY_STRONG_RANDOM is libgcrypt's level for session keys, which a
	 * per-stream file key is; GCRY_VERY_STRONG_RANDOM (meant for
	 * long-term keys) re-seeds from the kernel on every call and cost
	 * about 13 ms per stream, most of a short message's encryption
	 * (doc/PERFORMANCE.md, T4). */
	gcry_randomize(keys->file_key, sizeof(keys->file_key),
	    GCRY_STRONG_RANDOM);
	wr_bytes(w, STREAM_MAGIC, STREAM_MAGIC_LEN);
	wr_uint(w, 1, STREAM_VERSION);
	wr_uint(w, 1, flags);
	salt = room(w, STREAM_SALT_LEN);
	gcry_create_nonce(salt, STREAM_SALT_LEN);
	wr_uint(w, 1, count);
	stream_keys_derive(keys, salt);
}

static void
write_stanza(struct writer *w, const struct rsa_key *key,
    const struct stream_keys *keys)
{
	size_t n = stream_rsa_bytes(key, "recipient");

	wr_bytes(w, key->id, STREAM_KEY_ID_LEN);
	wr_uint(w, 2, n);
	rsa_oaep_wrap(key, STREAM_OAEP_LABEL, keys->file_key,
	    sizeof(keys->file_key), room(w, n));
}

/* Signer id, then the signature over everything up to it. */
static void
write_signature(struct writer *w, const struct rsa_key *signer,
    const unsigned char *session)
{
	unsigned char digest[RSA_DIGEST_LEN];
	size_t n = stream_rsa_bytes(signer, "signing");

	wr_bytes(w, signer->id, STREAM_KEY_ID_LEN);
	signed_digest(digest, w->buf, w->off, session);
	wr_uint(w, 2, n);
	rsa_pss_sign(signer, digest, room(w, n));
}

unsigned char *
stream_header_create(size_t *len, struct stream_keys *keys,
    const struct rsa_key *recipients, size_t nrecipients,
    const struct rsa_key *signer, const unsigned char *session)
{
	struct writer w;
	unsigned char *hdr;
	size_t i;

	if (nrecipients == 0 || nrecipients > STREAM_MAX_RECIPIENTS)
		die(EXIT_USAGE, "between 1 and %d recipients are required",
		    STREAM_MAX_RECIPIENTS);
	if ((hdr = malloc(STREAM_HEADER_MAX)) == NULL)
		die(EXIT_USAGE, "out of memory");
	wr_init(&w, hdr, STREAM_HEADER_MAX);
	write_fixed(&w, keys, (signer != NULL ? STREAM_FLAG_SIGNED : 0) |
	    (session != NULL ? STREAM_FLAG_SESSION : 0), nrecipients);
	for (i = 0; i < nrecipients; i++)
		write_stanza(&w, &recipients[i], keys);
	if (session != NULL)
		session_tag(room(&w, STREAM_SESSION_TAG_LEN), keys, session);
	if (signer != NULL)
		write_signature(&w, signer, session);
	header_mac(room(&w, STREAM_MAC_LEN), keys, hdr, w.off, session);
	if (wr_finish(&w, len) != 0)
		die(EXIT_USAGE, "internal error: header overflow");
	return hdr;
}

/* ---- Header checks ---- */

int
stream_unwrap_file_key(const struct stream_header *h,
    const struct rsa_key *key, struct stream_keys *keys)
{
	size_t i;
	int found = 0;

	for (i = 0; i < h->count; i++) {
		if (!ct_equal(h->stanza[i].id, key->id, STREAM_KEY_ID_LEN))
			continue;
		found = 1;
		if (rsa_oaep_unwrap(key, STREAM_OAEP_LABEL, h->stanza[i].ct,
		    h->stanza[i].ct_len, keys->file_key,
		    sizeof(keys->file_key)) == 0) {
			stream_keys_derive(keys, h->salt);
			return 0;
		}
	}
	return found ? RP_DECRYPT : RP_NOKEY;
}

/* The session binding: a context given exactly when the flag says so,
 * and the tag made with it. */
static int
check_session(const struct stream_header *h, const struct stream_keys *keys,
    const unsigned char *session, const char **why)
{
	unsigned char tag[STREAM_SESSION_TAG_LEN];
	int ok;

	if ((h->flags & STREAM_FLAG_SESSION) && session == NULL) {
		*why = "stream is bound to a session; --session is required";
		return RP_AUTH;
	}
	if (!(h->flags & STREAM_FLAG_SESSION) && session != NULL) {
		*why = "stream is not bound to a session (wrong session)";
		return RP_AUTH;
	}
	if (session == NULL)
		return 0;
	session_tag(tag, keys, session);
	ok = ct_equal(tag, h->session_tag, sizeof(tag));
	wipe(tag, sizeof(tag));
	if (!ok) {
		*why = "wrong session: stream was made for another session";
		return RP_AUTH;
	}
	return 0;
}

static int
check_signature(const struct stream_header *h, const unsigned char *buf,
    const unsigned char *session, const struct rsa_key *from,
    const char **why)
{
	unsigned char digest[RSA_DIGEST_LEN];

	if (!(h->flags & STREAM_FLAG_SIGNED)) {
		*why = "stream is not signed";
		return RP_AUTH;
	}
	if (!ct_equal(h->signer_id, from->id, STREAM_KEY_ID_LEN)) {
		*why = "stream is signed by another key (wrong signer)";
		return RP_AUTH;
	}
	if (h->sig_len != rsa_modulus_bytes(from)) {
		*why = "bad signature (wrong signer)";
		return RP_AUTH;
	}
	signed_digest(digest, buf, h->signed_len, session);
	if (rsa_pss_verify(from, digest, h->sig, h->sig_len) != 0) {
		*why = "bad signature (wrong signer or tampered header)";
		return RP_AUTH;
	}
	return 0;
}

int
stream_header_verify(const struct stream_header *h, const unsigned char *buf,
    const struct stream_keys *keys, const unsigned char *session,
    const struct rsa_key *from, const char **why)
{
	unsigned char mac[STREAM_MAC_LEN];
	int ok, rc;

	if ((rc = check_session(h, keys, session, why)) != 0)
		return rc;
	header_mac(mac, keys, buf, h->mac_offset, session);
	ok = ct_equal(mac, h->mac, sizeof(mac));
	wipe(mac, sizeof(mac));
	if (!ok) {
		*why = "header authentication failed (tampered header)";
		return RP_AUTH;
	}
	return from == NULL ? 0 : check_signature(h, buf, session, from, why);
}

/* ---- Records ---- */

void
stream_cipher_open(struct stream_cipher *c, const struct stream_keys *keys)
{
	gcry_error_t err;

	memset(c, 0, sizeof(*c));
	/* Opened once per stream: the key schedule is computed once and
	 * lives in secure memory; each record only resets and sets a nonce. */
	err = gcry_cipher_open(&c->hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE);
	if (err)
		die_gcry(EXIT_USAGE, err, "AES-256-GCM");
	err = gcry_cipher_setkey(c->hd, keys->payload_key,
	    sizeof(keys->payload_key));
	if (err)
		die_gcry(EXIT_USAGE, err, "AES-256-GCM key");
}

void
stream_cipher_close(struct stream_cipher *c)
{
	gcry_cipher_close(c->hd);
	c->hd = NULL;
}

/* Counter and final flag into the nonce; header into the AAD. */
static void
record_start(struct stream_cipher *c, const unsigned char *hdr, int final)
{
	unsigned char nonce[STREAM_NONCE_LEN];
	struct writer w;
	gcry_error_t err;

	/* The counter as 11 bytes, then the final flag. */
	wr_init(&w, nonce, sizeof(nonce));
	wr_uint(&w, 3, 0);
	wr_uint(&w, 4, (size_t)(c->counter >> 32));
	wr_uint(&w, 4, (size_t)(c->counter & 0xffffffffU));
	wr_uint(&w, 1, final ? 1 : 0);
	err = gcry_cipher_reset(c->hd);
	if (!err)
		err = gcry_cipher_setiv(c->hd, nonce, sizeof(nonce));
	if (!err)
		err = gcry_cipher_authenticate(c->hd, hdr,
		    STREAM_RECORD_HEADER_LEN);
	if (!err)
		err = gcry_cipher_final(c->hd);
	if (err)
		die_gcry(EXIT_USAGE, err, "AES-256-GCM");
}

size_t
stream_record_seal(struct stream_cipher *c, unsigned char *buf, size_t len,
    int final)
{
	unsigned char *body = buf + STREAM_RECORD_HEADER_LEN;
	struct writer w;
	gcry_error_t err;

	if (c->finished || len > STREAM_RECORD_MAX)
		die(EXIT_USAGE, "internal error: bad record");
	if (c->counter == UINT64_MAX)
		die(EXIT_USAGE, "record counter overflow");
	wr_init(&w, buf, STREAM_RECORD_HEADER_LEN);
	wr_uint(&w, 1, final ? STREAM_RECORD_FINAL : STREAM_RECORD_MORE);
	wr_uint(&w, 3, len);
	record_start(c, buf, final);
	err = gcry_cipher_encrypt(c->hd, body, len, NULL, 0);
	if (!err)
		err = gcry_cipher_gettag(c->hd, body + len, STREAM_TAG_LEN);
	if (err)
		die_gcry(EXIT_USAGE, err, "AES-256-GCM");
	c->counter++;
	c->finished = final;
	return len + STREAM_RECORD_OVERHEAD;
}

int
stream_record_parse(const unsigned char hdr[STREAM_RECORD_HEADER_LEN],
    size_t *len, int *final, const char **why)
{
	struct reader r;
	size_t type;

	rd_init(&r, hdr, STREAM_RECORD_HEADER_LEN);
	(void)rd_uint(&r, 1, &type);
	(void)rd_uint(&r, 3, len);
	if (type != STREAM_RECORD_MORE && type != STREAM_RECORD_FINAL) {
		*why = "malformed record header";
		return RP_MALFORMED;
	}
	*final = type == STREAM_RECORD_FINAL;
	if (*len > STREAM_RECORD_MAX) {
		*why = "malformed record header (length over 65536)";
		return RP_MALFORMED;
	}
	/* Only the final record may be empty: an encoder never makes an
	 * empty middle record, so one is not ours. */
	if (*len == 0 && !*final) {
		*why = "malformed record header (empty record)";
		return RP_MALFORMED;
	}
	return 0;
}

int
stream_record_open(struct stream_cipher *c, unsigned char *rec, size_t len,
    int final, const char **why)
{
	unsigned char *body = rec + STREAM_RECORD_HEADER_LEN;
	gcry_error_t err;

	if (c->finished) {
		*why = "trailing data after the final record";
		return RP_MALFORMED;
	}
	if (c->counter == UINT64_MAX) {
		*why = "record counter overflow";
		return RP_REFUSED;
	}
	record_start(c, rec, final);
	err = gcry_cipher_decrypt(c->hd, body, len, NULL, 0);
	if (err)
		die_gcry(EXIT_USAGE, err, "AES-256-GCM");
	err = gcry_cipher_checktag(c->hd, body + len, STREAM_TAG_LEN);
	if (gpg_err_code(err) == GPG_ERR_CHECKSUM) {
		*why = "record authentication failed (tampered, reordered or"
		    " spliced stream)";
		return RP_AUTH;
	}
	if (err)
		die_gcry(EXIT_USAGE, err, "AES-256-GCM");
	c->counter++;
	c->finished = final;
	return 0;
}

/* ---- The programs' work ---- */

unsigned char *
stream_session_load(const char *path)
{
	unsigned char *session;
	size_t len;

	session = io_read_file(path, STREAM_SESSION_LEN, &len);
	if (len != STREAM_SESSION_LEN) {
		secure_free(session, len + 1);
		die(EXIT_USAGE, "%s: a session file holds exactly %d bytes",
		    path, STREAM_SESSION_LEN);
	}
	return session;
}

/* The name of a file argument in messages: "-" and none are stdin/out. */
static const char *
display_name(const char *path, const char *standard)
{
	return path == NULL || strcmp(path, "-") == 0 ? standard : path;
}

/*
 * Widen a pipe to 1 MiB (Linux; the unprivileged maximum by default).
 * With the default 64 KiB, each full record (64 KiB + 20) takes two
 * wake-ups of the reader, and encrypt | decrypt ran at a third of cat's
 * speed; at 1 MiB it matches cat (doc/PERFORMANCE.md, T1c).  Best
 * effort: files, sockets and terminals refuse it, and so may a user over
 * the pipe-user-pages limit; nothing changes then.
 */
static void
pipe_widen(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
#endif
}

/* Where records go: the output descriptor, raw or through armor. */
struct sink {
	int fd;
	const char *what;
	int armored;
	struct armor_writer armor;
};

static void
sink_write(struct sink *s, const void *buf, size_t n)
{
	if (s->armored)
		armor_write(&s->armor, buf, n);
	else
		io_write_all(s->fd, buf, n, s->what);
}

void
stream_encrypt(const struct stream_encrypt_options *opt)
{
	struct stream_keys *keys;
	struct stream_cipher cipher;
	struct io_output out;
	struct sink sink;
	unsigned char *hdr, *buf;
	size_t hdr_len, n, rec;
	int in;

	in = io_open_input(opt->input);
	io_output_open(&out, opt->output, 0600, 0);
	pipe_widen(out.fd);
	memset(&sink, 0, sizeof(sink));
	sink.fd = out.fd;
	sink.what = display_name(opt->output, "stdout");
	sink.armored = opt->armor;
	if (sink.armored)
		armor_writer_open(&sink.armor, sink.fd, sink.what);

	keys = stream_keys_new();
	hdr = stream_header_create(&hdr_len, keys, opt->recipients,
	    opt->nrecipients, opt->signer, opt->session);
	stream_cipher_open(&cipher, keys);
	stream_keys_free(keys);
	/* The header goes out at once, so a chat peer can set up before
	 * the first line is typed. */
	sink_write(&sink, hdr, hdr_len);
	free(hdr);

	/* One buffer, records sealed in place: each read() becomes one
	 * record written at once (a typed line crosses immediately, a big
	 * file streams in full records). */
	buf = malloc(STREAM_RECORD_MAX + STREAM_RECORD_OVERHEAD);
	if (buf == NULL)
		die(EXIT_USAGE, "out of memory");
	for (;;) {
		n = io_read_some(in, buf + STREAM_RECORD_HEADER_LEN,
		    STREAM_RECORD_MAX, display_name(opt->input, "stdin"));
		rec = stream_record_seal(&cipher, buf, n, n == 0);
		sink_write(&sink, buf, rec);
		if (n == 0)
			break;
	}
	stream_cipher_close(&cipher);
	wipe(buf, STREAM_RECORD_MAX + STREAM_RECORD_OVERHEAD);
	free(buf);
	if (sink.armored)
		armor_writer_close(&sink.armor);
	if (in != STDIN_FILENO)
		close(in);
	io_output_commit(&out);
}

/*
 * Buffered input for decryption: [start, end) holds bytes not yet used,
 * already de-armored.  Big enough for the largest header or one record
 * plus what the next read brings.
 */
#define INPUT_SIZE (STREAM_HEADER_MAX + 2 * (STREAM_RECORD_MAX + \
	STREAM_RECORD_OVERHEAD))

struct input {
	int fd;
	const char *what;
	unsigned char *buf;
	size_t start, end;
	int eof;
	int armored;
	struct armor_reader armor;
};

/* One read more.  Returns 0 at end of input. */
static size_t
input_fill(struct input *in)
{
	const char *why;
	size_t r, n;

	if (in->eof)
		return 0;
	if (in->start > 0 && in->end == INPUT_SIZE) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->end == INPUT_SIZE)
		die(EXIT_USAGE, "internal error: input buffer full");
	for (;;) {
		r = io_read_some(in->fd, in->buf + in->end, INPUT_SIZE - in->end,
		    in->what);
		if (r == 0) {
			in->eof = 1;
			if (in->armored && armor_reader_close(&in->armor, &why))
				die(EXIT_AUTH, "%s", why);
			return 0;
		}
		n = r;
		if (in->armored &&
		    armor_decode(&in->armor, in->buf + in->end, r, &n, &why))
			die(EXIT_AUTH, "%s", why);
		in->end += n;
		if (n > 0)
			return n;
		/* Armor lines can decode to nothing yet: read on. */
	}
}

/* Make n contiguous bytes available at in->buf + in->start; returns 0
 * if the input ends first. */
static int
input_need(struct input *in, size_t n)
{
	if (in->end - in->start >= n)
		return 1;
	if (in->start + n > INPUT_SIZE) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	while (in->end - in->start < n)
		if (input_fill(in) == 0)
			return 0;
	return 1;
}

/* Decide between binary and armor from the first bytes. */
static void
input_detect(struct input *in)
{
	int a;

	while ((a = armor_detect(in->buf, in->end)) < 0 && !in->eof)
		input_fill(in);
	if (a != 1)
		return;
	armor_reader_open(&in->armor);
	in->armored = 1;
	/* Hand what was read so far to the decoder; it skips the BEGIN
	 * line itself. */
	{
		const char *why;
		size_t n;

		if (armor_decode(&in->armor, in->buf, in->end, &n, &why))
			die(EXIT_AUTH, "%s", why);
		in->end = n;
	}
}

void
stream_decrypt(const struct stream_decrypt_options *opt)
{
	struct stream_header h;
	struct stream_keys *keys;
	struct stream_cipher cipher;
	struct io_output out;
	struct input in;
	unsigned char *rec;
	const char *why = NULL;
	size_t need, len, i;
	int r, final, result;

	memset(&in, 0, sizeof(in));
	in.fd = io_open_input(opt->input);
	in.what = display_name(opt->input, "stdin");
	in.buf = malloc(INPUT_SIZE);
	if (in.buf == NULL)
		die(EXIT_USAGE, "out of memory");
	io_output_open(&out, opt->output, 0600, 0);
	pipe_widen(in.fd);

	input_detect(&in);
	/* The header, whole, before anything else. */
	for (;;) {
		r = stream_header_parse(&h, in.buf + in.start,
		    in.end - in.start, &need, &why);
		if (r == 0)
			break;
		if (r != RP_MORE)
			die(EXIT_AUTH, "%s", why);
		if (!input_need(&in, need)) {
			if (in.end == in.start)
				die(EXIT_AUTH, "empty input: truncated or not"
				    " an rsapipe stream");
			die(EXIT_AUTH, "truncated stream (incomplete header)");
		}
	}

	keys = stream_keys_new();
	result = RP_NOKEY;
	for (i = 0; i < opt->nidentities && result != 0; i++) {
		r = stream_unwrap_file_key(&h, &opt->identities[i], keys);
		if (r == 0 || result == RP_NOKEY)
			result = r;
	}
	if (result != 0) {
		stream_keys_free(keys);
		if (result == RP_NOKEY)
			die(EXIT_AUTH, "not encrypted to this key (no stanza"
			    " for this key)");
		die(EXIT_AUTH, "cannot decrypt the file key: wrong key or"
		    " tampered stanza");
	}
	if (stream_header_verify(&h, in.buf + in.start, keys, opt->session,
	    opt->from, &why) != 0) {
		stream_keys_free(keys);
		die(EXIT_AUTH, "%s", why);
	}
	stream_cipher_open(&cipher, keys);
	stream_keys_free(keys);
	in.start += h.len;

	/* Records: each is written only after its tag verified. */
	for (;;) {
		if (!input_need(&in, STREAM_RECORD_HEADER_LEN)) {
			if (in.end == in.start)
				die(EXIT_AUTH, "truncated stream (no final"
				    " record)");
			die(EXIT_AUTH, "truncated stream (partial record)");
		}
		rec = in.buf + in.start;
		if (stream_record_parse(rec, &len, &final, &why) != 0)
			die(EXIT_AUTH, "%s", why);
		if (!input_need(&in, len + STREAM_RECORD_OVERHEAD))
			die(EXIT_AUTH, "truncated stream (partial record)");
		rec = in.buf + in.start;
		if (stream_record_open(&cipher, rec, len, final, &why) != 0)
			die(EXIT_AUTH, "%s", why);
		io_write_all(out.fd, rec + STREAM_RECORD_HEADER_LEN, len,
		    display_name(opt->output, "stdout"));
		in.start += len + STREAM_RECORD_OVERHEAD;
		if (final)
			break;
	}
	stream_cipher_close(&cipher);
	/* Exactly one final record ends the stream. */
	if (!opt->stop_at_final && (in.end > in.start || input_fill(&in) > 0))
		die(EXIT_AUTH, "trailing data after the final record");
	/* The buffer held decrypted plaintext: do not hand it back to
	 * malloc as it is (stream_encrypt wipes its buffer too). */
	wipe(in.buf, INPUT_SIZE);
	free(in.buf);
	if (in.fd != STDIN_FILENO)
		close(in.fd);
	io_output_commit(&out);
}
