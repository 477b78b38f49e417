/* SPDX-License-Identifier: ISC */
/*
 * rsa-decrypt: decrypt an rsapipe stream with one of the given private
 * keys, releasing each record only after it authenticated.  See
 * rsa-decrypt(1).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "io.h"
#include "keys.h"
#include "passphrase.h"
#include "stream.h"

#define MAX_IDENTITIES 16

enum { OPT_FROM = 256, OPT_SESSION, OPT_STOP_AT_FINAL,
	OPT_HELP, OPT_VERSION };

static const struct option longopts[] = {
	{ "identity", required_argument, NULL, 'i' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "stop-at-final", no_argument, NULL, OPT_STOP_AT_FINAL },
	{ "output", required_argument, NULL, 'o' },
	PASSPHRASE_LONG_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s -i PRIVATE [-i PRIVATE ...] [--from PUB]"
	    " [--session FILE] [--stop-at-final] [-o OUT] [IN]\n", progname);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	printf("usage: %s -i PRIVATE [-i PRIVATE ...] [--from PUB]"
	    " [--session FILE] [--stop-at-final] [-o OUT] [IN]\n"
	    "Decrypt an rsapipe stream (binary or armored) from IN (default"
	    " stdin) to OUT (default stdout).\n"
	    "  -i, --identity PRIVATE   private key(s) to try (up to %d keys"
	    " in all)\n"
	    "      --from PUB           require a signature by this key\n"
	    "      --session FILE       the keyswap session the stream is bound to\n"
	    "      --stop-at-final      end at the final record, not at end of input\n"
	    "  -o, --output OUT         write OUT all-or-nothing\n"
	    "      --passphrase-file F  passphrase for encrypted keys\n"
	    "      --passphrase-fd N    passphrase from descriptor N\n"
	    "Exit status: 0 success; 1 authentication failed (wrong key,"
	    " tampered,\ntruncated, wrong signer or session); 2 usage, key"
	    " file or I/O error.\n",
	    progname, MAX_IDENTITIES);
	io_close_stdout();
	exit(EXIT_OK);
}

int
main(int argc, char **argv)
{
	static struct rsa_key identities[MAX_IDENTITIES];
	const char *identity_paths[MAX_IDENTITIES];
	struct passphrase_source pass = PASSPHRASE_SOURCE_INIT;
	struct stream_decrypt_options opt;
	struct rsa_key from;
	const char *from_path = NULL, *session_path = NULL;
	unsigned char *session = NULL;
	size_t npaths = 0, n = 0, i;
	int ch;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	memset(&opt, 0, sizeof(opt));
	while ((ch = getopt_long(argc, argv, "hi:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (npaths == MAX_IDENTITIES)
				die(EXIT_USAGE, "too many identities (at most %d)",
				    MAX_IDENTITIES);
			identity_paths[npaths++] = optarg;
			break;
		case OPT_FROM:
			option_once(&from_path, optarg, "--from");
			break;
		case OPT_SESSION:
			option_once(&session_path, optarg, "--session");
			break;
		case OPT_STOP_AT_FINAL:
			opt.stop_at_final = 1;
			break;
		case 'o':
			option_once(&opt.output, optarg, "-o");
			break;
		case 'h':
		case OPT_HELP:
			help();
		case OPT_VERSION:
			print_version();
		default:
			if (!passphrase_option(&pass, ch, optarg))
				usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (npaths == 0)
		die(EXIT_USAGE, "no identity: give at least one -i PRIVATE");
	opt.input = argc == 1 ? argv[0] : NULL;

	/* A file with several keys counts as that many -i. */
	for (i = 0; i < npaths; i++)
		n += key_load_private_all(&identities[n], MAX_IDENTITIES - n,
		    identity_paths[i], &pass);
	opt.identities = identities;
	opt.nidentities = n;
	if (from_path != NULL) {
		memset(&from, 0, sizeof(from));
		key_load_public(&from, from_path, &pass);
		opt.from = &from;
	}
	if (session_path != NULL)
		session = stream_session_load(session_path);
	opt.session = session;

	stream_decrypt(&opt);

	if (session != NULL)
		secure_free(session);
	if (from_path != NULL)
		key_free(&from);
	for (i = 0; i < n; i++)
		key_free(&identities[i]);
	return EXIT_OK;
}
