/* SPDX-License-Identifier: ISC */
/* stream_format.c: the stream header: keys, build, parse, checks. */
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/hkdf.h"
#include "crypto/rsa.h"
#include "keys/sshsig.h"
#include "stream/format.h"
#include "stream/stream_agent.h"
#include "stream/stream_format.h"
#include "stream/stream_rsa.h"

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
	hkdf_sha256(out, 32, keys->file_key, sizeof(keys->file_key), salt,
	    STREAM_SALT_LEN, (const unsigned char *)info, strlen(info));
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
parse_fixed(struct stream_header *h, struct reader *r, struct rp_error *err)
{
	const unsigned char *p;

	if (rd_bytes(r, STREAM_FIXED_LEN, &p) != 0)
		return r->err;
	h->version = p[STREAM_MAGIC_LEN];
	if (h->version != STREAM_VERSION && h->version != STREAM_VERSION_SSHSIG)
		return rp_fail(err, RP_REFUSED, "unsupported stream version");
	h->flags = p[STREAM_OFF_FLAGS];
	if ((h->flags & ~STREAM_FLAGS_KNOWN) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "malformed header (unknown flags)");
	if (h->version == STREAM_VERSION_SSHSIG &&
	    !(h->flags & STREAM_FLAG_SIGNED))
		return rp_fail(err, RP_MALFORMED,
		    "malformed header (version 2 stream not signed)");
	h->salt = p + STREAM_OFF_SALT;
	h->count = p[STREAM_OFF_COUNT];
	if (h->count == 0 || h->count > STREAM_MAX_RECIPIENTS)
		return rp_fail(err, RP_MALFORMED,
		    "malformed header (recipient count)");
	return 0;
}

/* Each stanza as a generic one (identity.h): its key id the one
 * argument, its ciphertext the body. */
static int
parse_stanzas(struct stream_header *h, struct reader *r, struct rp_error *err)
{
	struct stanza *s;
	size_t i;

	for (i = 0; i < h->count; i++) {
		s = &h->stanza[i];
		s->type = STREAM_STANZA_TYPE;
		s->nargs = 1;
		s->arg_len[0] = STREAM_KEY_ID_LEN;
		if (rd_bytes(r, STREAM_KEY_ID_LEN, &s->args[0]) == 0 &&
		    rd_vec(r, 2, STREAM_RSA_MIN_BYTES, STREAM_RSA_MAX_BYTES,
		    &s->body, &s->body_len) == RP_MALFORMED)
			rp_fail(err, RP_MALFORMED,
			    "malformed header (stanza length)");
		if (r->err != 0)
			return r->err;
	}
	return 0;
}

/* Session tag, signer and signature, MAC. */
static int
parse_trailer(struct stream_header *h, struct reader *r, struct rp_error *err)
{
	if (h->flags & STREAM_FLAG_SESSION)
		(void)rd_bytes(r, STREAM_SESSION_TAG_LEN, &h->session_tag);
	if ((h->flags & STREAM_FLAG_SIGNED) &&
	    rd_bytes(r, STREAM_KEY_ID_LEN, &h->signer_id) == 0) {
		h->signed_len = r->off;
		if (rd_vec(r, 2, STREAM_RSA_MIN_BYTES, h->version ==
		    STREAM_VERSION ? STREAM_RSA_MAX_BYTES : STREAM_SSHSIG_MAX,
		    &h->sig, &h->sig_len) == RP_MALFORMED)
			rp_fail(err, RP_MALFORMED,
			    "malformed header (signature length)");
	}
	h->mac_offset = r->off;
	(void)rd_bytes(r, STREAM_MAC_LEN, &h->mac);
	return r->err;
}

int
stream_header_parse(struct stream_header *h, const unsigned char *buf,
    size_t len, size_t *need, struct rp_error *err)
{
	struct reader r;
	size_t n;
	int rc;

	memset(h, 0, sizeof(*h));
	rp_clear(err);
	/* Say "not ours" as soon as the first bytes disagree, so garbage is
	 * refused without waiting for more input. */
	n = len < STREAM_MAGIC_LEN ? len : STREAM_MAGIC_LEN;
	if (memcmp(buf, STREAM_MAGIC, n) != 0)
		return rp_fail(err, RP_MALFORMED, "not an rsapipe stream");
	rd_init(&r, buf, len);
	if ((rc = parse_fixed(h, &r, err)) == 0 &&
	    (rc = parse_stanzas(h, &r, err)) == 0 &&
	    (rc = parse_trailer(h, &r, err)) == 0)
		h->len = r.off;
	if (rc == RP_MORE) {
		*need = r.need;
		rp_fail(err, RP_MORE, "truncated stream (incomplete header)");
	} else if (rc != 0 && err != NULL && err->code == RP_OK) {
		rp_fail(err, rc, "malformed header");
	}
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
		rp_fatal("SHA-256: %s", gcry_strerror(err));
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
		rp_fatal("HMAC: %s", gcry_strerror(err));
}

static void
session_tag(unsigned char out[STREAM_SESSION_TAG_LEN],
    const struct stream_keys *keys, const unsigned char *session)
{
	unsigned char full[HKDF_SHA256_LEN];

	hmac_sha256(full, keys->session_key, sizeof(keys->session_key),
	    session, STREAM_SESSION_LEN);
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
		rp_fatal("header overflow");
	return p;
}

/* Magic to count, with a fresh file key and salt, keys derived. */
static void
write_fixed(struct writer *w, struct stream_keys *keys, unsigned version,
    unsigned flags, size_t count)
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
	wr_uint(w, 1, version);
	wr_uint(w, 1, flags);
	salt = room(w, STREAM_SALT_LEN);
	gcry_create_nonce(salt, STREAM_SALT_LEN);
	wr_uint(w, 1, count);
	stream_keys_derive(keys, salt);
}

/* Each recipient's stanza: key id, ciphertext length, ciphertext.
 * Only the stream's own kind of key can be a recipient here. */
static int
write_stanza(struct writer *w, const struct recipient *r,
    const struct stream_keys *keys, struct rp_error *err)
{
	struct stanza s;
	int rc;

	if (strcmp(r->ops->kind, STREAM_STANZA_TYPE) != 0)
		return rp_fail(err, RP_USAGE, "a %s recipient cannot receive "
		    "an rsapipe stream", r->ops->kind);
	if ((rc = r->ops->wrap(r, keys->file_key, sizeof(keys->file_key), &s,
	    err)) != 0)
		return rc;
	wr_bytes(w, s.args[0], STREAM_KEY_ID_LEN);
	wr_uint(w, 2, s.body_len);
	wr_bytes(w, s.body, s.body_len);
	stanza_free(&s);
	return 0;
}

/* The header version a signer's scheme needs: 0 if it cannot sign. */
static unsigned
signer_version(const struct identity *signer)
{
	if (signer == NULL)
		return STREAM_VERSION;
	if (signer->ops->sign == NULL || signer->handle_len !=
	    STREAM_KEY_ID_LEN)
		return 0;
	if (strcmp(signer->ops->kind, STREAM_STANZA_TYPE) == 0)
		return STREAM_VERSION;
	if (strcmp(signer->ops->kind, STREAM_AGENT_KIND) == 0)
		return STREAM_VERSION_SSHSIG;
	return 0;
}

/* Signer id, then the signature over everything up to it: RSA-PSS of
 * the digest, or (version 2) an SSHSIG of it. */
static int
write_signature(struct writer *w, const struct identity *signer,
    const unsigned char *session, struct rp_error *err)
{
	unsigned char digest[RSA_DIGEST_LEN], sig[STREAM_SSHSIG_MAX];
	size_t n;
	int rc;

	wr_bytes(w, signer->handle, STREAM_KEY_ID_LEN);
	signed_digest(digest, w->buf, w->off, session);
	if ((rc = signer->ops->sign(signer, digest, sig, sizeof(sig), &n,
	    err)) != 0)
		return rc;
	if (n < STREAM_RSA_MIN_BYTES)
		return rp_fail(err, RP_USAGE, "signing key size not supported");
	wr_uint(w, 2, n);
	memcpy(room(w, n), sig, n);
	return 0;
}

/* Everything after the fixed part, up to the MAC. */
static int
write_body(struct writer *w, const struct stream_keys *keys,
    const struct recipient_set *rcpts, const struct identity *signer,
    const unsigned char *session, struct rp_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < rcpts->n; i++)
		if ((rc = write_stanza(w, rcpts->r[i], keys, err)) != 0)
			return rc;
	if (session != NULL)
		session_tag(room(w, STREAM_SESSION_TAG_LEN), keys, session);
	if (signer != NULL)
		return write_signature(w, signer, session, err);
	return 0;
}

int
stream_header_create(unsigned char **out, size_t *len,
    struct stream_keys *keys, const struct recipient_set *rcpts,
    const struct identity *signer, const unsigned char *session,
    struct rp_error *err)
{
	struct writer w;
	unsigned char *hdr;
	unsigned version = signer_version(signer);
	size_t mac_at;
	int rc;

	*out = NULL;
	if (rcpts->n == 0 || rcpts->n > STREAM_MAX_RECIPIENTS)
		return rp_fail(err, RP_USAGE, "between 1 and %d recipients are "
		    "required", STREAM_MAX_RECIPIENTS);
	if (version == 0)
		return rp_fail(err, RP_USAGE, "a %s key cannot sign an rsapipe "
		    "stream", signer->ops->kind);
	hdr = rp_alloc(STREAM_HEADER_MAX);
	wr_init(&w, hdr, STREAM_HEADER_MAX);
	write_fixed(&w, keys, version, (signer != NULL ?
	    STREAM_FLAG_SIGNED : 0) | (session != NULL ? STREAM_FLAG_SESSION :
	    0), rcpts->n);
	if ((rc = write_body(&w, keys, rcpts, signer, session, err)) != 0) {
		free(hdr);
		return rc;
	}
	/* The MAC covers the header up to itself: take the length before
	 * making room for it (argument order is unspecified in C). */
	mac_at = w.off;
	header_mac(room(&w, STREAM_MAC_LEN), keys, hdr, mac_at, session);
	if (wr_finish(&w, len) != 0)
		rp_fatal("header overflow");
	*out = hdr;
	return 0;
}

/* ---- Header checks ---- */

/* The session binding: a context given exactly when the flag says so,
 * and the tag made with it. */
static int
check_session(const struct stream_header *h, const struct stream_keys *keys,
    const unsigned char *session, struct rp_error *err)
{
	unsigned char tag[STREAM_SESSION_TAG_LEN];
	int ok;

	if ((h->flags & STREAM_FLAG_SESSION) && session == NULL)
		return rp_fail(err, RP_AUTH, "stream is bound to a session; "
		    "--session is required");
	if (!(h->flags & STREAM_FLAG_SESSION) && session != NULL)
		return rp_fail(err, RP_AUTH, "stream is not bound to a session "
		    "(wrong session)");
	if (session == NULL)
		return 0;
	session_tag(tag, keys, session);
	ok = ct_equal(tag, h->session_tag, sizeof(tag));
	wipe(tag, sizeof(tag));
	if (!ok)
		return rp_fail(err, RP_AUTH, "wrong session: stream was made "
		    "for another session");
	return 0;
}

/* A version 2 signature: the SSHSIG of the digest, every field checked
 * (sshsig_verify), its reason kept after ours. */
static int
check_sshsig(const struct stream_header *h,
    const unsigned char digest[RSA_DIGEST_LEN], const struct rsa_key *from,
    struct rp_error *err)
{
	if (sshsig_verify(from, STREAM_SSHSIG_NAMESPACE, digest,
	    RSA_DIGEST_LEN, h->sig, h->sig_len, RSA_PKCS1_SHA512,
	    RSA_PKCS1_SHA256 | RSA_PKCS1_SHA512, err) == 0)
		return 0;
	/* Whether it parses or not, a header check failed: RP_AUTH. */
	if (err != NULL)
		err->code = RP_AUTH;
	rp_prefix(err, "bad signature (wrong signer or tampered header)");
	return RP_AUTH;
}

static int
check_signature(const struct stream_header *h, const unsigned char *buf,
    const unsigned char *session, const struct rsa_key *from,
    struct rp_error *err)
{
	unsigned char digest[RSA_DIGEST_LEN];

	if (!(h->flags & STREAM_FLAG_SIGNED))
		return rp_fail(err, RP_AUTH, "stream is not signed");
	if (!ct_equal(h->signer_id, from->id, STREAM_KEY_ID_LEN))
		return rp_fail(err, RP_AUTH, "stream is signed by another key "
		    "(wrong signer)");
	signed_digest(digest, buf, h->signed_len, session);
	if (h->version == STREAM_VERSION_SSHSIG)
		return check_sshsig(h, digest, from, err);
	if (h->sig_len != rsa_modulus_bytes(from))
		return rp_fail(err, RP_AUTH, "bad signature (wrong signer)");
	if (rsa_pss_verify(from, digest, h->sig, h->sig_len) != 0)
		return rp_fail(err, RP_AUTH, "bad signature (wrong signer or "
		    "tampered header)");
	return 0;
}

int
stream_header_verify(const struct stream_header *h, const unsigned char *buf,
    const struct stream_keys *keys, const unsigned char *session,
    const struct rsa_key *from, struct rp_error *err)
{
	unsigned char mac[STREAM_MAC_LEN];
	int ok, rc;

	if ((rc = check_session(h, keys, session, err)) != 0)
		return rc;
	header_mac(mac, keys, buf, h->mac_offset, session);
	ok = ct_equal(mac, h->mac, sizeof(mac));
	wipe(mac, sizeof(mac));
	if (!ok)
		return rp_fail(err, RP_AUTH, "header authentication failed "
		    "(tampered header)");
	return from == NULL ? 0 : check_signature(h, buf, session, from, err);
}

/* What the search's check needs: the header and what binds it. */
struct verify_ctx {
	const struct stream_header *h;
	const unsigned char *buf;
	struct stream_keys *keys;
	const unsigned char *session;
	const struct rsa_key *from;
};

/* A candidate file key (already in keys->file_key): the derived keys,
 * then the header checks. */
static int
verify_candidate(void *arg, const unsigned char *file_key,
    struct rp_error *err)
{
	struct verify_ctx *v = arg;

	(void)file_key;
	stream_keys_derive(v->keys, v->h->salt);
	return stream_header_verify(v->h, v->buf, v->keys, v->session,
	    v->from, err);
}

int
stream_find_file_key(const struct stream_header *h,
    const unsigned char *buf, const struct identity_set *ids,
    const unsigned char *session, const struct rsa_key *from,
    struct stream_keys *keys, struct rp_error *err)
{
	struct verify_ctx v = { h, buf, keys, session, from };
	int rc;

	rc = identity_find_file_key(ids, h->stanza, h->count, keys->file_key,
	    sizeof(keys->file_key), verify_candidate, &v, err);
	/* Other kinds of key say "not for me" in their own words. */
	if (rc == RP_NOKEY)
		rp_fail(err, rc, "not encrypted to this key (no stanza for "
		    "this key)");
	else if (rc == RP_DECRYPT)
		rp_fail(err, rc, "cannot decrypt the file key: wrong key or "
		    "tampered stanza");
	return rc;
}
