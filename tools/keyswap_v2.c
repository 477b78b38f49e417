/* SPDX-License-Identifier: ISC */
/* keyswap_v2.c: agent identities, invites, and the warning for a changed
 * identity, for keyswap(1). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/common.h"
#include "core/io.h"
#include "keyswap/invite_code.h"
#include "keyswap/known_peers.h"
#include "keyswap_v2.h"

/* Die (status 2) with err prefixed by the agent key's fingerprint. */
static _Noreturn void
agent_die(const struct ks_identity *id, struct rp_error *err)
{
	rp_prefix(err, "agent key %s", id->fingerprint[0] != '\0' ?
	    id->fingerprint : "?");
	die_error(err, EXIT_USAGE);
}

/* Find the key in the agent by its fingerprint or its public key. */
static int
agent_key(struct ks_identity *id, const char *which, struct rp_error *err)
{
	struct agent_identities ids;
	const struct agent_identity *found;
	size_t i;
	int rc;

	if ((rc = agent_list(&id->agent, &ids, err)) != 0)
		return rc;
	if (strncmp(which, "SHA256:", 7) == 0)
		rc = agent_find_fingerprint(&id->agent, &ids, which, &i, err);
	else
		rc = agent_find_key(&id->agent, &ids, &id->key, &i, err);
	if (rc == 0) {
		found = &ids.id[i];
		key_free(&id->key);
		rc = key_from_ssh_blob(&id->key, found->blob, found->blob_len,
		    err);
	}
	agent_identities_free(&ids);
	return rc;
}

static void
open_agent_identity(struct ks_identity *id, const char *which)
{
	struct rp_error err;

	id->in_agent = 1;
	if (strncmp(which, "SHA256:", 7) == 0) {
		snprintf(id->fingerprint, sizeof(id->fingerprint), "%s", which);
	} else {
		if (key_read_public(&id->key, which, NULL, &err) != 0)
			die_error(&err, EXIT_USAGE);
		key_fingerprint(&id->key, id->fingerprint);
	}
	if (agent_connect(&id->agent, NULL, 0, &err) != 0 ||
	    agent_key(id, which, &err) != 0)
		agent_die(id, &err);
	key_fingerprint(&id->key, id->fingerprint);
	keyswap_signer_agent(&id->signer, &id->agent, &id->key,
	    KEYSWAP_SCHEME_SSHSIG_512);
}

void
ks_identity_open(struct ks_identity *id, const struct options *o)
{
	struct rp_error err;

	memset(id, 0, sizeof(*id));
	id->agent.fd = -1;
	if (strncmp(o->identity, AGENT_PREFIX, strlen(AGENT_PREFIX)) == 0) {
		open_agent_identity(id, o->identity + strlen(AGENT_PREFIX));
		return;
	}
	if (key_read_private(&id->key, o->identity, &o->pass, &err) != 0)
		die_error(&err, EXIT_USAGE);
	key_fingerprint(&id->key, id->fingerprint);
	keyswap_signer_file(&id->signer, &id->key, KEYSWAP_SCHEME_PSS);
}

void
ks_identity_check_agent(struct ks_identity *id, const struct rp_error *err)
{
	struct rp_error e = *err;

	if (id->in_agent && id->agent.cause != AGENT_OK)
		agent_die(id, &e);
}

void
ks_identity_close(struct ks_identity *id)
{
	if (id->in_agent)
		agent_close(&id->agent);
	key_free(&id->key);
}

/* Make the code, say it on stderr and in --invite-file. */
static void
make_code(struct invite_code *c, const struct options *o)
{
	struct io_output out;
	struct rp_error err;
	char text[INVITE_CODE_MAX];
	size_t n;

	if (invite_code_new(c, 0, &err) != 0)
		die_error(&err, EXIT_USAGE);
	n = invite_code_format(c, text);
	text[n] = '\n';
	if (o->invite_file != NULL && (io_output_create(&out, o->invite_file,
	    0600, 0, &err) != 0 || io_write(out.fd, text, n + 1,
	    o->invite_file, &err) != 0 || io_output_finish(&out, &err) != 0)) {
		wipe(text, sizeof(text));
		die_error(&err, EXIT_USAGE);
	}
	text[n] = '\0';
	notice("invite code %s (valid %u %s, one use)", text,
	    o->invite_valid % 60 == 0 ? o->invite_valid / 60 :
	    o->invite_valid, o->invite_valid % 60 == 0 ? "minutes" :
	    "seconds");
	wipe(text, sizeof(text));
}

unsigned int
ks_invite_open(struct ks_invite *iv, const struct options *o)
{
	struct invite_code c;
	struct rp_error err;
	struct timespec shown;

	memset(iv, 0, sizeof(*iv));
	if (o->invite == NULL && o->code == NULL)
		return o->timeout;
	/* An invite holds from when its code is shown, not from after
	 * scrypt, which can take seconds on a loaded machine. */
	if (o->invite != NULL) {
		make_code(&c, o);
		clock_gettime(CLOCK_MONOTONIC, &shown);
	} else if (invite_code_parse(&c, o->code, strlen(o->code), &err) != 0)
		die_error(&err, EXIT_USAGE);
	else	/* The words are the password: not left in argv. */
		wipe((char *)(uintptr_t)o->code, strlen(o->code));
	iv->w = secure_alloc(SPAKE2_SCALAR_LEN);
	if (invite_code_w(&c, iv->w, &err) != 0)
		die_error(&err, EXIT_USAGE);
	iv->inv.role = o->invite != NULL ? KEYSWAP_INVITER : KEYSWAP_CALLER;
	iv->inv.number = c.number;
	iv->inv.w = iv->w;
	wipe(&c, sizeof(c));
	if (o->invite == NULL)
		return o->timeout;
	/* The inviter waits for its caller as long as the invite holds. */
	iv->inv.expires = shown;
	iv->inv.expires.tv_sec += (time_t)o->invite_valid;
	return o->invite_valid + o->timeout;
}

void
ks_invite_close(struct ks_invite *iv)
{
	secure_free(iv->w);
	memset(iv, 0, sizeof(*iv));
}

int
ks_invite_judge(const struct options *o, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err)
{
	const struct keyswap_trust *t = &o->trust;
	const char *name = o->invite != NULL ? o->invite : t->name;

	memset(j, 0, sizeof(*j));
	j->verdict = KEYSWAP_REFUSE;
	snprintf(j->peer_name, sizeof(j->peer_name), "%s", name);
	int rc;

	if (t->allowed != NULL) {
		rc = known_peers_allowed(t->allowed, fingerprint, j->peer_name,
		    &j->entry, err);
		if (rc == 0)
			j->record = 1;
		return rc < 0 ? rc : 0;
	}
	rc = known_peers_check(t->known_peers, name, fingerprint, &j->entry,
	    err);
	if (rc < 0)
		return rc;
	switch (rc) {
	case KNOWN_PEER_NEW:
		j->record = 1;
		return 0;
	case KNOWN_PEER_MATCH:
		return 0;
	default:
		j->changed = 1;
		return rp_fail(err, RP_AUTH, "peer '%s' knew the invite code "
		    "but %s records another identity for it", name,
		    t->known_peers);
	}
}

void
ks_invite_record(const struct options *o, const char *fingerprint,
    struct keyswap_judgement *j)
{
	const struct keyswap_trust *t = &o->trust;
	const char *path = t->allowed != NULL ? t->allowed : t->known_peers;
	struct rp_error err;
	int rc;

	rc = known_peers_record(path, j->peer_name, fingerprint, &j->entry,
	    &err);
	if (rc < 0)
		die_error(&err, EXIT_USAGE);
	if (rc == KNOWN_PEER_NEW)
		notice("invite: recorded '%s' %s in %s", j->peer_name,
		    fingerprint, path);
}

void
ks_identity_changed(const struct keyswap_trust *t, const char *fingerprint,
    const struct keyswap_judgement *j)
{
	notice("@@@ WARNING: REMOTE IDENTITY HAS CHANGED @@@");
	notice("peer '%s' now presents identity %s", t->name, fingerprint);
	notice("%s:%lu records %s", t->known_peers, j->entry.line,
	    j->entry.fingerprint);
	notice("someone may be intercepting the connection, or the peer "
	    "replaced its identity key;");
	notice("if you know it did, delete line %lu of %s (or run keyswap "
	    "--known-peers %s --forget %s) and try again", j->entry.line,
	    t->known_peers, t->known_peers, t->name);
}
