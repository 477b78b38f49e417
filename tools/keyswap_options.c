/* SPDX-License-Identifier: ISC */
/* keyswap_options.c: keyswap's options, parsed and checked. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyswap/known_peers.h"
#include "keyswap_options.h"

#define DEFAULT_TIMEOUT 30
#define MAX_TIMEOUT 86400
#define DEFAULT_INVITE_VALID 600

static const char synopsis[] =
    "usage: keyswap --identity PRIVATE --session-key PRIVATE "
    "--peer-out F --session-out F\n"
    "               [--peer FILE | --allowed F | --allowed-keys DIR |\n"
    "                --accept-any |\n"
    "                --known-peers F --name NAME [--ask | --accept-new | "
    "--refuse-new]]\n"
    "               [--peer-identity-out F] [--peer-name-out F] "
    "[--timeout S] [--busy]\n"
    "               [--passphrase-file F | --passphrase-fd N]\n"
    "               [--invite NAME [--invite-file F] [--invite-valid S] |"
    " --code CODE]\n"
    "       (--identity agent:SHA256:... or agent:FILE.pub: the key in "
    "ssh-agent)\n"
    "       keyswap --known-peers F --forget NAME\n";

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
	    " --session-out.\nWith --forget, removes the entries for NAME from"
	    " the known-peers file.\nExit 0 ok, 1 exchange failed or peer not"
	    " trusted, 2 usage or local error.\n", stdout);
	flush_stdout();
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

static void
set_new_peer(struct keyswap_trust *t, int policy)
{
	if (t->new_peer_set && t->new_peer != policy)
		die(EXIT_USAGE, "--ask, --accept-new and --refuse-new exclude "
		    "each other");
	t->new_peer = policy;
	t->new_peer_set = 1;
}

enum { OPT_IDENTITY = 256, OPT_SESSION_KEY, OPT_PEER_OUT, OPT_SESSION_OUT,
    OPT_PEER_IDENTITY_OUT, OPT_PEER_NAME_OUT, OPT_PEER, OPT_KNOWN_PEERS,
    OPT_NAME, OPT_ASK, OPT_ACCEPT_NEW, OPT_REFUSE_NEW, OPT_ALLOWED,
    OPT_FORGET, OPT_ACCEPT_ANY, OPT_TIMEOUT, OPT_INVITE, OPT_INVITE_FILE,
    OPT_INVITE_VALID, OPT_CODE, OPT_ALLOWED_KEYS, OPT_BUSY };

static const struct option longopts[] = {
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "session-key", required_argument, NULL, OPT_SESSION_KEY },
	{ "peer-out", required_argument, NULL, OPT_PEER_OUT },
	{ "session-out", required_argument, NULL, OPT_SESSION_OUT },
	{ "peer-identity-out", required_argument, NULL, OPT_PEER_IDENTITY_OUT },
	{ "peer-name-out", required_argument, NULL, OPT_PEER_NAME_OUT },
	{ "peer", required_argument, NULL, OPT_PEER },
	{ "known-peers", required_argument, NULL, OPT_KNOWN_PEERS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "ask", no_argument, NULL, OPT_ASK },
	{ "accept-new", no_argument, NULL, OPT_ACCEPT_NEW },
	{ "refuse-new", no_argument, NULL, OPT_REFUSE_NEW },
	{ "allowed", required_argument, NULL, OPT_ALLOWED },
	{ "allowed-keys", required_argument, NULL, OPT_ALLOWED_KEYS },
	{ "forget", required_argument, NULL, OPT_FORGET },
	{ "accept-any", no_argument, NULL, OPT_ACCEPT_ANY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "invite", required_argument, NULL, OPT_INVITE },
	{ "invite-file", required_argument, NULL, OPT_INVITE_FILE },
	{ "invite-valid", required_argument, NULL, OPT_INVITE_VALID },
	{ "code", required_argument, NULL, OPT_CODE },
	{ "busy", no_argument, NULL, OPT_BUSY },
	PASSPHRASE_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

/* Where each option that takes a file or name argument goes. */
static const char **
string_option(struct options *o, int ch)
{
	switch (ch) {
	case OPT_IDENTITY:
		return &o->identity;
	case OPT_SESSION_KEY:
		return &o->session_key;
	case OPT_PEER_OUT:
		return &o->peer_out;
	case OPT_SESSION_OUT:
		return &o->session_out;
	case OPT_PEER_IDENTITY_OUT:
		return &o->peer_identity_out;
	case OPT_PEER_NAME_OUT:
		return &o->peer_name_out;
	case OPT_PEER:
		return &o->trust.peer;
	case OPT_KNOWN_PEERS:
		return &o->trust.known_peers;
	case OPT_NAME:
		return &o->trust.name;
	case OPT_ALLOWED:
		return &o->trust.allowed;
	case OPT_ALLOWED_KEYS:
		return &o->trust.allowed_keys;
	case OPT_FORGET:
		return &o->forget;
	case OPT_INVITE:
		return &o->invite;
	case OPT_INVITE_FILE:
		return &o->invite_file;
	case OPT_CODE:
		return &o->code;
	default:
		return NULL;
	}
}

/* The long name of an option, for messages. */
static const char *
option_name(int ch)
{
	const struct option *opt;

	for (opt = longopts; opt->name != NULL; opt++)
		if (opt->val == ch)
			return opt->name;
	return "?";
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
	const char **slot;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((slot = string_option(o, ch)) != NULL) {
			/* Keeping the last of two silently could pin or
			 * write the wrong thing. */
			if (*slot != NULL)
				die(EXIT_USAGE, "--%s given twice",
				    option_name(ch));
			*slot = optarg;
			continue;
		}
		switch (ch) {
		case OPT_ASK:
			set_new_peer(&o->trust, KEYSWAP_NEW_ASK);
			break;
		case OPT_ACCEPT_NEW:
			set_new_peer(&o->trust, KEYSWAP_NEW_RECORD);
			break;
		case OPT_REFUSE_NEW:
			set_new_peer(&o->trust, KEYSWAP_NEW_REFUSE);
			break;
		case OPT_ACCEPT_ANY:
			o->trust.accept_any = 1;
			break;
		case OPT_BUSY:
			o->busy = 1;
			break;
		case OPT_TIMEOUT:
			o->timeout = parse_timeout(optarg);
			o->timeout_set = 1;
			break;
		case OPT_INVITE_VALID:
			o->invite_valid = parse_timeout(optarg);
			break;
		default:
			option_default(ch, optarg, &o->pass, help, usage);
		}
	}
	if (optind != argc)
		die(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
}

static void
check_forget(const struct options *o)
{
	if (o->trust.known_peers == NULL)
		die(EXIT_USAGE, "--forget needs --known-peers FILE");
	if (!known_peers_valid_name(o->forget))
		die(EXIT_USAGE, "--forget: want 1 to %d printable characters "
		    "without spaces", KNOWN_PEERS_NAME_MAX);
	if (o->identity != NULL || o->session_key != NULL ||
	    o->peer_out != NULL || o->session_out != NULL ||
	    o->peer_identity_out != NULL || o->peer_name_out != NULL ||
	    o->trust.peer != NULL || o->trust.name != NULL ||
	    o->trust.allowed != NULL || o->trust.allowed_keys != NULL ||
	    o->trust.accept_any ||
	    o->trust.new_peer_set || o->timeout_set ||
	    o->pass.file != NULL || o->pass.fd >= 0)
		die(EXIT_USAGE, "--forget takes only --known-peers: it edits "
		    "the file and uses no connection");
}

static void
check_outputs(const struct options *o)
{
	const char *out[4] = { o->peer_out, o->session_out,
	    o->peer_identity_out, o->peer_name_out };
	int i, j;

	for (i = 0; i < 4; i++)
		if (out[i] != NULL && strcmp(out[i], "-") == 0)
			die(EXIT_USAGE, "stdout is the connection; the "
			    "outputs must be files");
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			if (out[i] != NULL && out[j] != NULL &&
			    strcmp(out[i], out[j]) == 0)
				die(EXIT_USAGE, "the output files must differ");
}

/* --invite NAME records the peer as NAME in --allowed or --known-peers;
 * --code CODE records it under --known-peers --name. */
static void
check_invite(struct options *o)
{
	if ((o->invite_file != NULL || o->invite_valid != 0) &&
	    o->invite == NULL)
		die(EXIT_USAGE, "--invite-file and --invite-valid go with "
		    "--invite");
	if (o->invite_valid == 0)
		o->invite_valid = DEFAULT_INVITE_VALID;
	if (o->invite != NULL && o->code != NULL)
		die(EXIT_USAGE, "--invite and --code exclude each other: one "
		    "side makes the code, the other types it");
	if (o->invite != NULL) {
		if (!known_peers_valid_name(o->invite))
			die(EXIT_USAGE, "--invite: want 1 to %d printable "
			    "characters without spaces", KNOWN_PEERS_NAME_MAX);
		if (o->trust.allowed == NULL && o->trust.known_peers == NULL)
			die(EXIT_USAGE, "--invite needs --allowed F or "
			    "--known-peers F to record the peer in");
		if (o->trust.name != NULL)
			die(EXIT_USAGE, "--invite NAME is the peer's name; "
			    "give no --name");
		if (o->trust.known_peers != NULL)
			o->trust.name = o->invite;
	}
	if (o->code != NULL && o->trust.known_peers == NULL)
		die(EXIT_USAGE, "--code needs --known-peers F --name NAME to "
		    "record the peer in");
}

void
keyswap_options(int argc, char *argv[], struct options *o)
{
	struct rp_error err;

	memset(o, 0, sizeof(*o));
	o->timeout = DEFAULT_TIMEOUT;
	o->pass.fd = -1;
	parse_options(argc, argv, o);
	if (o->forget != NULL) {
		check_forget(o);
		return;
	}
	if (o->identity == NULL || o->session_key == NULL ||
	    o->peer_out == NULL || o->session_out == NULL)
		die(EXIT_USAGE, "--identity, --session-key, --peer-out and "
		    "--session-out are required");
	check_outputs(o);
	check_invite(o);
	if (keyswap_trust_check(&o->trust, &err) != 0)
		die_error(&err, EXIT_USAGE);
}
