/* SPDX-License-Identifier: ISC */
/*
 * keyswap_conn.c: the keyswap connection: whole frames read and written
 * on two descriptors under one deadline, never a byte past a frame.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "keyswap/keyswap.h"

/* A monotonic clock that fails is the system's fault, not an input's. */
static void
now_monotonic(struct timespec *now)
{
	if (clock_gettime(CLOCK_MONOTONIC, now) != 0)
		rp_fatal("clock_gettime: %s", strerror(errno));
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
keyswap_conn_ready(const struct keyswap_conn *conn, int ms,
    struct rp_error *err)
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
		return rp_fail_errno(err, RP_IO, "poll");
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

int
keyswap_send(struct keyswap_conn *conn, const unsigned char *frame,
    size_t len, struct rp_error *err)
{
	if (send_bytes(conn, frame, len) == 0)
		return 0;
	if (errno == ETIMEDOUT)
		return rp_fail(err, RP_TIMEOUT, "timed out waiting for peer");
	if (errno == EPIPE || errno == ECONNRESET)
		return rp_fail(err, RP_MORE, "peer closed the connection");
	return rp_fail_errno(err, RP_IO, "write to peer");
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
static int
receive_bytes(struct keyswap_conn *conn, unsigned char *p, size_t n,
    struct rp_error *err)
{
	ssize_t r;

	while (n > 0) {
		if (wait_ready(conn, conn->in, POLLIN) != 0) {
			if (errno == ETIMEDOUT)
				return rp_fail(err, RP_TIMEOUT,
				    "timed out waiting for peer");
			return rp_fail_errno(err, RP_IO, "poll");
		}
		r = read(conn->in, p, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return rp_fail(err, RP_MORE,
			    "peer closed the connection");
		if (r < 0)
			return rp_fail_errno(err, RP_IO, "read from peer");
		p += r;
		n -= (size_t)r;
	}
	return 0;
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

int
keyswap_receive(struct keyswap_conn *conn, int expected_type,
    unsigned char *frame, size_t *frame_len, struct rp_error *err)
{
	size_t body_len;
	int type, version, rc;

	if ((rc = receive_bytes(conn, frame, KEYSWAP_HEADER_LEN, err)) != 0 ||
	    (rc = keyswap_parse_header(frame, &type, &body_len, &version,
	    err)) != 0)
		return rc;
	/* A refusing verdict may come where a proof is due (version 2's
	 * early refusal); keyswap_take() judges it. */
	if (type != expected_type &&
	    !(expected_type == KEYSWAP_PROOF && type == KEYSWAP_VERDICT))
		return rp_fail(err, RP_MALFORMED, "expected a %s from the peer, "
		    "got a %s", type_name(expected_type), type_name(type));
	if ((rc = receive_bytes(conn, frame + KEYSWAP_HEADER_LEN, body_len,
	    err)) != 0)
		return rc;
	*frame_len = KEYSWAP_HEADER_LEN + body_len;
	return 0;
}
