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

#include "age/age.h"
#include "core/common.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keys/passphrase.h"
#include "api/recipients.h"
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
	    "  -s, --sign PRIVATE       sign the stream with this private key\n"
	    "      --session FILE       bind to a keyswap session (32 bytes)\n"
	    "      --age                write an age v1 file (age -d opens it)"
	    "\n"
	    "  -a, --armor              ASCII armor (PEM-style, or age's with"
	    " --age)\n"
	    "  -o, --output OUT         write OUT all-or-nothing\n"
	    "      --passphrase-file F  passphrase for encrypted keys\n"
	    "      --passphrase-fd N    passphrase from descriptor N\n"
	    "Exit status: 0 success; 2 usage, key file or I/O error.\n",
	    progname, STREAM_MAX_RECIPIENTS);
	io_close_stdout();
	exit(EXIT_OK);
}

/* Every recipient, each once: RSA keys (either format) and, for --age,
 * age's X25519 keys. */
struct recipients {
	struct rsa_key rsa[STREAM_MAX_RECIPIENTS];
	size_t nrsa;
	unsigned char x25519[STREAM_MAX_RECIPIENTS][AGE_X25519_LEN];
	size_t nx25519;
};

static void
check_room(const struct recipients *set, const char *name)
{
	if (set->nrsa + set->nx25519 == STREAM_MAX_RECIPIENTS)
		die(EXIT_USAGE, "%s: too many recipients (at most %d)", name,
		    STREAM_MAX_RECIPIENTS);
}

/* Add key unless the same key is there already (a file and a -r may
 * both name it). */
static void
add_rsa(struct recipients *set, struct rsa_key *key, const char *name)
{
	size_t i;

	for (i = 0; i < set->nrsa; i++)
		if (memcmp(set->rsa[i].id, key->id, KEY_ID_LEN) == 0) {
			key_free(key);
			return;
		}
	check_room(set, name);
	set->rsa[set->nrsa++] = *key;
}

static void
add_x25519(struct recipients *set, const unsigned char key[AGE_X25519_LEN],
    const char *name)
{
	size_t i;

	for (i = 0; i < set->nx25519; i++)
		if (memcmp(set->x25519[i], key, AGE_X25519_LEN) == 0)
			return;
	check_room(set, name);
	memcpy(set->x25519[set->nx25519++], key, AGE_X25519_LEN);
}

/* Every usable key of a recipients file; other key types are skipped
 * with a warning, anything malformed stops with FILE:LINE. */
static void
load_recipients_file(const char *path, struct recipients *set, int age)
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
		if (r.kind == RECIPIENT_OTHER || (r.kind == RECIPIENT_AGE &&
		    !age)) {
			notice("%s:%zu: skipping the %s key: %s", name, r.lineno,
			    r.type, age ? "--age writes to ssh-rsa and age1 "
			    "keys only" : r.kind == RECIPIENT_AGE ? "age keys "
			    "need --age" : "only RSA keys can be recipients");
			continue;
		}
		found++;
		if (r.kind == RECIPIENT_AGE)
			add_x25519(set, r.x25519, name);
		else
			add_rsa(set, &key, name);
	}
	secure_free(buf);
	if (rc < 0)
		die(EXIT_USAGE, "%s:%zu: %s", name, r.lineno,
		    why != NULL ? why : "bad line");
	if (found == 0)
		die(EXIT_USAGE, "%s: no %s in the file", name,
		    age ? "ssh-rsa or age1 key" : "RSA public key");
}

/* A -r operand: an "age1..." or "ssh-rsa AAAA..." key itself, as age
 * takes them, or a key file. */
static void
load_recipient(const char *arg, struct recipients *set, int age,
    const struct passphrase_source *pass)
{
	unsigned char x25519[AGE_X25519_LEN];
	struct rsa_key key;
	const char *why = NULL;

	if (strncmp(arg, "age1", 4) == 0) {
		if (!age)
			die(EXIT_USAGE, "%s: an age recipient needs --age", arg);
		if (age_x25519_recipient_parse(x25519, arg, strlen(arg),
		    &why) != 0)
			die(EXIT_USAGE, "%s: %s", arg, why);
		add_x25519(set, x25519, arg);
	} else if (strncmp(arg, "ssh-rsa ", 8) == 0) {
		if (key_parse_public(&key, (const unsigned char *)arg,
		    strlen(arg), pass, &why) != 0)
			die(EXIT_USAGE, "recipient \"%.20s...\": %s", arg, why);
		add_rsa(set, &key, "ssh-rsa recipient");
	} else {
		key_load_public(&key, arg, pass);
		add_rsa(set, &key, arg);
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

static void
encrypt_stream(const struct args *a, const struct recipients *set)
{
	struct stream_encrypt_options opt;
	struct rsa_key signer;
	unsigned char *session = NULL;

	memset(&opt, 0, sizeof(opt));
	opt.recipients = set->rsa;
	opt.nrecipients = set->nrsa;
	opt.armor = a->armor;
	opt.input = a->input;
	opt.output = a->output;
	if (a->sign_path != NULL) {
		memset(&signer, 0, sizeof(signer));
		key_load_private(&signer, a->sign_path, &a->pass);
		opt.signer = &signer;
	}
	if (a->session_path != NULL)
		session = stream_session_load(a->session_path);
	opt.session = session;
	stream_encrypt(&opt);
	secure_free(session);
	if (opt.signer != NULL)
		key_free(&signer);
}

static void
encrypt_age(const struct args *a, const struct recipients *set)
{
	struct age_encrypt_options opt;

	memset(&opt, 0, sizeof(opt));
	opt.rsa = set->rsa;
	opt.nrsa = set->nrsa;
	opt.x25519 = (const unsigned char (*)[AGE_X25519_LEN])set->x25519;
	opt.nx25519 = set->nx25519;
	opt.armor = a->armor;
	opt.input = a->input;
	opt.output = a->output;
	age_encrypt(&opt);
}

int
main(int argc, char **argv)
{
	static struct args a = { .pass = PASSPHRASE_SOURCE_INIT };
	static struct recipients set;
	size_t i;
	int first;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	first = parse_options(argc, argv, &a);
	if (argc - first > 1)
		usage();
	a.input = argc - first == 1 ? argv[first] : NULL;
	check_args(&a);
	for (i = 0; i < a.nsrc; i++)
		if (a.sources[i].file)
			load_recipients_file(a.sources[i].path, &set, a.age);
		else
			load_recipient(a.sources[i].path, &set, a.age, &a.pass);
	if (a.age)
		encrypt_age(&a, &set);
	else
		encrypt_stream(&a, &set);
	for (i = 0; i < set.nrsa; i++)
		key_free(&set.rsa[i]);
	return EXIT_OK;
}
