/* SPDX-License-Identifier: ISC */
/* stream_format.c: the stream header: keys, build, parse, checks. */
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/hkdf.h"
#include "crypto/rsa.h"
#include "stream/format.h"
#include "stream/stream_format.h"

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
	secure_free(keys);
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
	size_t i, mac_at;

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
	/* The MAC covers the header up to itself: take the length before
	 * making room for it (argument order is unspecified in C). */
	mac_at = w.off;
	header_mac(room(&w, STREAM_MAC_LEN), keys, hdr, mac_at, session);
	if (wr_finish(&w, len) != 0)
		die(EXIT_USAGE, "internal error: header overflow");
	return hdr;
}

/* ---- Header checks ---- */

int
stream_unwrap_next(const struct stream_header *h, const struct rsa_key *key,
    struct stream_keys *keys, size_t *at)
{
	int found = 0;

	for (; *at < h->count; (*at)++) {
		if (!ct_equal(h->stanza[*at].id, key->id, STREAM_KEY_ID_LEN))
			continue;
		found = 1;
		if (rsa_oaep_unwrap(key, STREAM_OAEP_LABEL, h->stanza[*at].ct,
		    h->stanza[*at].ct_len, keys->file_key,
		    sizeof(keys->file_key)) == 0) {
			(*at)++;
			stream_keys_derive(keys, h->salt);
			return 0;
		}
	}
	return found ? RP_DECRYPT : RP_NOKEY;
}

int
stream_unwrap_file_key(const struct stream_header *h,
    const struct rsa_key *key, struct stream_keys *keys)
{
	size_t at = 0;

	return stream_unwrap_next(h, key, keys, &at);
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
