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

#include "cli.h"
#include "age/age.h"
#include "api/keyset.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/identity.h"
#include "keys/passphrase.h"
#include "stream/stream.h"

/* A -r key or a -R file, in command-line order. */
struct source {
	const char *path;
	int file;
};

enum { OPT_SESSION = 256, OPT_AGE };

static const struct option longopts[] = {
	{ "recipient", required_argument, NULL, 'r' },
	{ "recipients-file", required_argument, NULL, 'R' },
	{ "sign", required_argument, NULL, 's' },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "armor", no_argument, NULL, 'a' },
	{ "age", no_argument, NULL, OPT_AGE },
	{ "output", required_argument, NULL, 'o' },
	PASSPHRASE_LONG_OPTIONS,
	COMMON_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s -r PUB | -R FILE [-r PUB | -R FILE ...]"
	    " [-s PRIVATE]\n    [--session FILE] [--age] [-a] [-o OUT] [IN]\n",
	    progname);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	printf("usage: %s -r PUB | -R FILE [-r PUB | -R FILE ...]"
	    " [-s PRIVATE]\n    [--session FILE] [--age] [-a] [-o OUT] [IN]\n"
	    "Encrypt IN (default stdin) to each recipient; the stream goes"
	    " to OUT (default stdout).\n"
	    "  -r, --recipient PUB      recipient public key file, or an"
	    " \"ssh-rsa AAAA...\"\n"
	    "                           or (with --age) \"age1...\" key"
	    " itself (up to %d)\n"
	    "  -R, --recipients-file FILE  one public key a line (ssh-rsa,"
	    " authorized_keys,\n"
	    "                           GitHub's USER.keys, age1...); - is"
	    " stdin\n"
	    "  -s, --sign PRIVATE       sign the stream with this private key,"
	    " or with a key\n"
	    "                           ssh-agent holds: agent:SHA256:FP or"
	    " agent:FILE.pub\n"
	    "      --session FILE       bind to a keyswap session (32 bytes)\n"
	    "      --age                write an age v1 file (age -d opens it)"
	    "\n"
	    "  -a, --armor              ASCII armor (PEM-style, or age's with"
	    " --age)\n"
	    "  -o, --output OUT         write OUT all-or-nothing\n"
	    "      --passphrase-file F  passphrase for encrypted keys\n"
	    "      --passphrase-fd N    passphrase from descriptor N\n"
	    "Exit status: 0 success; 2 usage, key file or I/O error;\n"
	    "141 the reader of OUT left.\n",
	    progname, STREAM_MAX_RECIPIENTS);
	flush_stdout();
	exit(EXIT_OK);
}

/* A recipients file's skipped lines are said, and the work goes on. */
static void
warn(void *ctx, const char *msg)
{
	(void)ctx;
	notice("%s", msg);
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

/* What the command line asks for. */
struct args {
	struct source sources[STREAM_MAX_RECIPIENTS];
	size_t nsrc;
	struct passphrase_source pass;
	const char *sign_path, *session_path, *input, *output;
	int armor, age;
};

static void
add_source(struct args *a, const char *path, int file)
{
	if (a->nsrc == STREAM_MAX_RECIPIENTS)
		die(EXIT_USAGE, "too many recipients (at most %d)",
		    STREAM_MAX_RECIPIENTS);
	a->sources[a->nsrc].path = path;
	a->sources[a->nsrc++].file = file;
}

/* Options into a; returns the index of the first operand. */
static int
parse_options(int argc, char **argv, struct args *a)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hr:R:s:ao:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r':
		case 'R':
			add_source(a, optarg, ch == 'R');
			break;
		case 's':
			option_once(&a->sign_path, optarg, "-s");
			break;
		case OPT_SESSION:
			option_once(&a->session_path, optarg, "--session");
			break;
		case OPT_AGE:
			a->age = 1;
			break;
		case 'a':
			a->armor = 1;
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

/* What the options mean together, before any key is read. */
static void
check_args(const struct args *a)
{
	if (a->nsrc == 0)
		die(EXIT_USAGE, "no recipient: give at least one -r PUB or "
		    "-R FILE");
	if (a->age && a->sign_path != NULL)
		die(EXIT_USAGE, "-s cannot be used with --age: age files "
		    "have no sender signature");
	if (a->age && a->session_path != NULL)
		die(EXIT_USAGE, "--session cannot be used with --age: age "
		    "files are not bound to a session");
	check_stdin(a->sources, a->nsrc, a->input);
	/* As age does: binary on a terminal is noise, or worse. */
	if (!a->armor && (a->output == NULL || strcmp(a->output, "-") == 0)
	    && isatty(STDOUT_FILENO))
		die(EXIT_USAGE, "refusing to write binary ciphertext to a "
		    "terminal; use -a for armor or -o FILE");
}

/* Every -r and -R, in order, each key once. */
static void
load_recipients(struct recipient_set *set, const struct args *a)
{
	struct rp_error err;
	size_t i;
	int rc;

	for (i = 0; i < a->nsrc; i++) {
		if (a->sources[i].file)
			rc = keyset_add_recipients_file(set, a->sources[i].path,
			    a->age, warn, NULL, &err);
		else
			rc = keyset_add_recipient(set, a->sources[i].path,
			    a->age, &a->pass, &err);
		if (rc != 0)
			die_error(&err, EXIT_USAGE);
	}
}

static int
encrypt_stream(const struct args *a, const struct recipient_set *set,
    struct rp_error *err)
{
	struct stream_encrypt_options opt;
	struct identity *signer = NULL;
	unsigned char *session = NULL;
	int rc;

	memset(&opt, 0, sizeof(opt));
	opt.recipients = set;
	opt.armor = a->armor;
	opt.input = a->input;
	opt.output = a->output;
	if (a->sign_path != NULL &&
	    keyset_signer(a->sign_path, &a->pass, &signer, err) != 0)
		die_error(err, EXIT_USAGE);
	opt.signer = signer;
	if (a->session_path != NULL &&
	    stream_session_load(a->session_path, &session, err) != 0)
		die_error(err, EXIT_USAGE);
	opt.session = session;
	rc = stream_encrypt(&opt, err);
	secure_free(session);
	if (signer != NULL)
		signer->ops->free(signer);
	return rc;
}

static int
encrypt_age(const struct args *a, const struct recipient_set *set,
    struct rp_error *err)
{
	struct age_encrypt_options opt;

	memset(&opt, 0, sizeof(opt));
	opt.recipients = set;
	opt.armor = a->armor;
	opt.input = a->input;
	opt.output = a->output;
	return age_encrypt(&opt, err);
}

int
main(int argc, char **argv)
{
	static struct args a = { .pass = PASSPHRASE_SOURCE_INIT };
	static struct recipient_set set;
	struct rp_error err;
	int first, rc;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	first = parse_options(argc, argv, &a);
	if (argc - first > 1)
		usage();
	a.input = argc - first == 1 ? argv[first] : NULL;
	check_args(&a);
	load_recipients(&set, &a);
	rc = a.age ? encrypt_age(&a, &set, &err) :
	    encrypt_stream(&a, &set, &err);
	/* Whatever stops encryption is the environment's: status 2. */
	if (rc != 0)
		die_error(&err, EXIT_USAGE);
	recipient_set_free(&set);
	return EXIT_OK;
}
