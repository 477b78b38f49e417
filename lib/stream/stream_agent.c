/* SPDX-License-Identifier: ISC */
/* stream_agent.c: a stream signer held by ssh-agent (stream_agent.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "keys/agent.h"
#include "keys/keys.h"
#include "keys/sshsig.h"
#include "stream/format.h"
#include "stream/stream_agent.h"

struct agent_signer {
	struct identity base;    /* first: the interface's pointer is ours */
	struct agent *agent;     /* the open connection */
	struct rsa_key key;      /* the public half */
	char fp[KEY_FINGERPRINT_LEN];
};

static int
agent_unwrap(const struct identity *id, const struct stanza *s,
    unsigned char *file_key, size_t len, struct rp_error *err)
{
	(void)id;
	(void)s;
	wipe(file_key, len);
	return rp_fail(err, RP_NOKEY, "an ssh-agent key only signs");
}

/* The SSHSIG of the header's digest (doc/FORMAT.md section 2.1),
 * checked by agent_sshsig() before it is returned. */
static int
agent_sign_digest(const struct identity *id, const unsigned char digest[32],
    unsigned char *sig, size_t sig_max, size_t *sig_len,
    struct rp_error *err)
{
	const struct agent_signer *m = (const struct agent_signer *)id;
	unsigned char *blob;
	size_t len;
	int rc;

	rc = agent_sshsig(m->agent, &m->key, STREAM_SSHSIG_NAMESPACE,
	    RSA_PKCS1_SHA512, RSA_PKCS1_SHA512, digest, 32, &blob, &len, err);
	if (rc != 0)
		return m->agent->cause == AGENT_BAD_SIGNATURE ?
		    rp_prefix(err, "key %s", m->fp) : rc;
	if (len > sig_max) {
		free(blob);
		return rp_fail(err, RP_USAGE, "key %s: its signature is too "
		    "long for a stream (%zu bytes)", m->fp, len);
	}
	memcpy(sig, blob, len);
	*sig_len = len;
	free(blob);
	return 0;
}

static void
agent_signer_free(struct identity *id)
{
	struct agent_signer *m = (struct agent_signer *)id;

	agent_close(m->agent);
	free(m->agent);
	key_free(&m->key);
	free(m);
}

static const struct identity_ops agent_ops = {
	STREAM_AGENT_KIND, agent_unwrap, agent_sign_digest, agent_signer_free
};

/* The key the agent holds under fingerprint fp, into m->key. */
static int
find_fingerprint(struct agent_signer *m, const char *fp,
    struct rp_error *err)
{
	struct agent_identities ids;
	size_t i;
	int rc;

	snprintf(m->fp, sizeof(m->fp), "%s", fp);
	if ((rc = agent_connect(m->agent, NULL, 0, err)) != 0 ||
	    (rc = agent_list(m->agent, &ids, err)) != 0)
		return rp_prefix(err, "key %s", m->fp);
	if ((rc = agent_find_fingerprint(m->agent, &ids, fp, &i, err)) == 0)
		rc = key_from_ssh_blob(&m->key, ids.id[i].blob,
		    ids.id[i].blob_len, err);
	agent_identities_free(&ids);
	return rc;
}

/* The key of a public key file, which the agent must hold. */
static int
find_key_file(struct agent_signer *m, const char *path,
    const struct passphrase_source *pass, struct rp_error *err)
{
	struct agent_identities ids;
	size_t i;
	int rc;

	if ((rc = key_read_public(&m->key, path, pass, err)) != 0)
		return rc;
	key_fingerprint(&m->key, m->fp);
	if ((rc = agent_connect(m->agent, NULL, 0, err)) != 0 ||
	    (rc = agent_list(m->agent, &ids, err)) != 0)
		return rp_prefix(err, "key %s (%s)", m->fp, path);
	rc = agent_find_key(m->agent, &ids, &m->key, &i, err);
	agent_identities_free(&ids);
	return rc;
}

int
stream_agent_signer(const char *spec, const struct passphrase_source *pass,
    struct identity **out, struct rp_error *err)
{
	struct agent_signer *m = rp_calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	m->base.ops = &agent_ops;
	m->agent = rp_calloc(1, sizeof(*m->agent));
	m->agent->fd = -1;
	rc = strncmp(spec, "SHA256:", 7) == 0 ?
	    find_fingerprint(m, spec, err) :
	    find_key_file(m, spec, pass, err);
	if (rc == 0 && (rsa_modulus_bytes(&m->key) < STREAM_RSA_MIN_BYTES ||
	    rsa_modulus_bytes(&m->key) > STREAM_RSA_MAX_BYTES))
		rc = rp_fail(err, RP_USAGE, "key %s: signing key size not "
		    "supported", m->fp);
	if (rc != 0) {
		agent_signer_free(&m->base);
		return rc;
	}
	memcpy(m->base.handle, m->key.id, KEY_ID_LEN);
	m->base.handle_len = KEY_ID_LEN;
	*out = &m->base;
	return 0;
}
