/* SPDX-License-Identifier: ISC */
/*
 * keyswap: exchange fresh session public keys with the peer on
 * stdin/stdout, authenticated by both identity keys.  See keyswap(1) and
 * doc/KEYSWAP.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "core/common.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keys/passphrase.h"
#include "keyswap/keyswap.h"
#include "keyswap/keyswap_run.h"
#include "keyswap/known_peers.h"

#define DEFAULT_TIMEOUT 30
#define MAX_TIMEOUT 86400
#define ANSWER_MAX 255          /* longest answer kept from the terminal */
#define ASK_GRACE_MS 1000       /* wait for a refusing peer before asking */
#define SHORT_FINGERPRINT_LEN 16 /* a display name from a fingerprint */
#define FINGERPRINT_PREFIX_LEN 7 /* "SHA256:" */

/* What --known-peers does with a name it has no entry for. */
enum new_peer { NEW_RECORD, NEW_ASK, NEW_REFUSE };

struct options {
	const char *identity, *session_key, *peer_out, *session_out;
	const char *peer_identity_out, *peer_name_out;
	const char *peer, *known_peers, *name, *allowed, *forget;
	int accept_any, new_peer, new_peer_set, timeout_set;
	unsigned int timeout;
	struct passphrase_source pass;
};

/* One run of the exchange, from the local files to the outputs. */
struct run {
	const struct options *o;
	struct rsa_key identity, session, pinned;
	struct keyswap_conn conn;
	struct keyswap_state x; /* the exchange: the peer's keys, T */
	struct io_output peer_out, session_out, identity_out, name_out;
	char own_fingerprint[KEY_FINGERPRINT_LEN];
	char fingerprint[KEY_FINGERPRINT_LEN]; /* the peer's, once verified */
	char peer_name[KNOWN_PEERS_NAME_MAX + 1]; /* for --peer-name-out */
	int record;            /* a first contact to record after the verdicts */
	int peer_verdict_read; /* the peer's verdict came (and accepted) */
};

static const char synopsis[] =
    "usage: keyswap --identity PRIVATE --session-key PRIVATE "
    "--peer-out F --session-out F\n"
    "               [--peer PUB | --allowed F | --accept-any |\n"
    "                --known-peers F --name NAME [--ask | --accept-new | "
    "--refuse-new]]\n"
    "               [--peer-identity-out F] [--peer-name-out F] "
    "[--timeout S]\n"
    "               [--passphrase-file F | --passphrase-fd N]\n"
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

/* Tell the peer we refuse, with the verdict value that says why (best
 * effort), then die with status 1. */
static _Noreturn void refuse(struct keyswap_conn *, int, const char *, ...)
	__attribute__((format(printf, 3, 4)));
static void
refuse(struct keyswap_conn *conn, int verdict, const char *fmt, ...)
{
	char message[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	keyswap_send_verdict(conn, verdict);
	die(EXIT_AUTH, "%s", message);
}

/* The loud warning, in the spirit of ssh's, for a key that changed. */
static _Noreturn void
identity_changed(struct run *r, const struct known_peer_entry *entry)
{
	const struct options *o = r->o;

	notice("@@@ WARNING: REMOTE IDENTITY HAS CHANGED @@@");
	notice("peer '%s' now presents identity %s", o->name, r->fingerprint);
	notice("%s:%lu records %s", o->known_peers, entry->line,
	    entry->fingerprint);
	notice("someone may be intercepting the connection, or the peer "
	    "replaced its identity key;");
	notice("if you know it did, delete line %lu of %s (or run keyswap "
	    "--known-peers %s --forget %s) and try again", entry->line,
	    o->known_peers, o->known_peers, o->name);
	refuse(&r->conn, KEYSWAP_REFUSE, "peer identity for '%s' has changed; "
	    "refusing (see %s)", o->name, o->known_peers);
}

/* Everything local first, so a bad key file, trust file or an unwritable
 * output is status 2 before a byte goes to the peer. */
static void
open_local(struct run *r)
{
	const struct options *o = r->o;
	struct known_peer_entry entry;

	key_load_private(&r->identity, o->identity, &o->pass);
	key_fingerprint(&r->identity, r->own_fingerprint);
	key_load_private(&r->session, o->session_key, NULL);
	if (o->peer != NULL)
		key_load_public(&r->pinned, o->peer, NULL);
	if (o->known_peers != NULL)
		(void)known_peers_check(o->known_peers, o->name, "", &entry);
	if (o->allowed != NULL)
		(void)known_peers_allowed(o->allowed, "", r->peer_name, &entry);
	io_output_open(&r->peer_out, o->peer_out, 0644, 0);
	io_output_open(&r->session_out, o->session_out, 0600, 0);
	if (o->peer_identity_out != NULL)
		io_output_open(&r->identity_out, o->peer_identity_out, 0644, 0);
	if (o->peer_name_out != NULL)
		io_output_open(&r->name_out, o->peer_name_out, 0644, 0);
}

/* Hellos and proofs; the peer's identity shown once it is proven. */
static void
exchange_proofs(struct run *r)
{
	keyswap_conn_init(&r->conn, STDIN_FILENO, STDOUT_FILENO,
	    r->o->timeout);
	keyswap_run_hello_proof(&r->x, &r->conn, &r->identity, &r->session);
	key_fingerprint(&r->x.peer_identity, r->fingerprint);
	notice("peer identity %s", r->fingerprint);
}

/* Read the peer's verdict; return if it accepted, else die saying why. */
static void
receive_verdict(struct run *r)
{
	int value;

	switch ((value = keyswap_run_verdict(&r->x, &r->conn))) {
	case KEYSWAP_ACCEPT:
		r->peer_verdict_read = 1;
		return;
	case KEYSWAP_REFUSE:
		die(EXIT_AUTH, "peer refused the exchange");
	case KEYSWAP_REFUSE_NOT_ALLOWED:
		die(EXIT_AUTH, "peer refused: this identity (%s) is not on its "
		    "allow list; give the peer's operator your fingerprint",
		    r->own_fingerprint);
	default:
		/* Any other value is a refusal too, for a reason that a
		 * later version may name. */
		die(EXIT_AUTH, "peer refused the exchange (verdict %d)", value);
	}
}

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Catch what would end us at the prompt (without SA_RESTART, so the read
 * returns), so that we end by refusing, temporary files removed. */
static void
catch_interrupts(struct sigaction old[3], int on)
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		if (on)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
}

/* Best effort: a terminal we cannot write to will not answer either. */
static void
tty_write(int tty, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		w = write(tty, s, n);
		if (w < 0 && errno == EINTR && !interrupted)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/*
 * One line from the terminal into buf (size bytes), NUL-terminated and
 * without its newline; a longer line is read to its end and comes back
 * empty, which is no answer.  Returns 1 for a line, 0 at end of input or
 * when the terminal went away, -1 when a signal interrupted the read.
 */
static int
read_answer(int tty, char *buf, size_t size)
{
	size_t n = 0;
	int too_long = 0;
	ssize_t got;
	char c;

	for (;;) {
		got = read(tty, &c, 1);
		if (interrupted)
			return -1;
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
		else
			too_long = 1;
	}
	buf[too_long ? 0 : n] = '\0';
	return 1;
}

#define ANSWER_EOF (-1)
#define ANSWER_INTERRUPTED (-2)

/* The question ssh asks at first contact, until it has an answer: a
 * known_peer_answer other than OTHER, ANSWER_EOF or ANSWER_INTERRUPTED. */
static int
ask_on_tty(int tty, const char *name, const char *fingerprint)
{
	char line[ANSWER_MAX + 1], intro[KNOWN_PEERS_NAME_MAX + 160];
	const char *prompt = "Are you sure you want to continue connecting "
	    "(yes/no/[fingerprint])? ";
	int answer, got;

	/* Only what is typed after the question answers it. */
	(void)tcflush(tty, TCIFLUSH);
	snprintf(intro, sizeof(intro), "The authenticity of peer '%s' can't "
	    "be established.\nIts identity key fingerprint is %s.\n", name,
	    fingerprint);
	tty_write(tty, intro);
	for (;;) {
		tty_write(tty, prompt);
		if ((got = read_answer(tty, line, sizeof(line))) <= 0) {
			tty_write(tty, "\n");
			return got == 0 ? ANSWER_EOF : ANSWER_INTERRUPTED;
		}
		answer = known_peers_answer(line, fingerprint);
		if (answer != KNOWN_PEER_ANSWER_OTHER)
			return answer;
		prompt = "Please type 'yes', 'no' or the fingerprint: ";
	}
}

/*
 * A peer that refuses us sends its verdict at once; read it if it comes
 * within ASK_GRACE_MS, so nobody is asked about a peer that said no.  A
 * peer that is itself asking its user is not waited for.
 */
static void
peek_peer_verdict(struct run *r)
{
	if (keyswap_conn_ready(&r->conn, ASK_GRACE_MS))
		receive_verdict(r);
}

/* --ask: the user decides on the terminal; returns only on yes. */
static void
ask_first_contact(struct run *r)
{
	const char *name = r->o->name, *fp = r->fingerprint;
	struct sigaction old[3];
	int tty, answer;

	peek_peer_verdict(r);
	if ((tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		refuse(&r->conn, KEYSWAP_REFUSE, "unknown peer '%s' (%s) and "
		    "no terminal to ask on; pin it with --peer or accept it "
		    "with --accept-new", name, fp);
	catch_interrupts(old, 1);
	keyswap_conn_pause(&r->conn); /* a person's time is not the peer's */
	answer = ask_on_tty(tty, name, fp);
	keyswap_conn_resume(&r->conn);
	catch_interrupts(old, 0);
	close(tty);
	switch (answer) {
	case KNOWN_PEER_ANSWER_YES:
	case KNOWN_PEER_ANSWER_MATCH:
		return;
	case KNOWN_PEER_ANSWER_NO:
		refuse(&r->conn, KEYSWAP_REFUSE, "peer '%s' not trusted "
		    "(answered no)", name);
	case KNOWN_PEER_ANSWER_MISMATCH:
		refuse(&r->conn, KEYSWAP_REFUSE, "the fingerprint you typed "
		    "does not match peer '%s' (%s); not trusted", name, fp);
	case ANSWER_EOF:
		refuse(&r->conn, KEYSWAP_REFUSE, "peer '%s' not trusted (no "
		    "answer: end of input on the terminal)", name);
	default:
		refuse(&r->conn, KEYSWAP_REFUSE, "peer '%s' not trusted "
		    "(interrupted)", name);
	}
}

/* --known-peers: a changed key is refused, a new one as the policy says. */
static void
judge_known(struct run *r)
{
	const struct options *o = r->o;
	struct known_peer_entry entry;
	int status;

	status = known_peers_check(o->known_peers, o->name, r->fingerprint,
	    &entry);
	if (status == KNOWN_PEER_CHANGED)
		identity_changed(r, &entry);
	strcpy(r->peer_name, o->name);
	if (status == KNOWN_PEER_MATCH)
		return;
	if (o->new_peer == NEW_REFUSE)
		refuse(&r->conn, KEYSWAP_REFUSE, "unknown peer '%s' (%s) "
		    "refused: %s has no entry for it; pin it with --peer or "
		    "accept it with --accept-new", o->name, r->fingerprint,
		    o->known_peers);
	if (o->new_peer == NEW_ASK)
		ask_first_contact(r);
	r->record = 1;
}

/* --allowed: the list names the peer, or it is refused and told why. */
static void
judge_allowed(struct run *r)
{
	struct known_peer_entry entry;

	if (!known_peers_allowed(r->o->allowed, r->fingerprint, r->peer_name,
	    &entry))
		refuse(&r->conn, KEYSWAP_REFUSE_NOT_ALLOWED, "client %s is not "
		    "on the allow list %s", r->fingerprint, r->o->allowed);
	notice("peer is '%s' (%s:%lu)", r->peer_name, r->o->allowed,
	    entry.line);
}

/* Decide whether the verified identity is the peer we want; refuses
 * (status 1) if not.  Sets the display name for --peer-name-out. */
static void
judge_peer(struct run *r)
{
	const struct options *o = r->o;
	char expected[KEY_FINGERPRINT_LEN];

	/* Without a name from a file, the fingerprint is the name. */
	snprintf(r->peer_name, sizeof(r->peer_name), "%.*s",
	    SHORT_FINGERPRINT_LEN, r->fingerprint + FINGERPRINT_PREFIX_LEN);
	if (o->known_peers != NULL) {
		judge_known(r);
	} else if (o->allowed != NULL) {
		judge_allowed(r);
	} else if (o->peer != NULL) {
		if (r->x.peer_identity.spki_len != r->pinned.spki_len ||
		    memcmp(r->x.peer_identity.spki, r->pinned.spki,
		    r->pinned.spki_len) != 0) {
			key_fingerprint(&r->pinned, expected);
			refuse(&r->conn, KEYSWAP_REFUSE, "peer identity does "
			    "not match --peer (expected %s, got %s)", expected,
			    r->fingerprint);
		}
	} else {
		notice("warning: accepting a peer that was not verified; "
		    "compare its fingerprint %s with the peer over another "
		    "channel", r->fingerprint);
	}
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
	const struct options *o = r->o;
	struct known_peer_entry entry;
	int status;

	status = known_peers_record(o->known_peers, o->name, r->fingerprint,
	    &entry);
	if (status == KNOWN_PEER_CHANGED)
		identity_changed(r, &entry);
	if (status == KNOWN_PEER_NEW)
		notice("first contact with '%s': recorded %s in %s", o->name,
		    r->fingerprint, o->known_peers);
}

static void
write_pem(struct io_output *out, const struct rsa_key *key, const char *path,
    const char *what)
{
	size_t len;
	char *pem;

	if ((pem = key_public_pem(key, &len)) == NULL)
		die(EXIT_USAGE, "cannot encode the peer's %s key", what);
	io_write_all(out->fd, pem, len, path);
	free(pem);
}

static void
write_outputs(struct run *r)
{
	const struct options *o = r->o;

	write_pem(&r->peer_out, &r->x.peer_session, o->peer_out, "session");
	io_write_all(r->session_out.fd, r->x.t, sizeof(r->x.t), o->session_out);
	if (o->peer_identity_out != NULL) {
		/* For the caller to show, log or pin next time. */
		write_pem(&r->identity_out, &r->x.peer_identity,
		    o->peer_identity_out, "identity");
		io_output_commit(&r->identity_out);
	}
	if (o->peer_name_out != NULL) {
		io_write_all(r->name_out.fd, r->peer_name,
		    strlen(r->peer_name), o->peer_name_out);
		io_write_all(r->name_out.fd, "\n", 1, o->peer_name_out);
		io_output_commit(&r->name_out);
	}
	io_output_commit(&r->session_out);
	io_output_commit(&r->peer_out);
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
	if (r.record)
		record_first_contact(&r);
	write_outputs(&r);
	key_free(&r.session);
	key_free(&r.pinned);
	keyswap_state_free(&r.x);
}

/* --known-peers F --forget NAME: like ssh-keygen -R, no connection. */
static _Noreturn void
forget(const struct options *o)
{
	unsigned long n;

	n = known_peers_forget(o->known_peers, o->forget);
	if (n == 0)
		die(EXIT_AUTH, "no entry for '%s' in %s; nothing removed",
		    o->forget, o->known_peers);
	notice("removed %lu %s for '%s' from %s", n,
	    n == 1 ? "entry" : "entries", o->forget, o->known_peers);
	exit(EXIT_OK);
}

static void
check_forget(const struct options *o)
{
	if (o->known_peers == NULL)
		die(EXIT_USAGE, "--forget needs --known-peers FILE");
	if (!known_peers_valid_name(o->forget))
		die(EXIT_USAGE, "--forget: want 1 to %d printable characters "
		    "without spaces", KNOWN_PEERS_NAME_MAX);
	if (o->identity != NULL || o->session_key != NULL ||
	    o->peer_out != NULL || o->session_out != NULL ||
	    o->peer_identity_out != NULL || o->peer_name_out != NULL ||
	    o->peer != NULL || o->name != NULL || o->allowed != NULL ||
	    o->accept_any || o->new_peer_set || o->timeout_set ||
	    o->pass.file != NULL || o->pass.fd >= 0)
		die(EXIT_USAGE, "--forget takes only --known-peers: it edits "
		    "the file and uses no connection");
}

static void
check_outputs(const struct options *o)
{
	const char *out[4];
	int i, j;

	out[0] = o->peer_out;
	out[1] = o->session_out;
	out[2] = o->peer_identity_out;
	out[3] = o->peer_name_out;
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

static void
check_trust(const struct options *o)
{
	int modes;

	if ((o->known_peers == NULL) != (o->name == NULL))
		die(EXIT_USAGE, "--known-peers and --name go together");
	if (o->name != NULL && !known_peers_valid_name(o->name))
		die(EXIT_USAGE, "--name: want 1 to %d printable characters "
		    "without spaces", KNOWN_PEERS_NAME_MAX);
	modes = (o->peer != NULL) + (o->known_peers != NULL) +
	    (o->allowed != NULL) + o->accept_any;
	if (modes == 0)
		die(EXIT_USAGE, "refusing to trust an unknown peer: give "
		    "--peer, --known-peers with --name, --allowed or "
		    "--accept-any");
	if (modes > 1)
		die(EXIT_USAGE, "--peer, --known-peers, --allowed and "
		    "--accept-any exclude each other");
	if (o->new_peer_set && o->known_peers == NULL)
		die(EXIT_USAGE, "--ask, --accept-new and --refuse-new go with "
		    "--known-peers");
}

static void
set_new_peer(struct options *o, int policy)
{
	if (o->new_peer_set && o->new_peer != policy)
		die(EXIT_USAGE, "--ask, --accept-new and --refuse-new exclude "
		    "each other");
	o->new_peer = policy;
	o->new_peer_set = 1;
}

enum { OPT_IDENTITY = 256, OPT_SESSION_KEY, OPT_PEER_OUT, OPT_SESSION_OUT,
    OPT_PEER_IDENTITY_OUT, OPT_PEER_NAME_OUT, OPT_PEER, OPT_KNOWN_PEERS,
    OPT_NAME, OPT_ASK, OPT_ACCEPT_NEW, OPT_REFUSE_NEW, OPT_ALLOWED,
    OPT_FORGET, OPT_ACCEPT_ANY, OPT_TIMEOUT };

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
	{ "forget", required_argument, NULL, OPT_FORGET },
	{ "accept-any", no_argument, NULL, OPT_ACCEPT_ANY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
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
		return &o->peer;
	case OPT_KNOWN_PEERS:
		return &o->known_peers;
	case OPT_NAME:
		return &o->name;
	case OPT_ALLOWED:
		return &o->allowed;
	case OPT_FORGET:
		return &o->forget;
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
			set_new_peer(o, NEW_ASK);
			break;
		case OPT_ACCEPT_NEW:
			set_new_peer(o, NEW_RECORD);
			break;
		case OPT_REFUSE_NEW:
			set_new_peer(o, NEW_REFUSE);
			break;
		case OPT_ACCEPT_ANY:
			o->accept_any = 1;
			break;
		case OPT_TIMEOUT:
			o->timeout = parse_timeout(optarg);
			o->timeout_set = 1;
			break;
		default:
			option_default(ch, optarg, &o->pass, help, usage);
		}
	}
	if (optind != argc)
		die(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
}

int
main(int argc, char *argv[])
{
	struct options o;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	memset(&o, 0, sizeof(o));
	o.timeout = DEFAULT_TIMEOUT;
	o.pass.fd = -1;
	parse_options(argc, argv, &o);
	if (o.forget != NULL) {
		check_forget(&o);
		forget(&o);
	}
	if (o.identity == NULL || o.session_key == NULL ||
	    o.peer_out == NULL || o.session_out == NULL)
		die(EXIT_USAGE, "--identity, --session-key, --peer-out and "
		    "--session-out are required");
	check_outputs(&o);
	check_trust(&o);
	keyswap(&o);
	return EXIT_OK;
}
