/* SPDX-License-Identifier: ISC */
/*
 * rsa-keygen: make an RSA key pair, print the public half of a private
 * key, or print a key's fingerprint.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/common.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keys/passphrase.h"

#define DEFAULT_PRIVATE "private.pem"
#define DEFAULT_PUBLIC "public.pem"

enum { OPT_PUBLIC = 0x100, OPT_ENCRYPT };

static const char usage_text[] =
    "usage: rsa-keygen [-q] [-b bits] [-o private] [--public public]\n"
    "                  [--encrypt | --passphrase-file file | "
    "--passphrase-fd fd]\n"
    "       rsa-keygen -y [private]\n"
    "       rsa-keygen -l [key]\n";

static _Noreturn void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EXIT_USAGE);
}

static _Noreturn void
help(void)
{
	fputs(usage_text, stdout);
	flush_stdout();
	exit(EXIT_OK);
}

static unsigned int
parse_bits(const char *arg)
{
	char *end;
	long v;

	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || v < KEY_MIN_BITS ||
	    v > KEY_MAX_BITS)
		die(EXIT_USAGE, "key size must be %d to %d bits: %s",
		    KEY_MIN_BITS, KEY_MAX_BITS, arg);
	return (unsigned int)v;
}

/* How a path is named in messages: "-" is standard output. */
static const char *
display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard output" : path;
}

static void
generate(unsigned int bits, const char *privpath, const char *pubpath,
    const struct passphrase_source *pass, int encrypt, int quiet)
{
	struct io_output privout, pubout;
	struct rsa_key key;
	struct rp_error err;
	char *pem, *passphrase = NULL, fp[KEY_FINGERPRINT_LEN];
	size_t len;

	if (strcmp(privpath, "-") == 0 && isatty(STDOUT_FILENO))
		die(EXIT_USAGE, "refusing to print a private key to a terminal");
	/* Everything that can fail cheaply fails before the slow part:
	 * existing files are refused, the passphrase is asked for. */
	if (io_output_create(&privout, privpath, 0600, 1, &err) != 0 ||
	    (pubpath != NULL && io_output_create(&pubout, pubpath, 0644, 1,
	    &err) != 0) || (encrypt && passphrase_read(pass, "Passphrase for "
	    "the new private key: ", 1, &passphrase, &err) != 0))
		die_error(&err, EXIT_USAGE);

	key_generate(&key, bits);
	pem = key_private_pem(&key, passphrase, &len);
	if (passphrase != NULL)
		passphrase_free(passphrase);
	if (io_write(privout.fd, pem, len, display_name(privpath), &err) != 0)
		die_error(&err, EXIT_USAGE);
	secure_free(pem);
	if (pubpath != NULL) {
		pem = key_public_pem(&key, &len);
		if (io_write(pubout.fd, pem, len, pubpath, &err) != 0)
			die_error(&err, EXIT_USAGE);
		free(pem);
		/* Both files or neither: a private key whose public half
		 * could not be written would block the next attempt. */
		if (io_output_finish_pair(&privout, &pubout, &err) != 0)
			die_error(&err, EXIT_USAGE);
	} else if (io_output_finish(&privout, &err) != 0)
		die_error(&err, EXIT_USAGE);
	/* As ssh-keygen does, so it can be read out to a peer. */
	if (!quiet) {
		key_fingerprint(&key, fp);
		notice("%u %s (RSA) written to %s%s%s", key.nbits, fp,
		    display_name(privpath), pubpath != NULL ?
		    ", public key to " : "", pubpath != NULL ? pubpath : "");
	}
	key_free(&key);
}

static void
print_public(const char *path, const struct passphrase_source *pass)
{
	struct rsa_key key;
	struct rp_error err;
	char *pem;
	size_t len;

	if (key_read_private(&key, path, pass, &err) != 0)
		die_error(&err, EXIT_USAGE);
	pem = key_public_pem(&key, &len);
	if (io_write(STDOUT_FILENO, pem, len, "stdout", &err) != 0)
		die_error(&err, EXIT_USAGE);
	free(pem);
	key_free(&key);
}

static void
print_fingerprint(const char *path, const struct passphrase_source *pass)
{
	struct rsa_key key;
	struct rp_error err;
	char fp[KEY_FINGERPRINT_LEN];

	if (key_read_public(&key, path, pass, &err) != 0)
		die_error(&err, EXIT_USAGE);
	key_fingerprint(&key, fp);
	printf("%u %s (RSA)\n", key.nbits, fp);
	key_free(&key);
	flush_stdout();
}

struct options {
	struct passphrase_source pass;
	const char *privpath, *pubpath;
	unsigned int bits;
	int mode;      /* 'y', 'l', or 0 to generate */
	int encrypt, genopts, quiet;
};

/* The options into o; returns the index of the first operand. */
static int
parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		PASSPHRASE_LONG_OPTIONS,
		{ "public", required_argument, NULL, OPT_PUBLIC },
		{ "encrypt", no_argument, NULL, OPT_ENCRYPT },
		COMMON_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "b:ho:qyl", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			o->bits = parse_bits(optarg);
			o->genopts = 1;
			break;
		case 'o':
			o->privpath = optarg;
			o->genopts = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_PUBLIC:
			o->pubpath = optarg;
			o->genopts = 1;
			break;
		case OPT_ENCRYPT:
			o->encrypt = 1;
			o->genopts = 1;
			break;
		case 'y':
		case 'l':
			if (o->mode != 0 && o->mode != ch)
				usage();
			o->mode = ch;
			break;
		default:
			option_default(ch, optarg, &o->pass, help, usage);
		}
	}
	return optind;
}

/*
 * The files to write when none or only -o is named: private.pem and
 * public.pem, or PRIVATE and PRIVATE.pub (none for "-").  Returns the
 * name it made, to free(), or NULL.
 */
static char *
default_paths(struct options *o)
{
	char *defpub = NULL;

	if (o->privpath == NULL) {
		o->privpath = DEFAULT_PRIVATE;
		if (o->pubpath == NULL)
			o->pubpath = DEFAULT_PUBLIC;
	} else if (o->pubpath == NULL && strcmp(o->privpath, "-") != 0) {
		if (asprintf(&defpub, "%s.pub", o->privpath) < 0)
			die(EXIT_USAGE, "out of memory");
		o->pubpath = defpub;
	}
	return defpub;
}

int
main(int argc, char *argv[])
{
	struct options o = { PASSPHRASE_SOURCE_INIT, NULL, NULL,
	    KEY_DEFAULT_BITS, 0, 0, 0, 0 };
	const char *path;
	char *defpub;
	int first;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	first = parse_options(argc, argv, &o);
	argc -= first;
	argv += first;

	if (o.mode != 0) {
		if (o.genopts || argc > 1)
			usage();
		path = argc == 1 ? argv[0] : "-";
		if (o.mode == 'y')
			print_public(path, &o.pass);
		else
			print_fingerprint(path, &o.pass);
		return EXIT_OK;
	}
	if (argc != 0)
		usage();
	if (o.pass.file != NULL || o.pass.fd >= 0)
		o.encrypt = 1;
	defpub = default_paths(&o);
	generate(o.bits, o.privpath, o.pubpath, &o.pass, o.encrypt, o.quiet);
	free(defpub);
	return EXIT_OK;
}
