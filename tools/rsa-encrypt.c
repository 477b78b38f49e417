/* SPDX-License-Identifier: ISC */
/*
 * rsa-encrypt: encrypt a stream to one or more RSA public keys, with an
 * optional sender signature and session binding.  See rsa-encrypt(1).
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

enum { OPT_SESSION = 256, OPT_HELP, OPT_VERSION };

static const struct option longopts[] = {
	{ "recipient", required_argument, NULL, 'r' },
	{ "sign", required_argument, NULL, 's' },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "armor", no_argument, NULL, 'a' },
	{ "output", required_argument, NULL, 'o' },
	PASSPHRASE_LONG_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s -r PUB [-r PUB ...] [-s PRIVATE]"
	    " [--session FILE] [-a] [-o OUT] [IN]\n", progname);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	printf("usage: %s -r PUB [-r PUB ...] [-s PRIVATE] [--session FILE]"
	    " [-a] [-o OUT] [IN]\n"
	    "Encrypt IN (default stdin) to each recipient; the stream goes"
	    " to OUT (default stdout).\n"
	    "  -r, --recipient PUB      recipient public key (up to %d)\n"
	    "  -s, --sign PRIVATE       sign the stream with this private key\n"
	    "      --session FILE       bind to a keyswap session (32 bytes)\n"
	    "  -a, --armor              PEM-style ASCII armor\n"
	    "  -o, --output OUT         write OUT all-or-nothing\n"
	    "      --passphrase-file F  passphrase for encrypted keys\n"
	    "      --passphrase-fd N    passphrase from descriptor N\n"
	    "Exit status: 0 success; 2 usage, key file or I/O error.\n",
	    progname, STREAM_MAX_RECIPIENTS);
	io_close_stdout();
	exit(EXIT_OK);
}

int
main(int argc, char **argv)
{
	static struct rsa_key recipients[STREAM_MAX_RECIPIENTS];
	const char *recipient_paths[STREAM_MAX_RECIPIENTS];
	struct passphrase_source pass = PASSPHRASE_SOURCE_INIT;
	struct stream_encrypt_options opt;
	struct rsa_key signer;
	const char *sign_path = NULL, *session_path = NULL;
	unsigned char *session = NULL;
	size_t n = 0, i;
	int ch;

	rsapipe_init(argv[0]);
	memset(&opt, 0, sizeof(opt));
	while ((ch = getopt_long(argc, argv, "r:s:ao:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (n == STREAM_MAX_RECIPIENTS)
				die(EXIT_USAGE, "too many recipients (at most %d)",
				    STREAM_MAX_RECIPIENTS);
			recipient_paths[n++] = optarg;
			break;
		case 's':
			sign_path = optarg;
			break;
		case OPT_SESSION:
			session_path = optarg;
			break;
		case 'a':
			opt.armor = 1;
			break;
		case 'o':
			opt.output = optarg;
			break;
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
	if (n == 0)
		die(EXIT_USAGE, "no recipient: give at least one -r PUB");
	opt.input = argc == 1 ? argv[0] : NULL;

	for (i = 0; i < n; i++)
		key_load_public(&recipients[i], recipient_paths[i], &pass);
	opt.recipients = recipients;
	opt.nrecipients = n;
	if (sign_path != NULL) {
		memset(&signer, 0, sizeof(signer));
		key_load_private(&signer, sign_path, &pass);
		opt.signer = &signer;
	}
	if (session_path != NULL)
		session = stream_session_load(session_path);
	opt.session = session;

	stream_encrypt(&opt);

	if (session != NULL)
		secure_free(session);
	if (sign_path != NULL)
		key_free(&signer);
	for (i = 0; i < n; i++)
		key_free(&recipients[i]);
	return EXIT_OK;
}
