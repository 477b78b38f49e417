/* SPDX-License-Identifier: ISC */
/* keyswap.c: the keyswap protocol: frames, transcript, proofs, connection. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "keyswap/keyswap.h"

/* Domain-separation labels: a transcript or proof hash can never be
 * mistaken for any other SHA-256 this project signs or compares. */
static const char transcript_label[] = "rsapipe keyswap v1 transcript";
static const char proof_label[] = "rsapipe keyswap v1 proof";

int
keyswap_parse_header(const unsigned char hdr[KEYSWAP_HEADER_LEN], int *type,
    size_t *body_len, int *version, const char **why)
{
	const unsigned char *magic;
	struct reader r;
	size_t v, t;

	*version = 0;
	rd_init(&r, hdr, KEYSWAP_HEADER_LEN);
	(void)rd_bytes(&r, KEYSWAP_MAGIC_LEN, &magic);
	(void)rd_uint(&r, 1, &v);
	(void)rd_uint(&r, 1, &t);
	(void)rd_uint(&r, 2, body_len);
	if (memcmp(magic, KEYSWAP_MAGIC, KEYSWAP_MAGIC_LEN) != 0) {
		*why = "peer is not speaking keyswap (bad magic)";
		return RP_MALFORMED;
	}
	/* Checked before anything else in the header: another version may
	 * lay the rest out differently, and must be refused, never
	 * negotiated down. */
	if (v != KEYSWAP_VERSION) {
		*version = (int)v;
		*why = "peer speaks another keyswap version";
		return RP_REFUSED;
	}
	if (t < KEYSWAP_HELLO || t > KEYSWAP_VERDICT) {
		*why = "unknown message type";
		return RP_MALFORMED;
	}
	if (*body_len > KEYSWAP_BODY_MAX) {
		*why = "oversized message";
		return RP_MALFORMED;
	}
	*type = (int)t;
	return 0;
}

/* Start a frame of the given type in out (KEYSWAP_FRAME_MAX bytes); the
 * body length is filled in by frame_finish(). */
static void
frame_start(struct writer *w, unsigned char *out, int type)
{
	wr_init(w, out, KEYSWAP_FRAME_MAX);
	wr_bytes(w, KEYSWAP_MAGIC, KEYSWAP_MAGIC_LEN);
	wr_uint(w, 1, KEYSWAP_VERSION);
	wr_uint(w, 1, (size_t)type);
	wr_uint(w, 2, 0);
}

static size_t
frame_finish(struct writer *w)
{
	struct writer len;
	size_t n;

	if (wr_finish(w, &n) != 0)
		return 0;
	wr_init(&len, w->buf + KEYSWAP_HEADER_LEN - 2, 2);
	wr_uint(&len, 2, n - KEYSWAP_HEADER_LEN);
	return n;
}

size_t
keyswap_encode_hello(unsigned char *out, const unsigned char *identity,
    size_t identity_len, const unsigned char *session, size_t session_len,
    const unsigned char nonce[KEYSWAP_NONCE_LEN])
{
	struct writer w;

	if (identity_len == 0 || identity_len > KEYSWAP_SPKI_MAX ||
	    session_len == 0 || session_len > KEYSWAP_SPKI_MAX)
		return 0;
	frame_start(&w, out, KEYSWAP_HELLO);
	wr_vec(&w, 2, identity, identity_len);
	wr_vec(&w, 2, session, session_len);
	wr_bytes(&w, nonce, KEYSWAP_NONCE_LEN);
	return frame_finish(&w);
}

size_t
keyswap_encode_proof(unsigned char *out, const unsigned char *sig,
    size_t sig_len)
{
	struct writer w;

	if (sig_len == 0 || sig_len > KEYSWAP_SIG_MAX)
		return 0;
	frame_start(&w, out, KEYSWAP_PROOF);
	wr_vec(&w, 2, sig, sig_len);
	return frame_finish(&w);
}

size_t
keyswap_encode_verdict(unsigned char *out, int verdict)
{
	struct writer w;

	if (verdict != KEYSWAP_ACCEPT && verdict != KEYSWAP_REFUSE &&
	    verdict != KEYSWAP_REFUSE_NOT_ALLOWED)
		return 0;
	frame_start(&w, out, KEYSWAP_VERDICT);
	wr_uint(&w, 1, (size_t)verdict);
	return frame_finish(&w);
}

int
keyswap_parse_hello(struct keyswap_hello *hello, const unsigned char *body,
    size_t len, const char **why)
{
	struct reader r;

	rd_init(&r, body, len);
	if (rd_vec(&r, 2, 1, KEYSWAP_SPKI_MAX, &hello->identity,
	    &hello->identity_len) != 0) {
		*why = "malformed hello (identity key length)";
		return RP_MALFORMED;
	}
	if (rd_vec(&r, 2, 1, KEYSWAP_SPKI_MAX, &hello->session,
	    &hello->session_len) != 0) {
		*why = "malformed hello (session key length)";
		return RP_MALFORMED;
	}
	if (rd_bytes(&r, KEYSWAP_NONCE_LEN, &hello->nonce) != 0 ||
	    rd_end(&r) != 0) {
		*why = "malformed hello (nonce length)";
		return RP_MALFORMED;
	}
	return 0;
}

int
keyswap_parse_proof(const unsigned char **sig, size_t *sig_len,
    const unsigned char *body, size_t len, const char **why)
{
	struct reader r;

	rd_init(&r, body, len);
	if (rd_vec(&r, 2, 1, KEYSWAP_SIG_MAX, sig, sig_len) != 0 ||
	    rd_end(&r) != 0) {
		*why = "malformed proof";
		return RP_MALFORMED;
	}
	return 0;
}

int
keyswap_parse_verdict_value(int *value, const unsigned char *body,
    size_t len, const char **why)
{
	if (len != 1) {
		*why = "malformed verdict";
		return RP_MALFORMED;
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
		return RP_MALFORMED;
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
		return RP_AUTH;
	}
	if (own_len < KEYSWAP_HEADER_LEN || peer_len < KEYSWAP_HEADER_LEN ||
	    keyswap_parse_hello(&a, own + KEYSWAP_HEADER_LEN,
	    own_len - KEYSWAP_HEADER_LEN, why) != 0 ||
	    keyswap_parse_hello(&b, peer + KEYSWAP_HEADER_LEN,
	    peer_len - KEYSWAP_HEADER_LEN, why) != 0)
		return RP_MALFORMED;
	/* Our fresh nonce coming back means our hello was copied. */
	if (memcmp(a.nonce, b.nonce, KEYSWAP_NONCE_LEN) == 0) {
		*why = "peer echoed our nonce (reflection)";
		return RP_AUTH;
	}
	return 0;
}

/* One-shot SHA-256 over n buffers; dies only on an internal error. */
static void
sha256_buffers(unsigned char out[RSA_DIGEST_LEN], gcry_buffer_t *iov, int n)
{
	gcry_error_t err;

	err = gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, n);
	if (err)
		die_gcry(EXIT_USAGE, err, "SHA-256");
}

static void
set_buffer(gcry_buffer_t *b, const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->data = (void *)(uintptr_t)data;
	b->len = len;
}

void
keyswap_transcript(unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len)
{
	const unsigned char *first = own, *second = peer;
	size_t first_len = own_len, second_len = peer_len, min;
	unsigned char lens[8];
	struct writer w;
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
	wr_init(&w, lens, sizeof(lens));
	wr_uint(&w, 4, first_len);
	wr_uint(&w, 4, second_len);
	set_buffer(&iov[0], transcript_label, sizeof(transcript_label) - 1);
	set_buffer(&iov[1], lens, 4);
	set_buffer(&iov[2], first, first_len);
	set_buffer(&iov[3], lens + 4, 4);
	set_buffer(&iov[4], second, second_len);
	sha256_buffers(t, iov, 5);
}

/* SHA-256(label || T || SHA-256(hello)): what the sender of hello signs. */
static void
proof_digest(unsigned char out[RSA_DIGEST_LEN],
    const unsigned char t[KEYSWAP_CONTEXT_LEN], const unsigned char *hello,
    size_t hello_len)
{
	unsigned char hello_hash[RSA_DIGEST_LEN];
	gcry_buffer_t iov[3];

	gcry_md_hash_buffer(GCRY_MD_SHA256, hello_hash, hello, hello_len);
	set_buffer(&iov[0], proof_label, sizeof(proof_label) - 1);
	set_buffer(&iov[1], t, KEYSWAP_CONTEXT_LEN);
	set_buffer(&iov[2], hello_hash, sizeof(hello_hash));
	sha256_buffers(out, iov, 3);
}

size_t
keyswap_sign_proof(const struct rsa_key *identity,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own_hello, size_t own_len, unsigned char *sig)
{
	unsigned char digest[RSA_DIGEST_LEN];

	if (rsa_modulus_bytes(identity) > KEYSWAP_SIG_MAX)
		die(EXIT_USAGE, "identity key too large for keyswap");
	proof_digest(digest, t, own_hello, own_len);
	rsa_pss_sign(identity, digest, sig);
	return rsa_modulus_bytes(identity);
}

int
keyswap_verify_proof(const struct rsa_key *peer_identity,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *peer_hello, size_t peer_len,
    const unsigned char *sig, size_t sig_len)
{
	unsigned char digest[RSA_DIGEST_LEN];

	proof_digest(digest, t, peer_hello, peer_len);
	return rsa_pss_verify(peer_identity, digest, sig, sig_len);
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
	int type, version, rc;

	receive_bytes(conn, frame, KEYSWAP_HEADER_LEN);
	if ((rc = keyswap_parse_header(frame, &type, body_len, &version,
	    &why)) != 0) {
		/* Version 0 is another version too, and said as such. */
		if (rc == RP_REFUSED)
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
