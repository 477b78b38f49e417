/* SPDX-License-Identifier: ISC */
/*
 * agent.c: talking to ssh-agent over its Unix socket: connect, one
 * request and its reply under a deadline, list, find, sign.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/agent.h"
#include "keys/agent_proto.h"
#include "keys/keys.h"
#include "keys/ssh_blob.h"
#include "keys/sshsig.h"

/* Note the cause beside the code rp_fail() returned:
 *	return note(a, AGENT_IO, rp_fail(err, RP_IO, ...)); */
static int
note(struct agent *a, enum agent_cause cause, int code)
{
	a->cause = cause;
	return code;
}

static int
open_socket(struct agent *a, struct rp_error *err)
{
	struct sockaddr_un sun;
	int rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
	a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->fd < 0)
		return note(a, AGENT_IO, rp_fail_errno(err, RP_IO,
		    "ssh-agent socket"));
	/* Non-blocking: a listener whose backlog is full would otherwise
	 * block connect() past any timeout. */
	if (connect(a->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		/* A full listen queue: something is there, not accepting. */
		rc = errno == EAGAIN ? note(a, AGENT_TIMEOUT, rp_fail(err,
		    RP_TIMEOUT, "ssh-agent at %s accepts no connections "
		    "(its queue is full)", a->path)) :
		    note(a, AGENT_UNREACHABLE, rp_fail_errno(err, RP_IO,
		    "no ssh-agent at %s", a->path));
		close(a->fd);
		a->fd = -1;
		return rc;
	}
	return 0;
}

int
agent_connect(struct agent *a, const char *path, int timeout,
    struct rp_error *err)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->timeout = timeout > 0 ? timeout : AGENT_TIMEOUT_DEFAULT;
	if (path == NULL)
		path = getenv("SSH_AUTH_SOCK");
	if (path == NULL || *path == '\0')
		return note(a, AGENT_NO_SOCKET, rp_fail(err, RP_USAGE,
		    "no ssh-agent: SSH_AUTH_SOCK is not set"));
	if (strlen(path) >= sizeof(a->path))
		return note(a, AGENT_NO_SOCKET, rp_fail(err, RP_USAGE,
		    "the ssh-agent socket path is too long: %.64s...", path));
	memcpy(a->path, path, strlen(path) + 1);
	return open_socket(a, err);
}

void
agent_close(struct agent *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes. */
static int
wait_ready(struct agent *a, short events, int64_t deadline,
    struct rp_error *err)
{
	struct pollfd p = { .fd = a->fd, .events = events };
	int64_t left;
	int n;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			break;
		n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return note(a, AGENT_IO, rp_fail_errno(err, RP_IO,
			    "ssh-agent at %s", a->path));
	}
	a->cause = AGENT_TIMEOUT;
	return rp_fail(err, RP_TIMEOUT, "ssh-agent at %s did not answer "
	    "within %d seconds", a->path, a->timeout);
}

static int
write_all(struct agent *a, const unsigned char *p, size_t len,
    int64_t deadline, struct rp_error *err)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		if ((rc = wait_ready(a, POLLOUT, deadline, err)) != 0)
			return rc;
		n = send(a->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return note(a, AGENT_IO, rp_fail_errno(err, RP_IO,
			    "writing to ssh-agent at %s", a->path));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
read_all(struct agent *a, unsigned char *p, size_t len, int64_t deadline,
    struct rp_error *err)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		if ((rc = wait_ready(a, POLLIN, deadline, err)) != 0)
			return rc;
		n = recv(a->fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return note(a, AGENT_IO, rp_fail_errno(err, RP_IO,
			    "reading from ssh-agent at %s", a->path));
		if (n == 0)
			return note(a, AGENT_IO, rp_fail(err, RP_IO,
			    "ssh-agent at %s closed the connection", a->path));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Send one request (its length field is added here) and read its
 * reply into *reply (rp_alloc, free()), all within the timeout.
 */
static int
agent_request(struct agent *a, const unsigned char *req, size_t req_len,
    unsigned char **reply, size_t *reply_len, struct rp_error *err)
{
	unsigned char head[4];
	int64_t deadline = now_ms() + (int64_t)a->timeout * 1000;
	size_t n;
	int rc;

	*reply = NULL;
	if (a->fd < 0)
		return note(a, AGENT_IO, rp_fail(err, RP_IO,
		    "not connected to ssh-agent"));
	put_be32(head, (unsigned long)req_len);
	if ((rc = write_all(a, head, 4, deadline, err)) != 0 ||
	    (rc = write_all(a, req, req_len, deadline, err)) != 0 ||
	    (rc = read_all(a, head, 4, deadline, err)) != 0)
		return rc;
	n = get_be32(head);
	if (n == 0 || n > AGENT_REPLY_MAX) {
		a->cause = AGENT_BAD_REPLY;
		return rp_fail(err, RP_MALFORMED, "ssh-agent reply of %zu "
		    "bytes; 1 to %d expected", n, AGENT_REPLY_MAX);
	}
	*reply = rp_alloc(n);
	if ((rc = read_all(a, *reply, n, deadline, err)) != 0) {
		free(*reply);
		*reply = NULL;
		return rc;
	}
	*reply_len = n;
	return 0;
}

int
agent_list(struct agent *a, struct agent_identities *ids,
    struct rp_error *err)
{
	static const unsigned char req[] = { SSH2_AGENTC_REQUEST_IDENTITIES };
	unsigned char *reply;
	size_t len;
	int rc;

	memset(ids, 0, sizeof(*ids));
	if ((rc = agent_request(a, req, sizeof(req), &reply, &len, err)) != 0)
		return rc;
	rc = agent_parse_identities(reply, len, ids, err);
	free(reply);
	if (rc != 0) {
		a->cause = rc == RP_REFUSED ? AGENT_REFUSED : AGENT_BAD_REPLY;
		return rp_prefix(err, "ssh-agent at %s", a->path);
	}
	return 0;
}

static int
sign_request(const struct rsa_key *key, enum rsa_pkcs1_hash alg,
    const void *data, size_t len, unsigned char **req, size_t *req_len)
{
	unsigned char *blob;
	size_t blob_len, cap;
	struct writer w;

	blob = ssh_rsa_blob(key, &blob_len);
	cap = 1 + 4 + blob_len + 4 + len + 4;
	*req = rp_alloc(cap);
	wr_init(&w, *req, cap);
	wr_uint(&w, 1, SSH2_AGENTC_SIGN_REQUEST);
	wr_vec(&w, 4, blob, blob_len);
	wr_vec(&w, 4, data, len);
	wr_uint(&w, 4, alg == RSA_PKCS1_SHA256 ? SSH_AGENT_RSA_SHA2_256 :
	    SSH_AGENT_RSA_SHA2_512);
	free(blob);
	return wr_finish(&w, req_len);
}

int
agent_sign(struct agent *a, const struct rsa_key *key,
    enum rsa_pkcs1_hash alg, const void *data, size_t len,
    unsigned char *sig, struct rp_error *err)
{
	char fp[KEY_FINGERPRINT_LEN];
	unsigned char *req, *reply;
	size_t req_len, reply_len;
	enum agent_cause cause;
	int rc;

	if (sshsig_alg_name(alg) == NULL)
		return note(a, AGENT_WRONG_ALG, rp_fail(err, RP_USAGE,
		    "unknown signature algorithm %d", (int)alg));
	/* The agent caps a request as it caps a reply. */
	if (len > AGENT_REPLY_MAX / 2 ||
	    sign_request(key, alg, data, len, &req, &req_len) != 0)
		return note(a, AGENT_IO, rp_fail(err, RP_USAGE,
		    "too much data for the agent to sign"));
	rc = agent_request(a, req, req_len, &reply, &reply_len, err);
	free(req);
	key_fingerprint(key, fp);
	if (rc != 0)
		return rp_prefix(err, "signing with key %s", fp);
	rc = agent_parse_sign_reply(reply, reply_len, alg,
	    rsa_modulus_bytes(key), sig, &cause, err);
	free(reply);
	if (rc == 0)
		return 0;
	a->cause = cause;
	if (cause == AGENT_REFUSED)
		return rp_fail(err, RP_REFUSED, "ssh-agent refused to sign "
		    "with key %s (confirmation denied for a key added with "
		    "ssh-add -c, a locked agent, or a token that said no)",
		    fp);
	return rp_prefix(err, "signing with key %s", fp);
}

int
agent_sshsig(struct agent *a, const struct rsa_key *key,
    const char *ns, enum rsa_pkcs1_hash hash, enum rsa_pkcs1_hash alg,
    const void *msg, size_t len, unsigned char **blob, size_t *blob_len,
    struct rp_error *err)
{
	unsigned char *data, *sig;
	size_t data_len, modlen = rsa_modulus_bytes(key);
	int rc;

	*blob = NULL;
	rc = sshsig_signed_data(ns, hash, msg, len, &data, &data_len, err);
	if (rc != 0)
		return rc;
	sig = rp_alloc(modlen);
	rc = agent_sign(a, key, alg, data, data_len, sig, err);
	free(data);
	if (rc == 0)
		rc = sshsig_wrap(key, ns, hash, alg, sig, modlen, blob,
		    blob_len, err);
	free(sig);
	if (rc != 0)
		return rc;
	rc = sshsig_verify(key, ns, msg, len, *blob, *blob_len, hash, alg,
	    err);
	if (rc != 0) {
		free(*blob);
		*blob = NULL;
		a->cause = AGENT_BAD_SIGNATURE;
		return rp_prefix(err, "ssh-agent's signature");
	}
	return 0;
}
