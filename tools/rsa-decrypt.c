/* SPDX-License-Identifier: ISC */
/*
 * rsa-decrypt: decrypt an rsapipe stream, or an age v1 file, with one
 * of the given private keys, releasing each record (chunk) only after
 * it authenticated.  See rsa-decrypt(1).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "api/decrypt.h"
#include "api/keyset.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/identity.h"
#include "keys/passphrase.h"

#define MAX_IDENTITIES KEYSET_MAX_IDENTITIES

enum { OPT_FROM = 256, OPT_SESSION, OPT_STOP_AT_FINAL, OPT_STATUS_FD };

static const struct option longopts[] = {
	{ "identity", required_argument, NULL, 'i' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "stop-at-final", no_argument, NULL, OPT_STOP_AT_FINAL },
	{ "status-fd", required_argument, NULL, OPT_STATUS_FD },
	{ "output", required_argument, NULL, 'o' },
	PASSPHRASE_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [-i PRIVATE ...] [--from PUB]"
	    " [--session FILE] [--stop-at-final] [--status-fd N] [-o OUT]"
	    " [IN]\n", progname);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	printf("usage: %s [-i PRIVATE ...] [--from PUB]"
	    " [--session FILE] [--stop-at-final] [-o OUT] [IN]\n"
	    "Decrypt an rsapipe stream or an age v1 file (binary or armored)"
	    " from IN\n(default stdin) to OUT (default stdout).\n"
	    "  -i, --identity PRIVATE   private key(s) to try (up to %d keys"
	    " in all): RSA\n"
	    "                           keys, or age identity files"
	    " (AGE-SECRET-KEY-1...)\n"
	    "      --from PUB           require a signature by this key\n"
	    "      --session FILE       the keyswap session the stream is bound to\n"
	    "      --stop-at-final      end at the final record, not at end of input\n"
	    "      --status-fd N        how the stream ended, one word to"
	    " descriptor N\n"
	    "  -o, --output OUT         write OUT all-or-nothing\n"
	    "      --passphrase-file F  passphrase for encrypted keys (and"
	    " age's scrypt)\n"
	    "      --passphrase-fd N    passphrase from descriptor N\n"
	    "Exit status: 0 success; 1 authentication failed (wrong key,"
	    " tampered,\ntruncated, malformed, wrong signer or session); 2"
	    " usage, key file or I/O error;\n141 the reader of OUT left.\n",
	    progname, MAX_IDENTITIES);
	flush_stdout();
	exit(EXIT_OK);
}

/* What the command line asks for. */
struct args {
	const char *identity_paths[MAX_IDENTITIES];
	size_t npaths;
	struct passphrase_source pass;
	const char *from_path, *session_path, *input, *output;
	int stop_at_final;
	int status_fd;
};

/* --status-fd N: an open descriptor other than 0-2. */
static int
status_fd_arg(const char *arg)
{
	char *end;
	long fd;

	fd = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || fd < 3 || fd > 65535 ||
	    fcntl((int)fd, F_GETFD) == -1)
		die(EXIT_USAGE, "--status-fd %s: not an open descriptor above 2",
		    arg);
	return (int)fd;
}

/*
 * The status descriptor (doc/FORMAT.md section 5): one word, once, says
 * how the stream ended.  "FAILED" is said at exit, whatever ended the
 * program, unless "FINAL" or "TRUNCATED" was said first.
 */
static int status_fd = -1;

static void
status_word(const char *word)
{
	if (status_fd < 0)
		return;
	(void)!write(status_fd, word, strlen(word));
	status_fd = -1;
}

static void
status_failed(void)
{
	status_word("FAILED\n");
}

/* Options into a; returns the index of the first operand. */
static int
parse_options(int argc, char **argv, struct args *a)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hi:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (a->npaths == MAX_IDENTITIES)
				die(EXIT_USAGE, "too many identities (at most %d)",
				    MAX_IDENTITIES);
			a->identity_paths[a->npaths++] = optarg;
			break;
		case OPT_FROM:
			option_once(&a->from_path, optarg, "--from");
			break;
		case OPT_SESSION:
			option_once(&a->session_path, optarg, "--session");
			break;
		case OPT_STOP_AT_FINAL:
			a->stop_at_final = 1;
			break;
		case OPT_STATUS_FD:
			a->status_fd = status_fd_arg(optarg);
			break;
		case 'o':
			option_once(&a->output, optarg, "-o");
			break;
		default:
			option_default(ch, optarg, &a->pass, help, usage);
		}
	}
	return optind;
}

/* Every -i, then age's passphrase identity (for scrypt files). */
static void
load_identities(struct identity_set *ids, const struct args *a)
{
	struct rp_error err;
	size_t i;

	for (i = 0; i < a->npaths; i++)
		if (keyset_add_identity(ids, a->identity_paths[i],
		    &a->pass, &err) != 0)
			die_error(&err, EXIT_USAGE);
	keyset_add_passphrase(ids, &a->pass);
}

int
main(int argc, char **argv)
{
	static struct args a = { .pass = PASSPHRASE_SOURCE_INIT,
	    .status_fd = -1 };
	static struct identity_set ids;
	struct decrypt_request req;
	struct rp_error err;
	int first;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	first = parse_options(argc, argv, &a);
	if (a.status_fd >= 0) {
		status_fd = a.status_fd;
		atexit(status_failed);
	}
	if (argc - first > 1)
		usage();
	memset(&req, 0, sizeof(req));
	req.input = a.input = argc - first == 1 ? argv[first] : NULL;
	if ((req.fd = io_input_open(a.input, &err)) < 0)
		die_error(&err, EXIT_USAGE);
	/* Only an age file with a passphrase needs no -i: a person typing
	 * neither key nor file is told at once. */
	if (a.npaths == 0 && isatty(req.fd))
		die(EXIT_USAGE, "no identity: give at least one -i PRIVATE");
	load_identities(&ids, &a);
	req.identities = &ids;
	req.pass = &a.pass;
	req.from_path = a.from_path;
	req.session_path = a.session_path;
	req.stop_at_final = a.stop_at_final;
	req.stream_only = a.status_fd >= 0;
	req.output = a.output;
	if (decrypt_file(&req, &err) != 0) {
		/* RP_MORE: the input ended before the final record. */
		if (err.code == RP_MORE)
			status_word("TRUNCATED\n");
		die_error(&err, -1);
	}
	status_word("FINAL\n");
	identity_set_free(&ids);
	return EXIT_OK;
}
