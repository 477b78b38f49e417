/* SPDX-License-Identifier: ISC */
/*
 * rsa-encrypt: encrypt a stream to one or more RSA public keys, with an
 * optional sender signature and session binding.  See rsa-encrypt(1).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "io.h"
#include "keys.h"
#include "passphrase.h"
#include "recipients.h"
#include "stream.h"

/* A -r key or a -R file, in command-line order. */
struct source {
	const char *path;
	int file;
};

enum { OPT_SESSION = 256, OPT_HELP, OPT_VERSION };

static const struct option longopts[] = {
	{ "recipient", required_argument, NULL, 'r' },
	{ "recipients-file", required_argument, NULL, 'R' },
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
	fprintf(stderr, "usage: %s -r PUB | -R FILE [-r PUB | -R FILE ...]"
	    " [-s PRIVATE]\n    [--session FILE] [-a] [-o OUT] [IN]\n",
	    progname);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	printf("usage: %s -r PUB | -R FILE [-r PUB | -R FILE ...]"
	    " [-s PRIVATE]\n    [--session FILE] [-a] [-o OUT] [IN]\n"
	    "Encrypt IN (default stdin) to each recipient; the stream goes"
	    " to OUT (default stdout).\n"
	    "  -r, --recipient PUB      recipient public key (up to %d)\n"
	    "  -R, --recipients-file FILE  one public key a line (ssh-rsa,"
	    " authorized_keys,\n"
	    "                           GitHub's USER.keys); - is stdin\n"
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

/* Add key unless the same key is there already (a file and a -r may
 * both name it). */
static void
add_recipient(struct rsa_key *keys, size_t *n, struct rsa_key *key,
    const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (memcmp(keys[i].id, key->id, KEY_ID_LEN) == 0) {
			key_free(key);
			return;
		}
	if (*n == STREAM_MAX_RECIPIENTS)
		die(EXIT_USAGE, "%s: too many recipients (at most %d)", name,
		    STREAM_MAX_RECIPIENTS);
	keys[(*n)++] = *key;
}

/* Every RSA key of a recipients file; other key types are skipped with
 * a warning, anything malformed stops with FILE:LINE. */
static void
load_recipients_file(const char *path, struct rsa_key *keys, size_t *n)
{
	struct recipients_reader r;
	struct rsa_key key;
	unsigned char *buf;
	const char *why = NULL, *name;
	size_t len, found = 0;
	int rc;

	name = strcmp(path, "-") == 0 ? "stdin" : path;
	buf = io_read_file(path, KEY_FILE_MAX, &len);
	recipients_init(&r, buf, len);
	while ((rc = recipients_next(&r, &key, &why)) > 0) {
		if (r.kind == RECIPIENT_OTHER) {
			notice("%s:%zu: skipping the %s key: only RSA keys can "
			    "be recipients", name, r.lineno, r.type);
			continue;
		}
		found++;
		add_recipient(keys, n, &key, name);
	}
	secure_free(buf);
	if (rc < 0)
		die(EXIT_USAGE, "%s:%zu: %s", name, r.lineno,
		    why != NULL ? why : "bad line");
	if (found == 0)
		die(EXIT_USAGE, "%s: no RSA public key in the file", name);
}

static void
load_recipients(const struct source *src, size_t nsrc, struct rsa_key *keys,
    size_t *n, const struct passphrase_source *pass)
{
	struct rsa_key key;
	size_t i;

	for (i = 0; i < nsrc; i++) {
		if (src[i].file) {
			load_recipients_file(src[i].path, keys, n);
			continue;
		}
		key_load_public(&key, src[i].path, pass);
		add_recipient(keys, n, &key, src[i].path);
	}
}

/* Standard input can feed one thing only. */
static void
check_stdin(const struct source *src, size_t nsrc, const char *input)
{
	size_t i, uses = input == NULL || strcmp(input, "-") == 0;

	for (i = 0; i < nsrc; i++)
		if (strcmp(src[i].path, "-") == 0 && ++uses > 1)
			die(EXIT_USAGE, "standard input can carry the plaintext"
			    " or one key or recipients file, not both: give "
			    "the plaintext as a file");
}

static void
add_source(struct source *src, size_t *nsrc, const char *path, int file)
{
	if (*nsrc == STREAM_MAX_RECIPIENTS)
		die(EXIT_USAGE, "too many recipients (at most %d)",
		    STREAM_MAX_RECIPIENTS);
	src[*nsrc].path = path;
	src[(*nsrc)++].file = file;
}

/* What the command line asks for. */
struct args {
	struct source sources[STREAM_MAX_RECIPIENTS];
	size_t nsrc;
	struct passphrase_source pass;
	const char *sign_path, *session_path;
};

/* Options into a and opt; returns the index of the first operand. */
static int
parse_options(int argc, char **argv, struct args *a,
    struct stream_encrypt_options *opt)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hr:R:s:ao:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r':
		case 'R':
			add_source(a->sources, &a->nsrc, optarg, ch == 'R');
			break;
		case 's':
			option_once(&a->sign_path, optarg, "-s");
			break;
		case OPT_SESSION:
			option_once(&a->session_path, optarg, "--session");
			break;
		case 'a':
			opt->armor = 1;
			break;
		case 'o':
			option_once(&opt->output, optarg, "-o");
			break;
		case 'h':
		case OPT_HELP:
			help();
		case OPT_VERSION:
			print_version();
		default:
			if (!passphrase_option(&a->pass, ch, optarg))
				usage();
		}
	}
	return optind;
}

int
main(int argc, char **argv)
{
	static struct rsa_key recipients[STREAM_MAX_RECIPIENTS];
	static struct args a = { .pass = PASSPHRASE_SOURCE_INIT };
	struct stream_encrypt_options opt;
	struct rsa_key signer;
	unsigned char *session = NULL;
	size_t n = 0, i;
	int first;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	memset(&opt, 0, sizeof(opt));
	first = parse_options(argc, argv, &a, &opt);
	if (argc - first > 1)
		usage();
	if (a.nsrc == 0)
		die(EXIT_USAGE, "no recipient: give at least one -r PUB or "
		    "-R FILE");
	opt.input = argc - first == 1 ? argv[first] : NULL;
	check_stdin(a.sources, a.nsrc, opt.input);
	/* As age does: binary on a terminal is noise, or worse. */
	if (!opt.armor && (opt.output == NULL || strcmp(opt.output, "-") == 0)
	    && isatty(STDOUT_FILENO))
		die(EXIT_USAGE, "refusing to write binary ciphertext to a "
		    "terminal; use -a for armor or -o FILE");

	load_recipients(a.sources, a.nsrc, recipients, &n, &a.pass);
	opt.recipients = recipients;
	opt.nrecipients = n;
	if (a.sign_path != NULL) {
		memset(&signer, 0, sizeof(signer));
		key_load_private(&signer, a.sign_path, &a.pass);
		opt.signer = &signer;
	}
	if (a.session_path != NULL)
		session = stream_session_load(a.session_path);
	opt.session = session;

	stream_encrypt(&opt);

	if (session != NULL)
		secure_free(session);
	if (a.sign_path != NULL)
		key_free(&signer);
	for (i = 0; i < n; i++)
		key_free(&recipients[i]);
	return EXIT_OK;
}
