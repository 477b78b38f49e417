/* SPDX-License-Identifier: ISC */
/*
 * agent_reply.c: the agent's replies, parsed without I/O (fuzzed), and
 * the search for a key among the identities.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "core/textsafe.h"
#include "keys/agent.h"
#include "keys/agent_proto.h"
#include "keys/keys.h"
#include "keys/ssh_blob.h"
#include "keys/sshsig.h"

/* OpenSSH's agent_failed(): three codes mean "no". */
static int
is_failure(unsigned type)
{
	return type == SSH_AGENT_FAILURE || type == SSH2_AGENT_FAILURE ||
	    type == SSH_COM_AGENT2_FAILURE;
}

/* The reply's type byte: the wanted one, or a refusal, or malformed. */
static int
reply_type(struct reader *r, unsigned want, const char *what,
    struct rp_error *err)
{
	size_t type;

	if (rd_uint(r, 1, &type) != 0)
		return rp_fail(err, RP_MALFORMED, "empty reply from the agent");
	if (is_failure((unsigned)type))
		return rp_fail(err, RP_REFUSED, "the agent refused to %s",
		    what);
	if (type != want)
		return rp_fail(err, RP_MALFORMED, "unexpected reply type %zu "
		    "from the agent (to %s)", type, what);
	return 0;
}

/* The printable type name at the head of a key blob. */
static void
blob_type(const unsigned char *blob, size_t len, char out[AGENT_TYPE_MAX])
{
	const unsigned char *name;
	size_t n, i;
	struct reader r;

	rd_init(&r, blob, len);
	if (rd_vec(&r, 4, 1, AGENT_TYPE_MAX - 1, &name, &n) != 0) {
		strcpy(out, "(unknown key type)");
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = name[i] > 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
	out[n] = '\0';
}

static void
blob_fingerprint(const unsigned char *blob, size_t len,
    char out[KEY_FINGERPRINT_LEN])
{
	unsigned char hash[32];

	gcry_md_hash_buffer(GCRY_MD_SHA256, hash, blob, len);
	memcpy(out, "SHA256:", 7);
	base64_encode_unpadded(hash, sizeof(hash), out + 7);
}

static void
fill_identity(struct agent_identity *id, const unsigned char *comment,
    size_t comment_len)
{
	struct rp_error err;

	rp_clear(&err);
	if (comment_len > AGENT_COMMENT_MAX)
		comment_len = AGENT_COMMENT_MAX;
	id->comment = rp_alloc(comment_len * TEXTSAFE_GROWTH + 1);
	textsafe_line((const char *)comment, comment_len, id->comment);
	blob_type(id->blob, id->blob_len, id->type);
	blob_fingerprint(id->blob, id->blob_len, id->fingerprint);
	if (strcmp(id->type, "ssh-rsa") != 0)
		return;
	if (key_from_ssh_blob(&id->key, id->blob, id->blob_len, &err) == 0) {
		id->usable = 1;
		return;
	}
	snprintf(id->why, sizeof(id->why), "%.*s", AGENT_WHY_MAX - 1,
	    err.reason[0] != '\0' ? err.reason : "not a usable RSA key");
	key_free(&id->key);
}

static int
parse_identity_list(struct reader *r, struct agent_identities *ids,
    struct rp_error *err)
{
	const unsigned char *comment;
	size_t count, i, comment_len;
	struct agent_identity *id;

	if (rd_uint(r, 4, &count) != 0)
		return rp_fail(err, RP_MALFORMED, "truncated key list from "
		    "the agent");
	if (count > AGENT_IDENTITIES_MAX)
		return rp_fail(err, RP_MALFORMED, "the agent lists %zu keys; "
		    "at most %d", count, AGENT_IDENTITIES_MAX);
	/* Each entry takes at least 8 bytes: a count beyond that is a
	 * lie, and allocating for it would let a reply cost memory. */
	if (count > rd_left(r) / 8)
		return rp_fail(err, RP_MALFORMED, "truncated key list from "
		    "the agent");
	ids->id = rp_calloc(count > 0 ? count : 1, sizeof(*ids->id));
	for (i = 0; i < count; i++) {
		id = &ids->id[i];
		if (rd_vec(r, 4, 1, SIZE_MAX, &id->blob, &id->blob_len) != 0 ||
		    rd_vec(r, 4, 0, SIZE_MAX, &comment, &comment_len) != 0)
			return rp_fail(err, RP_MALFORMED, "truncated key list "
			    "from the agent");
		fill_identity(id, comment, comment_len);
		ids->n = i + 1;
	}
	if (rd_end(r) != 0)
		return rp_fail(err, RP_MALFORMED, "trailing data after the "
		    "agent's key list");
	return 0;
}

int
agent_parse_identities(const unsigned char *msg, size_t len,
    struct agent_identities *ids, struct rp_error *err)
{
	struct reader r;
	int rc;

	memset(ids, 0, sizeof(*ids));
	if (len > AGENT_REPLY_MAX)
		return rp_fail(err, RP_MALFORMED, "agent reply of %zu bytes; "
		    "at most %d", len, AGENT_REPLY_MAX);
	ids->reply = rp_alloc(len > 0 ? len : 1);
	if (len > 0)
		memcpy(ids->reply, msg, len);
	rd_init(&r, ids->reply, len);
	rc = reply_type(&r, SSH2_AGENT_IDENTITIES_ANSWER, "list its keys",
	    err);
	if (rc == 0)
		rc = parse_identity_list(&r, ids, err);
	if (rc != 0)
		agent_identities_free(ids);
	return rc;
}

void
agent_identities_free(struct agent_identities *ids)
{
	size_t i;

	for (i = 0; i < ids->n; i++) {
		free(ids->id[i].comment);
		if (ids->id[i].usable)
			key_free(&ids->id[i].key);
	}
	free(ids->id);
	free(ids->reply);
	memset(ids, 0, sizeof(*ids));
}

int
agent_parse_sign_reply(const unsigned char *msg, size_t len,
    enum rsa_pkcs1_hash alg, size_t modlen, unsigned char *sig,
    enum agent_cause *cause, struct rp_error *err)
{
	const unsigned char *blob, *name, *s;
	size_t blob_len, name_len, s_len;
	struct reader r, br;
	int rc;

	*cause = AGENT_BAD_REPLY;
	rd_init(&r, msg, len);
	if ((rc = reply_type(&r, SSH2_AGENT_SIGN_RESPONSE, "sign", err)) != 0) {
		if (rc == RP_REFUSED)
			*cause = AGENT_REFUSED;
		return rc;
	}
	if (rd_vec(&r, 4, 0, SIZE_MAX, &blob, &blob_len) != 0 ||
	    rd_end(&r) != 0)
		return rp_fail(err, RP_MALFORMED, "malformed signature reply "
		    "from the agent");
	rd_init(&br, blob, blob_len);
	if (rd_vec(&br, 4, 1, AGENT_TYPE_MAX - 1, &name, &name_len) != 0 ||
	    rd_vec(&br, 4, 1, modlen, &s, &s_len) != 0 || rd_end(&br) != 0)
		return rp_fail(err, RP_MALFORMED, "malformed signature from "
		    "the agent");
	if (sshsig_alg_from_name(name, name_len) != (int)alg) {
		*cause = AGENT_WRONG_ALG;
		return rp_fail(err, RP_REFUSED, "the agent signed with "
		    "another algorithm than the %s asked for (too old an "
		    "agent?)", sshsig_alg_name(alg));
	}
	/* Some agents drop leading zero bytes; the number is the same,
	 * and a signature is exactly the modulus length (I2OSP). */
	memset(sig, 0, modlen - s_len);
	memcpy(sig + (modlen - s_len), s, s_len);
	*cause = AGENT_OK;
	return 0;
}

int
agent_parse_sign_response(const unsigned char *msg, size_t len,
    enum rsa_pkcs1_hash alg, size_t modlen, unsigned char *sig,
    struct rp_error *err)
{
	enum agent_cause cause;

	return agent_parse_sign_reply(msg, len, alg, modlen, sig, &cause,
	    err);
}

/* Why the key named fp is not among ids: the agent is empty, holds no
 * usable RSA key, or holds other ones. */
static int
not_found(struct agent *a, const struct agent_identities *ids,
    const char *fp, struct rp_error *err)
{
	size_t i, usable = 0;

	if (ids->n == 0) {
		a->cause = AGENT_EMPTY;
		return rp_fail(err, RP_NOKEY, "key %s is not in the agent, "
		    "which lists no keys at all (a locked agent lists none: "
		    "ssh-add -X unlocks it)", fp);
	}
	for (i = 0; i < ids->n; i++)
		usable += ids->id[i].usable != 0;
	if (usable == 0) {
		a->cause = AGENT_NO_RSA;
		return rp_fail(err, RP_NOKEY, "key %s is not in the agent, "
		    "which holds no usable RSA key (%zu key%s, the first %s)",
		    fp, ids->n, ids->n == 1 ? "" : "s", ids->id[0].type);
	}
	a->cause = AGENT_KEY_ABSENT;
	return rp_fail(err, RP_NOKEY, "key %s is not in the agent (it holds "
	    "%zu other RSA key%s; ssh-add adds it)", fp, usable,
	    usable == 1 ? "" : "s");
}

int
agent_find_key(struct agent *a, const struct agent_identities *ids,
    const struct rsa_key *key, size_t *index, struct rp_error *err)
{
	char fp[KEY_FINGERPRINT_LEN];
	unsigned char *blob;
	size_t len, i;

	blob = ssh_rsa_blob(key, &len);
	for (i = 0; i < ids->n; i++) {
		if (ids->id[i].usable && ids->id[i].blob_len == len &&
		    memcmp(ids->id[i].blob, blob, len) == 0)
			break;
	}
	free(blob);
	if (i < ids->n) {
		*index = i;
		return 0;
	}
	key_fingerprint(key, fp);
	return not_found(a, ids, fp, err);
}

int
agent_find_fingerprint(struct agent *a,
    const struct agent_identities *ids, const char *fp, size_t *index,
    struct rp_error *err)
{
	const struct agent_identity *id;
	size_t i;

	for (i = 0; i < ids->n; i++) {
		id = &ids->id[i];
		if (strcmp(id->fingerprint, fp) != 0)
			continue;
		if (id->usable) {
			*index = i;
			return 0;
		}
		a->cause = AGENT_NO_RSA;
		return rp_fail(err, RP_NOKEY, "key %s in the agent is %s%s%s, "
		    "not a usable RSA key", fp, id->type,
		    id->why[0] != '\0' ? ": " : "", id->why);
	}
	return not_found(a, ids, fp, err);
}
