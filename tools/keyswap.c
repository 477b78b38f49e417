/*
 * keyswap: exchange fresh session public keys with the peer on
 * stdin/stdout, authenticated by both identity keys.  See keyswap(1) and
 * doc/KEYSWAP.md.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "io.h"
#include "keys.h"
#include "keyswap.h"
#include "known_peers.h"
#include "passphrase.h"

#define DEFAULT_TIMEOUT 30
#define MAX_TIMEOUT 86400

struct options {
	const char *identity, *session_key, *peer_out, *session_out;
	const char *peer_identity_out;
	const char *peer, *known_peers, *name;
	int accept_any;
	unsigned int timeout;
	struct passphrase_source pass;
};

static const char synopsis[] =
    "usage: keyswap --identity PRIVATE --session-key PRIVATE "
    "--peer-out F --session-out F\n"
    "               [--peer PUB | --known-peers F --name NAME | "
    "--accept-any]\n"
    "               [--peer-identity-out F] [--timeout S]\n"
    "               [--passphrase-file F | --passphrase-fd N]\n";

static _Noreturn void
usage(void)
{
	fputs(synopsis, stderr);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	fputs(synopsis, stdout);
	fputs("\nExchanges session public keys with the peer on stdin/stdout,"
	    " each side\nproving its identity key.  Writes the peer's session"
	    " public key to\n--peer-out and the 32-byte session context to"
	    " --session-out.\nExit 0 ok, 1 exchange failed, 2 usage or key"
	    " file error.\n", stdout);
	io_close_stdout();
	exit(EXIT_OK);
}

static unsigned int
parse_timeout(const char *arg)
{
	char *end;
	long v;

	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v < 1 || v > MAX_TIMEOUT)
		die(EXIT_USAGE, "--timeout: want whole seconds from 1 to %d, "
		    "not '%s'", MAX_TIMEOUT, arg);
	return (unsigned int)v;
}

/* Tell the peer we refuse (best effort), then die with status 1. */
static _Noreturn void refuse(struct keyswap_conn *, const char *, ...)
	__attribute__((format(printf, 2, 3)));
static void
refuse(struct keyswap_conn *conn, const char *fmt, ...)
{
	unsigned char verdict[KEYSWAP_HEADER_LEN + 1];
	char message[512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	n = keyswap_encode_verdict(verdict, KEYSWAP_REFUSE);
	keyswap_send_quietly(conn, verdict, n);
	die(EXIT_AUTH, "%s", message);
}

/* The loud warning, in the spirit of ssh's, for a key that changed. */
static _Noreturn void
identity_changed(struct keyswap_conn *conn, const struct options *o,
    const struct known_peer_entry *entry, const char *fingerprint)
{
	notice("@@@ WARNING: REMOTE IDENTITY HAS CHANGED @@@");
	notice("peer '%s' now presents identity %s", o->name, fingerprint);
	notice("%s:%lu records %s", o->known_peers, entry->line,
	    entry->fingerprint);
	notice("someone may be intercepting the connection, or the peer "
	    "replaced its identity key;");
	notice("if you know it did, delete line %lu of %s and try again",
	    entry->line, o->known_peers);
	refuse(conn, "peer identity for '%s' has changed; refusing (see %s)",
	    o->name, o->known_peers);
}

/* Build a key from a DER SPKI the peer sent; a bad one is the peer's
 * fault, so status 1. */
static void
peer_key(struct rsa_key *key, const unsigned char *der, size_t len,
    const char *what)
{
	const char *why;

	memset(key, 0, sizeof(*key));
	if (key_from_spki(key, der, len, &why) != 0)
		die(EXIT_AUTH, "peer sent a bad %s key: %s", what, why);
}

static void
keyswap(const struct options *o)
{
	struct rsa_key identity, session, pinned, peer_identity, peer_session;
	struct keyswap_conn conn;
	struct keyswap_hello peer;
	struct known_peer_entry entry;
	struct io_output peer_out, session_out, identity_out;
	unsigned char own_hello[KEYSWAP_FRAME_MAX], peer_hello[KEYSWAP_FRAME_MAX];
	unsigned char frame[KEYSWAP_FRAME_MAX], sig[KEYSWAP_SIG_MAX];
	unsigned char nonce[KEYSWAP_NONCE_LEN], t[KEYSWAP_CONTEXT_LEN];
	char fingerprint[KEY_FINGERPRINT_LEN], pinned_fingerprint[KEY_FINGERPRINT_LEN];
	const unsigned char *body, *peer_sig;
	const char *why;
	size_t own_len, peer_len, frame_len, body_len, sig_len, pem_len;
	char *pem;
	int trust_status = KNOWN_PEER_MATCH, verdict;
	gcry_error_t err;

	/* Everything local first, so a bad key file or an unwritable
	 * output is status 2 before a byte goes to the peer. */
	memset(&pinned, 0, sizeof(pinned));
	key_load_private(&identity, o->identity, &o->pass);
	key_load_private(&session, o->session_key, NULL);
	if (o->peer != NULL)
		key_load_public(&pinned, o->peer, NULL);
	if (o->known_peers != NULL)
		(void)known_peers_check(o->known_peers, o->name, "", &entry);
	io_output_open(&peer_out, o->peer_out, 0644, 0);
	io_output_open(&session_out, o->session_out, 0600, 0);
	if (o->peer_identity_out != NULL)
		io_output_open(&identity_out, o->peer_identity_out, 0644, 0);

	gcry_randomize(nonce, sizeof(nonce), GCRY_STRONG_RANDOM);
	own_len = keyswap_encode_hello(own_hello, identity.spki,
	    identity.spki_len, session.spki, session.spki_len, nonce);
	if (own_len == 0)
		die(EXIT_USAGE, "key too large for keyswap");

	/* Both sides write first, then read: no roles, no deadlock (a
	 * hello fits in any pipe or socket buffer). */
	keyswap_conn_init(&conn, STDIN_FILENO, STDOUT_FILENO, o->timeout);
	keyswap_send(&conn, own_hello, own_len);
	body = keyswap_receive(&conn, KEYSWAP_HELLO, peer_hello, &peer_len,
	    &body_len);
	if (keyswap_parse_hello(&peer, body, body_len, &why) != 0 ||
	    keyswap_check_not_reflected(own_hello, own_len, peer_hello,
	    peer_len, &why) != 0)
		die(EXIT_AUTH, "%s", why);
	peer_key(&peer_identity, peer.identity, peer.identity_len, "identity");
	peer_key(&peer_session, peer.session, peer.session_len, "session");

	if ((err = keyswap_transcript(t, own_hello, own_len, peer_hello,
	    peer_len)) != 0)
		die_gcry(EXIT_USAGE, err, "transcript");
	if ((err = keyswap_sign_proof(&identity, t, own_hello, own_len, sig,
	    &sig_len)) != 0)
		die_gcry(EXIT_USAGE, err, "signing the proof");
	own_len = keyswap_encode_proof(frame, sig, sig_len);
	keyswap_send(&conn, frame, own_len);
	key_free(&identity); /* the private identity is not needed again */

	body = keyswap_receive(&conn, KEYSWAP_PROOF, frame, &frame_len,
	    &body_len);
	if (keyswap_parse_proof(&peer_sig, &sig_len, body, body_len, &why) != 0)
		die(EXIT_AUTH, "%s", why);
	if (keyswap_verify_proof(&peer_identity, t, peer_hello, peer_len,
	    peer_sig, sig_len) != 0)
		refuse(&conn, "peer's proof does not verify: the exchange "
		    "was tampered with, replayed or reflected");

	/* Only now, with the proof verified, is the identity worth
	 * showing or judging. */
	key_fingerprint(&peer_identity, fingerprint);
	notice("peer identity %s", fingerprint);
	if (o->peer != NULL) {
		if (peer_identity.spki_len != pinned.spki_len ||
		    memcmp(peer_identity.spki, pinned.spki,
		    pinned.spki_len) != 0) {
			key_fingerprint(&pinned, pinned_fingerprint);
			refuse(&conn, "peer identity does not match --peer "
			    "(expected %s, got %s)", pinned_fingerprint,
			    fingerprint);
		}
	} else if (o->known_peers != NULL) {
		trust_status = known_peers_check(o->known_peers, o->name,
		    fingerprint, &entry);
		if (trust_status == KNOWN_PEER_CHANGED)
			identity_changed(&conn, o, &entry, fingerprint);
	} else {
		notice("warning: accepting an unverified peer (--accept-any); "
		    "compare the fingerprint above with the peer's out of band");
	}

	/* A peer that refuses writes its verdict and leaves, so our write
	 * may find the connection closed; its verdict is still there to
	 * read, and says more than "peer closed the connection". */
	frame_len = keyswap_encode_verdict(frame, KEYSWAP_ACCEPT);
	keyswap_send_quietly(&conn, frame, frame_len);
	body = keyswap_receive(&conn, KEYSWAP_VERDICT, frame, &frame_len,
	    &body_len);
	if (keyswap_parse_verdict(&verdict, body, body_len, &why) != 0)
		die(EXIT_AUTH, "%s", why);
	if (verdict != KEYSWAP_ACCEPT)
		die(EXIT_AUTH, "peer refused the exchange");

	if (trust_status == KNOWN_PEER_NEW) {
		trust_status = known_peers_record(o->known_peers, o->name,
		    fingerprint, &entry);
		if (trust_status == KNOWN_PEER_CHANGED)
			identity_changed(&conn, o, &entry, fingerprint);
		if (trust_status == KNOWN_PEER_NEW)
			notice("first contact with '%s': recorded %s in %s",
			    o->name, fingerprint, o->known_peers);
	}

	if ((pem = key_public_pem(&peer_session, &pem_len)) == NULL)
		die(EXIT_USAGE, "cannot encode the peer's session key");
	io_write_all(peer_out.fd, pem, pem_len, o->peer_out);
	free(pem);
	io_write_all(session_out.fd, t, sizeof(t), o->session_out);
	if (o->peer_identity_out != NULL) {
		/* For the caller to show, log or pin next time. */
		if ((pem = key_public_pem(&peer_identity, &pem_len)) == NULL)
			die(EXIT_USAGE, "cannot encode the peer's identity key");
		io_write_all(identity_out.fd, pem, pem_len,
		    o->peer_identity_out);
		free(pem);
		io_output_commit(&identity_out);
	}
	io_output_commit(&session_out);
	io_output_commit(&peer_out);

	key_free(&session);
	key_free(&pinned);
	key_free(&peer_identity);
	key_free(&peer_session);
}

int
main(int argc, char *argv[])
{
	enum { OPT_IDENTITY = 256, OPT_SESSION_KEY, OPT_PEER_OUT,
	    OPT_SESSION_OUT, OPT_PEER_IDENTITY_OUT, OPT_PEER, OPT_KNOWN_PEERS, OPT_NAME,
	    OPT_ACCEPT_ANY, OPT_TIMEOUT, OPT_HELP, OPT_VERSION };
	static const struct option longopts[] = {
		{ "identity", required_argument, NULL, OPT_IDENTITY },
		{ "session-key", required_argument, NULL, OPT_SESSION_KEY },
		{ "peer-out", required_argument, NULL, OPT_PEER_OUT },
		{ "session-out", required_argument, NULL, OPT_SESSION_OUT },
		{ "peer-identity-out", required_argument, NULL,
		    OPT_PEER_IDENTITY_OUT },
		{ "peer", required_argument, NULL, OPT_PEER },
		{ "known-peers", required_argument, NULL, OPT_KNOWN_PEERS },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "accept-any", no_argument, NULL, OPT_ACCEPT_ANY },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		PASSPHRASE_LONG_OPTIONS,
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct options o;
	int ch, modes;

	rsapipe_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.timeout = DEFAULT_TIMEOUT;
	o.pass.fd = -1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_IDENTITY:
			o.identity = optarg;
			break;
		case OPT_SESSION_KEY:
			o.session_key = optarg;
			break;
		case OPT_PEER_OUT:
			o.peer_out = optarg;
			break;
		case OPT_SESSION_OUT:
			o.session_out = optarg;
			break;
		case OPT_PEER_IDENTITY_OUT:
			o.peer_identity_out = optarg;
			break;
		case OPT_PEER:
			o.peer = optarg;
			break;
		case OPT_KNOWN_PEERS:
			o.known_peers = optarg;
			break;
		case OPT_NAME:
			o.name = optarg;
			break;
		case OPT_ACCEPT_ANY:
			o.accept_any = 1;
			break;
		case OPT_TIMEOUT:
			o.timeout = parse_timeout(optarg);
			break;
		case OPT_HELP:
			help();
		case OPT_VERSION:
			print_version();
		default:
			if (!passphrase_option(&o.pass, ch, optarg))
				usage();
		}
	}
	if (optind != argc)
		die(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	if (o.identity == NULL || o.session_key == NULL ||
	    o.peer_out == NULL || o.session_out == NULL)
		die(EXIT_USAGE, "--identity, --session-key, --peer-out and "
		    "--session-out are required");
	if (strcmp(o.peer_out, "-") == 0 || strcmp(o.session_out, "-") == 0 ||
	    (o.peer_identity_out != NULL &&
	    strcmp(o.peer_identity_out, "-") == 0))
		die(EXIT_USAGE, "stdout is the connection; the outputs must "
		    "be files");
	if (strcmp(o.peer_out, o.session_out) == 0 ||
	    (o.peer_identity_out != NULL &&
	    (strcmp(o.peer_identity_out, o.peer_out) == 0 ||
	    strcmp(o.peer_identity_out, o.session_out) == 0)))
		die(EXIT_USAGE, "the output files must differ");
	if ((o.known_peers == NULL) != (o.name == NULL))
		die(EXIT_USAGE, "--known-peers and --name go together");
	if (o.name != NULL && !known_peers_valid_name(o.name))
		die(EXIT_USAGE, "--name: want 1 to %d printable characters "
		    "without spaces", KNOWN_PEERS_NAME_MAX);
	modes = (o.peer != NULL) + (o.known_peers != NULL) + o.accept_any;
	if (modes == 0)
		die(EXIT_USAGE, "refusing to trust an unknown peer: give "
		    "--peer, --known-peers with --name, or --accept-any");
	if (modes > 1)
		die(EXIT_USAGE, "--peer, --known-peers and --accept-any "
		    "exclude each other");

	keyswap(&o);
	return EXIT_OK;
}
