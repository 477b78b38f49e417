/* SPDX-License-Identifier: ISC */
/*
 * keyswap: exchange fresh session public keys with the peer on
 * stdin/stdout, authenticated by both identity keys.  See keyswap(1) and
 * doc/KEYSWAP.md.  The exchange and the trust decision are the
 * library's (lib/keyswap/); this is their order, and what is said.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/common.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keyswap/keyswap.h"
#include "keyswap/keyswap_run.h"
#include "keyswap/keyswap_trust.h"
#include "keyswap/known_peers.h"
#include "keyswap_keys.h"
#include "keyswap_options.h"
#include "keyswap_v2.h"

#define ASK_GRACE_MS 1000       /* wait for a refusing peer before asking */

/* One run of the exchange, from the local files to the outputs. */
struct run {
	const struct options *o;
	struct ks_identity id;  /* a key file or the agent's key */
	struct ks_invite iv;    /* --invite or --code */
	struct rsa_key session;
	struct keyswap_keyring ring; /* --peer or --allowed-keys */
	struct keyswap_conn conn;
	struct keyswap_state x; /* the exchange: the peer's keys, T */
	struct keyswap_judgement j;
	struct io_output peer_out, session_out, identity_out, name_out;
	char fingerprint[KEY_FINGERPRINT_LEN]; /* the peer's, once verified */
	int peer_verdict_read; /* the peer's verdict came (and accepted) */
};

/* keyswap(1)'s statuses: 2 for local trouble, 1 for all the peer did,
 * its silence (RP_TIMEOUT) and its hang-up (RP_MORE) included. */
static _Noreturn void
fail(const struct rp_error *err)
{
	die_error(err, err->code == RP_IO || err->code == RP_USAGE ||
	    err->code == RP_CLOSED ? EXIT_USAGE : EXIT_AUTH);
}

/* Tell the peer we refuse, with the verdict value that says why (best
 * effort), then die with status 1. */
static _Noreturn void
refuse(struct run *r, const struct rp_error *err)
{
	/* A trust file that cannot be read is local trouble, not the
	 * peer's: status 2 and no verdict, as when it ended the process. */
	if (err->code == RP_IO || err->code == RP_USAGE ||
	    err->code == RP_CLOSED)
		fail(err);
	if (r->j.changed)
		ks_identity_changed(&r->o->trust, r->fingerprint, &r->j);
	keyswap_send_verdict(&r->conn, r->j.verdict);
	die_error(err, EXIT_AUTH);
}

/* Everything local first, so a bad key file, trust file or an unwritable
 * output is status 2 before a byte goes to the peer. */
static void
open_local(struct run *r)
{
	const struct options *o = r->o;
	struct rp_error err;

	ks_identity_open(&r->id, o);
	ks_keys_open(&r->ring, &o->trust);
	if (key_read_private(&r->session, o->session_key, NULL, &err) != 0 ||
	    keyswap_trust_open(&o->trust, &err) != 0 ||
	    io_output_create(&r->peer_out, o->peer_out, 0644, 0, &err) != 0 ||
	    io_output_create(&r->session_out, o->session_out, 0600, 0,
	    &err) != 0 || (o->peer_identity_out != NULL &&
	    io_output_create(&r->identity_out, o->peer_identity_out, 0644, 0,
	    &err) != 0) || (o->peer_name_out != NULL &&
	    io_output_create(&r->name_out, o->peer_name_out, 0644, 0,
	    &err) != 0))
		die_error(&err, EXIT_USAGE);
}

/* Hellos and proofs; the peer's identity shown once it is proven. */
static void
exchange_proofs(struct run *r)
{
	struct rp_error err;

	keyswap_conn_init(&r->conn, STDIN_FILENO, STDOUT_FILENO,
	    ks_invite_open(&r->iv, r->o));
	if (r->o->busy) { /* doc/KEYSWAP.md 2.5: no proof, verdict 06 */
		keyswap_run_busy(&r->x, &r->conn, r->id.signer.key,
		    &r->session, &err);
		fail(&err);
	}
	if (keyswap_run_hello_proof(&r->x, &r->conn, &r->id.signer,
	    &r->session, r->iv.w != NULL ? &r->iv.inv : NULL, &err) != 0) {
		ks_identity_check_agent(&r->id, &err);
		fail(&err);
	}
	ks_invite_close(&r->iv);
	key_fingerprint(&r->x.peer_identity, r->fingerprint);
	if (r->o->trust.peer == NULL) /* else with its name, once judged */
		notice("peer identity %s", r->fingerprint);
}

/* Read the peer's verdict; return if it accepted, else die saying why. */
static void
receive_verdict(struct run *r)
{
	struct rp_error err;
	const char *why;
	int value;

	switch ((value = keyswap_run_verdict(&r->x, &r->conn, &err))) {
	case KEYSWAP_ACCEPT:
		r->peer_verdict_read = 1;
		return;
	case KEYSWAP_REFUSE:
		die(EXIT_AUTH, "peer refused the exchange");
	case KEYSWAP_REFUSE_NOT_ALLOWED:
		die(EXIT_AUTH, "peer refused: this identity (%s) is not on its "
		    "allow list; give the peer's operator your fingerprint",
		    r->id.fingerprint);
	default:
		if (value < 0)
			fail(&err);
		if ((why = keyswap_verdict_reason(value)) != NULL)
			die(EXIT_AUTH, "%s", why);
		/* Any other value is a refusal too, for a reason that a
		 * later version may name. */
		die(EXIT_AUTH, "peer refused the exchange (verdict %d)", value);
	}
}

/*
 * Decide whether the verified identity is the peer we want; refuses
 * (status 1) if not.  A peer that refuses us sends its verdict at once:
 * it is read first if it comes within ASK_GRACE_MS, so nobody is asked
 * about a peer that said no (one asking its own user is not waited for).
 */
static void
judge_peer(struct run *r)
{
	const struct options *o = r->o;
	struct rp_error err;
	int rc;

	if (o->invite != NULL || o->code != NULL) {
		if (ks_invite_judge(o, r->fingerprint, &r->j, &err) != 0)
			refuse(r, &err);
		return;
	}
	rc = keyswap_judge(&o->trust, &r->ring, r->fingerprint, &r->j, &err);
	ks_keys_notice(&o->trust, r->fingerprint, &r->j);
	if (rc != 0)
		refuse(r, &err);
	if (r->j.unverified)
		notice("warning: accepting a peer that was not verified; "
		    "compare its fingerprint %s with the peer over another "
		    "channel", r->fingerprint);
	if (!r->j.ask)
		return;
	if ((rc = keyswap_conn_ready(&r->conn, ASK_GRACE_MS, &err)) < 0)
		fail(&err);
	if (rc > 0)
		receive_verdict(r);
	if (keyswap_ask(&r->conn, o->trust.name, r->fingerprint, &err) != 0)
		refuse(r, &err);
}

/*
 * Send our acceptance, then read the peer's verdict (unless it came
 * before a question).  A peer that refuses writes its verdict and
 * leaves, so our write may find the connection closed; its verdict is
 * still there to read, and says more than "peer closed the connection".
 */
static void
exchange_verdicts(struct run *r)
{
	keyswap_send_verdict(&r->conn, KEYSWAP_ACCEPT);
	if (!r->peer_verdict_read)
		receive_verdict(r);
}

static void
record_first_contact(struct run *r)
{
	const struct keyswap_trust *t = &r->o->trust;
	struct rp_error err;

	switch (keyswap_record(t, r->fingerprint, &r->j, &err)) {
	case KNOWN_PEER_NEW:
		notice("first contact with '%s': recorded %s in %s", t->name,
		    r->fingerprint, t->known_peers);
		break;
	case KNOWN_PEER_MATCH:
		break;
	default:
		refuse(r, &err);
	}
}

static int
write_pem(struct io_output *out, const struct rsa_key *key, const char *path,
    const char *what, struct rp_error *err)
{
	size_t len;
	char *pem;
	int rc;

	if ((pem = key_public_pem(key, &len)) == NULL)
		die(EXIT_USAGE, "cannot encode the peer's %s key", what);
	rc = io_write(out->fd, pem, len, path, err);
	free(pem);
	return rc;
}

static void
write_outputs(struct run *r)
{
	const struct options *o = r->o;
	struct rp_error err;

	/* The identity is for the caller to show, log or pin next time. */
	if (write_pem(&r->peer_out, &r->x.peer_session, o->peer_out,
	    "session", &err) != 0 || io_write(r->session_out.fd, r->x.t,
	    sizeof(r->x.t), o->session_out, &err) != 0 ||
	    (o->peer_identity_out != NULL && (write_pem(&r->identity_out,
	    &r->x.peer_identity, o->peer_identity_out, "identity", &err) != 0 ||
	    io_output_finish(&r->identity_out, &err) != 0)) ||
	    (o->peer_name_out != NULL && (io_write(r->name_out.fd,
	    r->j.peer_name, strlen(r->j.peer_name), o->peer_name_out,
	    &err) != 0 || io_write(r->name_out.fd, "\n", 1, o->peer_name_out,
	    &err) != 0 || io_output_finish(&r->name_out, &err) != 0)) ||
	    io_output_finish(&r->session_out, &err) != 0 ||
	    io_output_finish(&r->peer_out, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

static void
keyswap(const struct options *o)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	r.o = o;
	open_local(&r);
	exchange_proofs(&r);
	judge_peer(&r);
	exchange_verdicts(&r);
	if (r.j.record && (o->invite != NULL || o->code != NULL))
		ks_invite_record(o, r.fingerprint, &r.j);
	else if (r.j.record)
		record_first_contact(&r);
	write_outputs(&r);
	ks_identity_close(&r.id);
	key_free(&r.session);
	ks_keys_close(&r.ring);
	keyswap_state_free(&r.x);
}

/* --known-peers F --forget NAME: like ssh-keygen -R, no connection. */
static _Noreturn void
forget(const struct options *o)
{
	const char *path = o->trust.known_peers;
	struct rp_error err;
	unsigned long n;

	if (known_peers_forget(path, o->forget, &n, &err) != 0)
		die_error(&err, EXIT_USAGE);
	if (n == 0)
		die(EXIT_AUTH, "no entry for '%s' in %s; nothing removed",
		    o->forget, path);
	notice("removed %lu %s for '%s' from %s", n,
	    n == 1 ? "entry" : "entries", o->forget, path);
	exit(EXIT_OK);
}

int
main(int argc, char *argv[])
{
	struct options o;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	keyswap_options(argc, argv, &o);
	if (o.forget != NULL)
		forget(&o);
	keyswap(&o);
	return EXIT_OK;
}
