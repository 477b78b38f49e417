/* SPDX-License-Identifier: ISC */
/* keyswap.c: the keyswap protocol: frames, transcript, proofs, connection. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "keyswap.h"

/* Domain-separation labels: a transcript or proof hash can never be
 * mistaken for any other SHA-256 this project signs or compares. */
static const char transcript_label[] = "rsapipe keyswap v1 transcript";
static const char proof_label[] = "rsapipe keyswap v1 proof";

#define PSS_SALT_LEN 32

static void
put_header(unsigned char *out, int type, size_t body_len)
{
	memcpy(out, KEYSWAP_MAGIC, KEYSWAP_MAGIC_LEN);
	out[4] = KEYSWAP_VERSION;
	out[5] = (unsigned char)type;
	put_be16(out + 6, (unsigned)body_len);
}

int
keyswap_parse_header(const unsigned char hdr[KEYSWAP_HEADER_LEN], int *type,
    size_t *body_len, int *version, const char **why)
{
	size_t len;

	*version = 0;
	if (memcmp(hdr, KEYSWAP_MAGIC, KEYSWAP_MAGIC_LEN) != 0) {
		*why = "peer is not speaking keyswap (bad magic)";
		return -1;
	}
	/* Checked before anything else in the header: another version may
	 * lay the rest out differently, and must be refused, never
	 * negotiated down. */
	if (hdr[4] != KEYSWAP_VERSION) {
		*version = hdr[4];
		*why = "peer speaks another keyswap version";
		return -1;
	}
	if (hdr[5] < KEYSWAP_HELLO || hdr[5] > KEYSWAP_VERDICT) {
		*why = "unknown message type";
		return -1;
	}
	len = get_be16(hdr + 6);
	if (len > KEYSWAP_BODY_MAX) {
		*why = "oversized message";
		return -1;
	}
	*type = hdr[5];
	*body_len = len;
	return 0;
}

size_t
keyswap_encode_hello(unsigned char *out, const unsigned char *identity,
    size_t identity_len, const unsigned char *session, size_t session_len,
    const unsigned char nonce[KEYSWAP_NONCE_LEN])
{
	unsigned char *p = out + KEYSWAP_HEADER_LEN;

	if (identity_len == 0 || identity_len > KEYSWAP_SPKI_MAX ||
	    session_len == 0 || session_len > KEYSWAP_SPKI_MAX)
		return 0;
	put_be16(p, (unsigned)identity_len);
	memcpy(p + 2, identity, identity_len);
	p += 2 + identity_len;
	put_be16(p, (unsigned)session_len);
	memcpy(p + 2, session, session_len);
	p += 2 + session_len;
	memcpy(p, nonce, KEYSWAP_NONCE_LEN);
	p += KEYSWAP_NONCE_LEN;
	put_header(out, KEYSWAP_HELLO, (size_t)(p - out) - KEYSWAP_HEADER_LEN);
	return (size_t)(p - out);
}

size_t
keyswap_encode_proof(unsigned char *out, const unsigned char *sig,
    size_t sig_len)
{
	if (sig_len == 0 || sig_len > KEYSWAP_SIG_MAX)
		return 0;
	put_header(out, KEYSWAP_PROOF, 2 + sig_len);
	put_be16(out + KEYSWAP_HEADER_LEN, (unsigned)sig_len);
	memcpy(out + KEYSWAP_HEADER_LEN + 2, sig, sig_len);
	return KEYSWAP_HEADER_LEN + 2 + sig_len;
}

size_t
keyswap_encode_verdict(unsigned char *out, int verdict)
{
	if (verdict != KEYSWAP_ACCEPT && verdict != KEYSWAP_REFUSE &&
	    verdict != KEYSWAP_REFUSE_NOT_ALLOWED)
		return 0;
	put_header(out, KEYSWAP_VERDICT, 1);
	out[KEYSWAP_HEADER_LEN] = (unsigned char)verdict;
	return KEYSWAP_HEADER_LEN + 1;
}

/* Take a be16-length-prefixed field of 1..max bytes from *p, *left. */
static int
take_field(const unsigned char **p, size_t *left, size_t max,
    const unsigned char **field, size_t *field_len)
{
	size_t n;

	if (*left < 2)
		return -1;
	n = get_be16(*p);
	if (n == 0 || n > max || n > *left - 2)
		return -1;
	*field = *p + 2;
	*field_len = n;
	*p += 2 + n;
	*left -= 2 + n;
	return 0;
}

int
keyswap_parse_hello(struct keyswap_hello *hello, const unsigned char *body,
    size_t len, const char **why)
{
	const unsigned char *p = body;
	size_t left = len;

	if (take_field(&p, &left, KEYSWAP_SPKI_MAX, &hello->identity,
	    &hello->identity_len) != 0) {
		*why = "malformed hello (identity key length)";
		return -1;
	}
	if (take_field(&p, &left, KEYSWAP_SPKI_MAX, &hello->session,
	    &hello->session_len) != 0) {
		*why = "malformed hello (session key length)";
		return -1;
	}
	if (left != KEYSWAP_NONCE_LEN) {
		*why = "malformed hello (nonce length)";
		return -1;
	}
	hello->nonce = p;
	return 0;
}

int
keyswap_parse_proof(const unsigned char **sig, size_t *sig_len,
    const unsigned char *body, size_t len, const char **why)
{
	const unsigned char *p = body;
	size_t left = len;

	if (take_field(&p, &left, KEYSWAP_SIG_MAX, sig, sig_len) != 0 ||
	    left != 0) {
		*why = "malformed proof";
		return -1;
	}
	return 0;
}

int
keyswap_parse_verdict_value(int *value, const unsigned char *body,
    size_t len, const char **why)
{
	if (len != 1) {
		*why = "malformed verdict";
		return -1;
	}
	*value = body[0];
	return 0;
}

int
keyswap_parse_verdict(int *verdict, const unsigned char *body, size_t len,
    const char **why)
{
	int value;

	if (keyswap_parse_verdict_value(&value, body, len, why) != 0)
		return -1;
	/* A value we do not know is still no: only 00 accepts. */
	*verdict = value == KEYSWAP_ACCEPT ? KEYSWAP_ACCEPT : KEYSWAP_REFUSE;
	return 0;
}

int
keyswap_check_not_reflected(const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len, const char **why)
{
	struct keyswap_hello a, b;

	/* Our own hello sent back would make both proofs the same
	 * statement, so a reflected proof would verify: refuse it. */
	if (own_len == peer_len && memcmp(own, peer, own_len) == 0) {
		*why = "peer sent our own hello back (reflection)";
		return -1;
	}
	if (own_len < KEYSWAP_HEADER_LEN || peer_len < KEYSWAP_HEADER_LEN ||
	    keyswap_parse_hello(&a, own + KEYSWAP_HEADER_LEN,
	    own_len - KEYSWAP_HEADER_LEN, why) != 0 ||
	    keyswap_parse_hello(&b, peer + KEYSWAP_HEADER_LEN,
	    peer_len - KEYSWAP_HEADER_LEN, why) != 0)
		return -1;
	/* Our fresh nonce coming back means our hello was copied. */
	if (memcmp(a.nonce, b.nonce, KEYSWAP_NONCE_LEN) == 0) {
		*why = "peer echoed our nonce (reflection)";
		return -1;
	}
	return 0;
}

gcry_error_t
keyswap_transcript(unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len)
{
	const unsigned char *first = own, *second = peer;
	size_t first_len = own_len, second_len = peer_len, min;
	unsigned char len1[4], len2[4];
	gcry_buffer_t iov[5];
	int c;

	/* Canonical order: bytewise, the shorter first on a common
	 * prefix.  No roles, yet both sides hash the same bytes. */
	min = own_len < peer_len ? own_len : peer_len;
	c = memcmp(own, peer, min);
	if (c > 0 || (c == 0 && own_len > peer_len)) {
		first = peer, first_len = peer_len;
		second = own, second_len = own_len;
	}
	put_be32(len1, first_len);
	put_be32(len2, second_len);
	memset(iov, 0, sizeof(iov));
	iov[0].data = (void *)transcript_label;
	iov[0].len = sizeof(transcript_label) - 1;
	iov[1].data = len1;
	iov[1].len = sizeof(len1);
	iov[2].data = (void *)first;
	iov[2].len = first_len;
	iov[3].data = len2;
	iov[3].len = sizeof(len2);
	iov[4].data = (void *)second;
	iov[4].len = second_len;
	return gcry_md_hash_buffers(GCRY_MD_SHA256, 0, t, iov, 5);
}

/* SHA-256(label || T || SHA-256(hello)): what the sender of hello signs. */
static gcry_error_t
proof_digest(unsigned char out[32], const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *hello, size_t hello_len)
{
	unsigned char hello_hash[32];
	gcry_buffer_t iov[3];

	gcry_md_hash_buffer(GCRY_MD_SHA256, hello_hash, hello, hello_len);
	memset(iov, 0, sizeof(iov));
	iov[0].data = (void *)proof_label;
	iov[0].len = sizeof(proof_label) - 1;
	iov[1].data = (void *)t;
	iov[1].len = KEYSWAP_CONTEXT_LEN;
	iov[2].data = hello_hash;
	iov[2].len = sizeof(hello_hash);
	return gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, 3);
}

static gcry_error_t
pss_data(gcry_sexp_t *data, const unsigned char digest[32])
{
	return gcry_sexp_build(data, NULL,
	    "(data (flags pss) (hash sha256 %b) (salt-length %d))",
	    32, digest, PSS_SALT_LEN);
}

gcry_error_t
keyswap_sign_proof(const struct rsa_key *identity,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own_hello, size_t own_len,
    unsigned char *sig, size_t *sig_len)
{
	unsigned char digest[32];
	gcry_sexp_t data = NULL, result = NULL, s = NULL;
	gcry_error_t err;
	const char *raw;
	size_t raw_len, k = (identity->nbits + 7) / 8;

	if (identity->priv == NULL || k > KEYSWAP_SIG_MAX)
		return gcry_error(GPG_ERR_NO_SECKEY);
	if ((err = proof_digest(digest, t, own_hello, own_len)) != 0 ||
	    (err = pss_data(&data, digest)) != 0 ||
	    (err = gcry_pk_sign(&result, data, identity->priv)) != 0)
		goto out;
	s = gcry_sexp_find_token(result, "s", 0);
	raw = s != NULL ? gcry_sexp_nth_data(s, 1, &raw_len) : NULL;
	if (raw == NULL || raw_len > k) {
		err = gcry_error(GPG_ERR_INV_SEXP);
		goto out;
	}
	/* The integer may be shorter than the modulus; the octet string
	 * is always exactly k bytes (RFC 8017 I2OSP), so left-pad. */
	memset(sig, 0, k - raw_len);
	memcpy(sig + (k - raw_len), raw, raw_len);
	*sig_len = k;
out:
	gcry_sexp_release(s);
	gcry_sexp_release(result);
	gcry_sexp_release(data);
	return err;
}

gcry_error_t
keyswap_verify_proof(const struct rsa_key *peer_identity,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *peer_hello, size_t peer_len,
    const unsigned char *sig, size_t sig_len)
{
	unsigned char digest[32];
	gcry_sexp_t data = NULL, sigval = NULL;
	gcry_error_t err;

	/* Strict: a signature is exactly the modulus length. */
	if (sig_len != (peer_identity->nbits + 7) / 8)
		return gcry_error(GPG_ERR_BAD_SIGNATURE);
	if ((err = proof_digest(digest, t, peer_hello, peer_len)) != 0 ||
	    (err = pss_data(&data, digest)) != 0 ||
	    (err = gcry_sexp_build(&sigval, NULL, "(sig-val (rsa (s %b)))",
	    (int)sig_len, sig)) != 0)
		goto out;
	err = gcry_pk_verify(sigval, data, peer_identity->pub);
out:
	gcry_sexp_release(sigval);
	gcry_sexp_release(data);
	return err;
}

static void
now_monotonic(struct timespec *now)
{
	if (clock_gettime(CLOCK_MONOTONIC, now) != 0)
		die(EXIT_USAGE, "clock_gettime:");
}

void
keyswap_conn_init(struct keyswap_conn *conn, int in, int out,
    unsigned int timeout_seconds)
{
	conn->in = in;
	conn->out = out;
	now_monotonic(&conn->paused);
	conn->deadline = conn->paused;
	conn->deadline.tv_sec += timeout_seconds;
}

void
keyswap_conn_pause(struct keyswap_conn *conn)
{
	now_monotonic(&conn->paused);
}

void
keyswap_conn_resume(struct keyswap_conn *conn)
{
	struct timespec now;

	now_monotonic(&now);
	conn->deadline.tv_sec += now.tv_sec - conn->paused.tv_sec;
	conn->deadline.tv_nsec += now.tv_nsec - conn->paused.tv_nsec;
	if (conn->deadline.tv_nsec < 0) {
		conn->deadline.tv_sec--;
		conn->deadline.tv_nsec += 1000000000L;
	} else if (conn->deadline.tv_nsec >= 1000000000L) {
		conn->deadline.tv_sec++;
		conn->deadline.tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left before the deadline, 0 when it has passed. */
static int
remaining_ms(const struct keyswap_conn *conn)
{
	struct timespec now;
	long long ms;

	now_monotonic(&now);
	ms = (long long)(conn->deadline.tv_sec - now.tv_sec) * 1000 +
	    (conn->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Wait until fd is ready for events or the deadline passes.  Returns 0
 * when ready, -1 on timeout or a poll error (errno set, ETIMEDOUT for
 * the deadline).
 */
static int
wait_ready(const struct keyswap_conn *conn, int fd, short events)
{
	struct pollfd pfd;
	int ms, r;

	for (;;) {
		if ((ms = remaining_ms(conn)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 0; /* ready, or HUP/ERR: read/write will tell */
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int
keyswap_conn_ready(const struct keyswap_conn *conn, int ms)
{
	struct pollfd pfd;
	int left, r;

	left = remaining_ms(conn);
	pfd.fd = conn->in;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		r = poll(&pfd, 1, ms < left ? ms : left);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die(EXIT_USAGE, "poll:");
	return r > 0;
}

/* Write everything or return -1 with errno (ETIMEDOUT, EPIPE, ...). */
static int
send_bytes(struct keyswap_conn *conn, const unsigned char *p, size_t n)
{
	ssize_t w;
	size_t chunk;

	while (n > 0) {
		if (wait_ready(conn, conn->out, POLLOUT) != 0)
			return -1;
		/* POLLOUT promises room for PIPE_BUF bytes on a pipe; a
		 * bigger write could block past the deadline. */
		chunk = n < PIPE_BUF ? n : PIPE_BUF;
		w = write(conn->out, p, chunk);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w == 0)
			errno = EPIPE;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
keyswap_send(struct keyswap_conn *conn, const unsigned char *frame,
    size_t len)
{
	if (send_bytes(conn, frame, len) == 0)
		return;
	if (errno == ETIMEDOUT)
		die(EXIT_AUTH, "timed out waiting for peer");
	if (errno == EPIPE || errno == ECONNRESET)
		die(EXIT_AUTH, "peer closed the connection");
	die(EXIT_USAGE, "write to peer:");
}

void
keyswap_send_quietly(struct keyswap_conn *conn, const unsigned char *frame,
    size_t len)
{
	int saved = errno;

	(void)send_bytes(conn, frame, len);
	errno = saved;
}

/* Read exactly n bytes: read(2) asks for no more than what is missing. */
static void
receive_bytes(struct keyswap_conn *conn, unsigned char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if (wait_ready(conn, conn->in, POLLIN) != 0) {
			if (errno == ETIMEDOUT)
				die(EXIT_AUTH, "timed out waiting for peer");
			die(EXIT_USAGE, "poll:");
		}
		r = read(conn->in, p, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			die(EXIT_AUTH, "peer closed the connection");
		if (r < 0)
			die(EXIT_USAGE, "read from peer:");
		p += r;
		n -= (size_t)r;
	}
}

static const char *
type_name(int type)
{
	switch (type) {
	case KEYSWAP_HELLO:
		return "hello";
	case KEYSWAP_PROOF:
		return "proof";
	default:
		return "verdict";
	}
}

const unsigned char *
keyswap_receive(struct keyswap_conn *conn, int expected_type,
    unsigned char *frame, size_t *frame_len, size_t *body_len)
{
	const char *why;
	int type, version;

	receive_bytes(conn, frame, KEYSWAP_HEADER_LEN);
	if (keyswap_parse_header(frame, &type, body_len, &version, &why) != 0) {
		if (version != 0)
			die(EXIT_AUTH, "peer speaks keyswap version %d; this is "
			    "version %d", version, KEYSWAP_VERSION);
		die(EXIT_AUTH, "%s", why);
	}
	if (type != expected_type)
		die(EXIT_AUTH, "expected a %s from the peer, got a %s",
		    type_name(expected_type), type_name(type));
	receive_bytes(conn, frame + KEYSWAP_HEADER_LEN, *body_len);
	*frame_len = KEYSWAP_HEADER_LEN + *body_len;
	return frame + KEYSWAP_HEADER_LEN;
}
