/* SPDX-License-Identifier: ISC */
/* spake2.c: SPAKE2-P256-SHA256-HKDF-HMAC (RFC 9382) on gcry_mpi_ec_*. */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "crypto/hkdf.h"
#include "crypto/spake2.h"

/*
 * RFC 9382 section 6, P-256, as the RFC prints them (compressed SEC1).
 * libgcrypt decompresses them; spake2-test holds the result against the
 * uncompressed forms computed independently.
 */
static const char spake2_m_hex[] =
    "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f";
static const char spake2_n_hex[] =
    "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49";

#define TT_MAX (6 * 8 + 2 * SPAKE2_ID_MAX + 3 * SPAKE2_SHARE_LEN + \
	SPAKE2_SCALAR_LEN)

enum { ST_NONE, ST_STARTED, ST_FINISHED, ST_VERIFIED, ST_SPENT };

struct spake2_secrets {
	gcry_mpi_t scalar;  /* x or y; secure, so multiplied in constant time */
	gcry_mpi_t w;
	unsigned char w_bytes[SPAKE2_SCALAR_LEN];
	unsigned char k[SPAKE2_SHARE_LEN];
	unsigned char tt[TT_MAX];
	size_t tt_len;
	unsigned char hash[2 * SPAKE2_KEY_LEN];  /* Ke || Ka */
	unsigned char kc[2 * SPAKE2_KEY_LEN];    /* KcA || KcB */
	unsigned char id_a[SPAKE2_ID_MAX], id_b[SPAKE2_ID_MAX];
	size_t id_a_len, id_b_len;
};

static gcry_ctx_t
p256(void)
{
	gcry_ctx_t ec;
	gcry_error_t e;

	e = gcry_mpi_ec_new(&ec, NULL, "NIST P-256");
	if (e)
		rp_fatal("libgcrypt has no NIST P-256: %s", gcry_strerror(e));
	return ec;
}

/* A point whose coordinates are secure MPIs, for values derived from a
 * secret scalar. */
static gcry_mpi_point_t
secure_point(void)
{
	gcry_mpi_point_t p = gcry_mpi_point_new(0);

	gcry_mpi_point_snatch_set(p, gcry_mpi_snew(0), gcry_mpi_snew(0),
	    gcry_mpi_snew(0));
	return p;
}

/* m as exactly len big-endian bytes (m < 2^(8 len)). */
static void
mpi_to_fixed(unsigned char *out, size_t len, gcry_mpi_t m)
{
	size_t n = (gcry_mpi_get_nbits(m) + 7) / 8, written;
	gcry_error_t e;

	if (n > len)
		rp_fatal("spake2: a %zu-byte value where %zu fit", n, len);
	memset(out, 0, len);
	if (n == 0)
		return;
	e = gcry_mpi_print(GCRYMPI_FMT_USG, out + (len - n), n, &written, m);
	if (e || written != n)
		rp_fatal("spake2: gcry_mpi_print: %s", gcry_strerror(e));
}

/*
 * in as an MPI; a secure one (marked so, its limbs in secure memory)
 * when secure is set: libgcrypt multiplies by a scalar in constant time
 * only when it is marked secure, and gcry_mpi_set() would copy the
 * scanned number's flags over a gcry_mpi_snew()'s.
 */
static gcry_mpi_t
fixed_to_mpi(const unsigned char *in, size_t len, int secure)
{
	unsigned char *copy = NULL;
	gcry_mpi_t m = NULL;
	gcry_error_t e;

	if (secure) {
		copy = secure_alloc(len);
		memcpy(copy, in, len);
	}
	e = gcry_mpi_scan(&m, GCRYMPI_FMT_USG, secure ? copy : in, len, NULL);
	secure_free(copy);
	if (e)
		rp_fatal("spake2: gcry_mpi_scan: %s", gcry_strerror(e));
	if (secure && gcry_mpi_cmp_ui(m, 0) == 0) {
		/* libgcrypt cannot mark a scanned zero secure (it asserts). */
		gcry_mpi_release(m);
		m = gcry_mpi_snew(0);
	} else if (secure) {
		gcry_mpi_set_flag(m, GCRYMPI_FLAG_SECURE);
	}
	return m;
}

/*
 * Uncompressed SEC1 of p; -1 when p is the identity (no affine form).
 * libgcrypt's constant-time arithmetic can leave the identity's z = 0
 * unnormalized, which gcry_mpi_ec_get_affine() then takes for a number
 * to invert (printing to stderr, returning garbage): get_nbits()
 * normalizes, so z is tested here first.
 */
static int
encode_point(unsigned char out[SPAKE2_SHARE_LEN], gcry_mpi_point_t p,
    gcry_ctx_t ec)
{
	gcry_mpi_t x = gcry_mpi_snew(0), y = gcry_mpi_snew(0);
	int r = -1;

	gcry_mpi_point_get(NULL, NULL, x, p);
	if (gcry_mpi_get_nbits(x) != 0 &&
	    gcry_mpi_ec_get_affine(x, y, p, ec) == 0) {
		out[0] = 0x04;
		mpi_to_fixed(out + 1, 32, x);
		mpi_to_fixed(out + 33, 32, y);
		r = 0;
	}
	gcry_mpi_release(x);
	gcry_mpi_release(y);
	return r;
}

/*
 * An uncompressed SEC1 point of P-256, or NULL.  Both coordinates must
 * be below p and satisfy the curve equation; the identity has no such
 * encoding (its SEC1 form is the single byte 00), and P-256's cofactor
 * is 1, so a point that passes is in the prime-order group.
 */
static gcry_mpi_point_t
decode_share(const unsigned char *in, size_t len, gcry_ctx_t ec)
{
	gcry_mpi_t x, y, p;
	gcry_mpi_point_t q;
	int ok;

	if (len != SPAKE2_SHARE_LEN || in[0] != 0x04)
		return NULL;
	x = fixed_to_mpi(in + 1, 32, 0);
	y = fixed_to_mpi(in + 33, 32, 0);
	p = gcry_mpi_ec_get_mpi("p", ec, 1);
	ok = gcry_mpi_cmp(x, p) < 0 && gcry_mpi_cmp(y, p) < 0;
	gcry_mpi_release(p);
	q = gcry_mpi_point_snatch_set(NULL, x, y, gcry_mpi_set_ui(NULL, 1));
	if (!ok || !gcry_mpi_ec_curve_point(q, ec)) {
		gcry_mpi_point_release(q);
		return NULL;
	}
	return q;
}

/* M or N, decompressed by libgcrypt from the RFC's text. */
static gcry_mpi_point_t
rfc_constant(const char *hex, gcry_ctx_t ec)
{
	gcry_mpi_point_t q = gcry_mpi_point_new(0);
	gcry_mpi_t v = NULL;

	if (gcry_mpi_scan(&v, GCRYMPI_FMT_HEX, hex, 0, NULL) != 0)
		rp_fatal("spake2: bad constant");
	if (gcry_mpi_ec_decode_point(q, v, ec) != 0 ||
	    !gcry_mpi_ec_curve_point(q, ec))
		rp_fatal("spake2: libgcrypt does not decode RFC 9382's M, N");
	gcry_mpi_release(v);
	return q;
}

int
spake2_constants(unsigned char m[SPAKE2_SHARE_LEN],
    unsigned char n[SPAKE2_SHARE_LEN], struct rp_error *err)
{
	gcry_ctx_t ec = p256();
	gcry_mpi_point_t pm = rfc_constant(spake2_m_hex, ec);
	gcry_mpi_point_t pn = rfc_constant(spake2_n_hex, ec);
	int r = 0;

	if (encode_point(m, pm, ec) != 0 || encode_point(n, pn, ec) != 0)
		r = rp_fail(err, RP_REFUSED, "M or N is the identity");
	gcry_mpi_point_release(pm);
	gcry_mpi_point_release(pn);
	gcry_ctx_release(ec);
	return r;
}

/* scalar*G + w*C into out (65 bytes): a share, C being M or N. */
static void
make_share(unsigned char out[SPAKE2_SHARE_LEN], gcry_mpi_t scalar,
    gcry_mpi_t w, const char *c_hex, gcry_ctx_t ec)
{
	gcry_mpi_point_t g = gcry_mpi_ec_get_point("g", ec, 1);
	gcry_mpi_point_t c = rfc_constant(c_hex, ec);
	gcry_mpi_point_t a = secure_point(), b = secure_point();

	gcry_mpi_ec_mul(a, scalar, g, ec);
	gcry_mpi_ec_mul(b, w, c, ec);
	gcry_mpi_ec_add(a, a, b, ec);
	/* The identity would need scalar = -w*log(C): never by chance. */
	if (encode_point(out, a, ec) != 0)
		rp_fatal("spake2: own share is the identity");
	gcry_mpi_point_release(g);
	gcry_mpi_point_release(c);
	gcry_mpi_point_release(a);
	gcry_mpi_point_release(b);
}

/* Whether m is in [0, n) of P-256. */
static int
below_order(gcry_mpi_t m, gcry_ctx_t ec)
{
	gcry_mpi_t n = gcry_mpi_ec_get_mpi("n", ec, 1);
	int r = gcry_mpi_cmp(m, n) < 0;

	gcry_mpi_release(n);
	return r;
}

/* A scalar drawn uniformly from [1, n), by rejection (n is so close to
 * 2^256 that a draw is refused about once in 2^32 runs). */
static gcry_mpi_t
random_scalar(gcry_ctx_t ec)
{
	unsigned char *buf = secure_alloc(SPAKE2_SCALAR_LEN);
	gcry_mpi_t x;

	for (;;) {
		gcry_randomize(buf, SPAKE2_SCALAR_LEN, GCRY_STRONG_RANDOM);
		x = fixed_to_mpi(buf, SPAKE2_SCALAR_LEN, 1);
		if (gcry_mpi_cmp_ui(x, 0) != 0 && below_order(x, ec))
			break;
		gcry_mpi_release(x);
	}
	secure_free(buf);
	return x;
}

static int
start(struct spake2 *s, enum spake2_role role,
    const unsigned char w[SPAKE2_SCALAR_LEN], gcry_mpi_t scalar,
    const void *id_a, size_t id_a_len, const void *id_b, size_t id_b_len,
    unsigned char share[SPAKE2_SHARE_LEN], struct rp_error *err)
{
	struct spake2_secrets *sec;

	memset(s, 0, sizeof(*s));
	if ((role != SPAKE2_A && role != SPAKE2_B) ||
	    id_a_len > SPAKE2_ID_MAX || id_b_len > SPAKE2_ID_MAX) {
		gcry_mpi_release(scalar);
		return rp_fail(err, RP_USAGE, "spake2: no such role, or an "
		    "identity too long");
	}
	s->ec = p256();
	s->sec = sec = secure_alloc(sizeof(*sec));
	memset(sec, 0, sizeof(*sec));
	s->role = role;
	sec->w = fixed_to_mpi(w, SPAKE2_SCALAR_LEN, 1);
	memcpy(sec->w_bytes, w, SPAKE2_SCALAR_LEN);
	sec->scalar = scalar != NULL ? scalar : random_scalar(s->ec);
	if (!below_order(sec->w, s->ec) || !below_order(sec->scalar, s->ec)) {
		spake2_free(s);
		return rp_fail(err, RP_USAGE, "spake2: w or scalar not below n");
	}
	if (id_a_len > 0)
		memcpy(sec->id_a, id_a, id_a_len);
	if (id_b_len > 0)
		memcpy(sec->id_b, id_b, id_b_len);
	sec->id_a_len = id_a_len;
	sec->id_b_len = id_b_len;
	make_share(s->own_share, sec->scalar, sec->w,
	    role == SPAKE2_A ? spake2_m_hex : spake2_n_hex, s->ec);
	memcpy(share, s->own_share, SPAKE2_SHARE_LEN);
	s->state = ST_STARTED;
	return 0;
}

int
spake2_start(struct spake2 *s, enum spake2_role role,
    const unsigned char w[SPAKE2_SCALAR_LEN],
    const void *id_a, size_t id_a_len, const void *id_b, size_t id_b_len,
    unsigned char share[SPAKE2_SHARE_LEN], struct rp_error *err)
{
	return start(s, role, w, NULL, id_a, id_a_len, id_b, id_b_len,
	    share, err);
}

int
spake2_start_with_scalar(struct spake2 *s, enum spake2_role role,
    const unsigned char w[SPAKE2_SCALAR_LEN],
    const unsigned char scalar[SPAKE2_SCALAR_LEN],
    const void *id_a, size_t id_a_len, const void *id_b, size_t id_b_len,
    unsigned char share[SPAKE2_SHARE_LEN], struct rp_error *err)
{
	return start(s, role, w, fixed_to_mpi(scalar, SPAKE2_SCALAR_LEN, 1),
	    id_a, id_a_len, id_b, id_b_len, share, err);
}

/* K = scalar * (peer - w*C), C being N for A and M for B; -1 when K is
 * the identity (a peer that sent w*C exactly). */
static int
compute_k(struct spake2 *s, gcry_mpi_point_t peer)
{
	struct spake2_secrets *sec = s->sec;
	gcry_mpi_point_t c = rfc_constant(s->role == SPAKE2_A ?
	    spake2_n_hex : spake2_m_hex, s->ec);
	gcry_mpi_point_t t = secure_point(), k = secure_point();
	gcry_mpi_t n = gcry_mpi_ec_get_mpi("n", s->ec, 1);
	gcry_mpi_t minus_w = gcry_mpi_snew(0);
	int r;

	/* libgcrypt 1.10 has no Weierstrass subtraction: -w*C is (n-w)*C. */
	gcry_mpi_sub(minus_w, n, sec->w);
	gcry_mpi_ec_mul(t, minus_w, c, s->ec);
	gcry_mpi_ec_add(t, peer, t, s->ec);
	gcry_mpi_ec_mul(k, sec->scalar, t, s->ec);  /* cofactor 1 */
	gcry_mpi_release(minus_w);
	gcry_mpi_release(n);
	r = encode_point(sec->k, k, s->ec);
	gcry_mpi_point_release(c);
	gcry_mpi_point_release(t);
	gcry_mpi_point_release(k);
	return r;
}

static void
tt_put(struct spake2_secrets *sec, const void *p, size_t len)
{
	unsigned char le[8];
	size_t i;

	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)((unsigned long long)len >> (8 * i));
	memcpy(sec->tt + sec->tt_len, le, 8);
	if (len > 0)
		memcpy(sec->tt + sec->tt_len + 8, p, len);
	sec->tt_len += 8 + len;
}

/* TT, Ke || Ka = SHA-256(TT), KcA || KcB = HKDF(Ka, nil,
 * "ConfirmationKeys" || AAD): RFC 9382 section 4. */
static void
key_schedule(struct spake2 *s, const void *aad, size_t aad_len)
{
	struct spake2_secrets *sec = s->sec;
	const unsigned char *pa, *pb;
	unsigned char *info;
	gcry_md_hd_t md;
	gcry_error_t e;

	pa = s->role == SPAKE2_A ? s->own_share : s->peer_share;
	pb = s->role == SPAKE2_A ? s->peer_share : s->own_share;
	sec->tt_len = 0;
	tt_put(sec, sec->id_a, sec->id_a_len);
	tt_put(sec, sec->id_b, sec->id_b_len);
	tt_put(sec, pa, SPAKE2_SHARE_LEN);
	tt_put(sec, pb, SPAKE2_SHARE_LEN);
	tt_put(sec, sec->k, SPAKE2_SHARE_LEN);
	tt_put(sec, sec->w_bytes, SPAKE2_SCALAR_LEN);
	e = gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_SECURE);
	if (e)
		rp_fatal("spake2: gcry_md_open: %s", gcry_strerror(e));
	gcry_md_write(md, sec->tt, sec->tt_len);
	memcpy(sec->hash, gcry_md_read(md, GCRY_MD_SHA256), sizeof(sec->hash));
	gcry_md_close(md);
	info = rp_alloc(16 + aad_len);
	memcpy(info, "ConfirmationKeys", 16);
	if (aad_len > 0)
		memcpy(info + 16, aad, aad_len);
	hkdf_sha256(sec->kc, sizeof(sec->kc), sec->hash + SPAKE2_KEY_LEN,
	    SPAKE2_KEY_LEN, NULL, 0, info, 16 + aad_len);
	free(info);
}

/* The MAC of TT under KcA (A's) or KcB (B's). */
static void
confirmation(const struct spake2 *s, enum spake2_role whose,
    unsigned char out[SPAKE2_CONFIRM_LEN])
{
	const struct spake2_secrets *sec = s->sec;

	hmac_sha256(out, sec->kc + (whose == SPAKE2_A ? 0 : SPAKE2_KEY_LEN),
	    SPAKE2_KEY_LEN, sec->tt, sec->tt_len);
}

int
spake2_finish(struct spake2 *s,
    const unsigned char *peer_share, size_t peer_share_len,
    const void *aad, size_t aad_len,
    unsigned char confirm[SPAKE2_CONFIRM_LEN], struct rp_error *err)
{
	gcry_mpi_point_t peer;
	int r;

	if (s->state != ST_STARTED)
		return rp_fail(err, RP_USAGE, "spake2: finish out of order");
	/* One peer share per run, good or bad: no second try. */
	s->state = ST_SPENT;
	if (aad_len > SPAKE2_AAD_MAX)
		return rp_fail(err, RP_USAGE, "spake2: AAD too long");
	peer = decode_share(peer_share, peer_share_len, s->ec);
	if (peer == NULL)
		return rp_fail(err, RP_MALFORMED,
		    "the peer's SPAKE2 share is not a point of P-256");
	memcpy(s->peer_share, peer_share, SPAKE2_SHARE_LEN);
	r = compute_k(s, peer);
	gcry_mpi_point_release(peer);
	if (r != 0)
		return rp_fail(err, RP_AUTH,
		    "the peer's SPAKE2 share gives no shared key");
	key_schedule(s, aad, aad_len);
	confirmation(s, s->role, confirm);
	s->state = ST_FINISHED;
	return 0;
}

int
spake2_verify(struct spake2 *s, const unsigned char *peer_confirm,
    size_t peer_confirm_len, struct rp_error *err)
{
	unsigned char *want;
	int ok;

	if (s->state != ST_FINISHED)
		return rp_fail(err, RP_USAGE, "spake2: verify out of order");
	s->state = ST_SPENT;
	if (peer_confirm_len != SPAKE2_CONFIRM_LEN)
		return rp_fail(err, RP_AUTH,
		    "the peer's confirmation does not verify");
	want = secure_alloc(SPAKE2_CONFIRM_LEN);
	confirmation(s, s->role == SPAKE2_A ? SPAKE2_B : SPAKE2_A, want);
	ok = ct_equal(want, peer_confirm, SPAKE2_CONFIRM_LEN);
	secure_free(want);
	if (!ok)
		return rp_fail(err, RP_AUTH,
		    "the peer's confirmation does not verify");
	s->state = ST_VERIFIED;
	return 0;
}

int
spake2_shared_key(const struct spake2 *s, unsigned char ke[SPAKE2_KEY_LEN],
    struct rp_error *err)
{
	if (s->state != ST_VERIFIED)
		return rp_fail(err, RP_USAGE, "spake2: no verified key");
	memcpy(ke, s->sec->hash, SPAKE2_KEY_LEN);
	return 0;
}

int
spake2_kat_values(const struct spake2 *s, struct spake2_kat *v)
{
	if (s->sec == NULL || s->sec->tt_len == 0)
		return RP_USAGE;
	*v = (struct spake2_kat){ s->sec->k, s->sec->tt, s->sec->tt_len,
	    s->sec->hash, s->sec->hash + SPAKE2_KEY_LEN, s->sec->kc,
	    s->sec->kc + SPAKE2_KEY_LEN };
	return 0;
}

void
spake2_free(struct spake2 *s)
{
	if (s->sec != NULL) {
		gcry_mpi_release(s->sec->scalar);
		gcry_mpi_release(s->sec->w);
		wipe(s->sec, sizeof(*s->sec));
		secure_free(s->sec);
	}
	if (s->ec != NULL)
		gcry_ctx_release(s->ec);
	memset(s, 0, sizeof(*s));
}
