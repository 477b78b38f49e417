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

#include "age.h"
#include "armor.h"
#include "common.h"
#include "filter.h"
#include "format.h"
#include "io.h"
#include "keys.h"
#include "passphrase.h"
#include "stream.h"

#define MAX_IDENTITIES 16
/* Enough to tell an age file from an rsapipe stream, blank lines
 * before an armored one included. */
#define PREFIX_MAX 4096

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
	    " usage, key file or I/O error.\n",
	    progname, MAX_IDENTITIES);
	io_close_stdout();
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

/* The keys to try: RSA private keys, and age's X25519 identities. */
struct identities {
	struct rsa_key rsa[MAX_IDENTITIES];
	size_t nrsa;
	struct age_x25519_identity x25519[MAX_IDENTITIES];
	size_t nx25519;
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

/* An age identity file: its AGE-SECRET-KEY-1 lines. */
static void
load_age_identities(struct identities *ids, const char *path,
    const unsigned char *buf, size_t len)
{
	const char *why = NULL;
	size_t n = 0, line = 0, room;

	room = MAX_IDENTITIES - ids->nrsa - ids->nx25519;
	if (age_identity_file_parse(&ids->x25519[ids->nx25519], room, &n, buf,
	    len, &line, &why) != 0)
		die(EXIT_USAGE, "%s:%zu: %s", strcmp(path, "-") == 0 ?
		    "stdin" : path, line, why);
	ids->nx25519 += n;
}

/* A file with several keys counts as that many -i. */
static void
load_identities(struct identities *ids, const struct args *a)
{
	unsigned char *buf;
	size_t i, len, room;

	for (i = 0; i < a->npaths; i++) {
		room = MAX_IDENTITIES - ids->nrsa - ids->nx25519;
		buf = io_read_file(a->identity_paths[i], KEY_FILE_MAX, &len);
		if (age_identity_file_detect(buf, len))
			load_age_identities(ids, a->identity_paths[i], buf, len);
		else
			ids->nrsa += key_parse_private_all(&ids->rsa[ids->nrsa],
			    room, buf, len, a->identity_paths[i], &a->pass);
		secure_free(buf);
	}
}

/* 1 if buf starts as an rsapipe stream, binary or armored. */
static int
is_stream(const unsigned char *buf, size_t len)
{
	return (len >= STREAM_MAGIC_LEN &&
	    memcmp(buf, STREAM_MAGIC, STREAM_MAGIC_LEN) == 0) ||
	    armor_detect(buf, len) == 1;
}

/*
 * Read the first bytes of the input, enough to tell what it is; 1 if it
 * is to be read as an age file.  With age identities and no RSA key
 * it can only be one: what age would say of it is the useful message
 * then.  With no key at all only an age file (its scrypt stanza) can
 * be opened.
 */
static int
read_prefix(int fd, const char *what, const struct identities *ids,
    unsigned char *buf, size_t *len)
{
	size_t r;
	int d;

	*len = 0;
	while ((d = age_detect(buf, *len)) < 0 && *len < PREFIX_MAX) {
		if ((r = io_read_some(fd, buf + *len, PREFIX_MAX - *len,
		    what)) == 0)
			break;
		*len += r;
	}
	if (d == 1 || ids->nrsa > 0)
		return d == 1;
	if (ids->nx25519 == 0)
		die(EXIT_USAGE, "no identity: give at least one -i PRIVATE");
	if (is_stream(buf, *len))
		die(EXIT_USAGE, "an rsapipe stream needs an RSA private key: "
		    "age identities open age files only");
	return 1;
}

static void
decrypt_stream(const struct args *a, const struct identities *ids, int fd,
    const unsigned char *prefix, size_t prefix_len)
{
	struct stream_decrypt_options opt;
	struct rsa_key from;
	unsigned char *session = NULL;

	memset(&opt, 0, sizeof(opt));
	opt.identities = ids->rsa;
	opt.nidentities = ids->nrsa;
	opt.stop_at_final = a->stop_at_final;
	opt.status_fd = a->status_fd;
	opt.input = a->input;
	opt.fd = fd;
	opt.prefix = prefix;
	opt.prefix_len = prefix_len;
	opt.output = a->output;
	if (a->from_path != NULL) {
		memset(&from, 0, sizeof(from));
		key_load_public(&from, a->from_path, &a->pass);
		opt.from = &from;
	}
	if (a->session_path != NULL)
		session = stream_session_load(a->session_path);
	opt.session = session;
	stream_decrypt(&opt);
	secure_free(session);
	if (opt.from != NULL)
		key_free(&from);
}

static void
decrypt_age(const struct args *a, const struct identities *ids, int fd,
    const unsigned char *prefix, size_t prefix_len)
{
	struct age_decrypt_options opt;

	if (a->from_path != NULL)
		die(EXIT_USAGE, "--from cannot be used with an age file: age "
		    "files have no sender signature");
	if (a->session_path != NULL)
		die(EXIT_USAGE, "--session cannot be used with an age file: age "
		    "files have no session");
	if (a->stop_at_final)
		die(EXIT_USAGE, "--stop-at-final cannot be used with an age "
		    "file: it is read to its end");
	if (a->status_fd >= 0)
		die(EXIT_USAGE, "--status-fd cannot be used with an age file");
	memset(&opt, 0, sizeof(opt));
	opt.rsa = ids->rsa;
	opt.nrsa = ids->nrsa;
	opt.x25519 = ids->x25519;
	opt.nx25519 = ids->nx25519;
	opt.pass = &a->pass;
	opt.fd = fd;
	opt.what = filter_name(a->input, "stdin");
	opt.prefix = prefix;
	opt.prefix_len = prefix_len;
	opt.output = a->output;
	age_decrypt(&opt);
}

int
main(int argc, char **argv)
{
	static struct args a = { .pass = PASSPHRASE_SOURCE_INIT,
	    .status_fd = -1 };
	static struct identities ids;
	static unsigned char prefix[PREFIX_MAX];
	size_t i, prefix_len;
	int first, fd;

	rsapipe_init(argv[0]);
	/* getopt names the program by argv[0]: the bare name, as ours. */
	argv[0] = (char *)progname;
	first = parse_options(argc, argv, &a);
	if (argc - first > 1)
		usage();
	a.input = argc - first == 1 ? argv[first] : NULL;
	fd = io_open_input(a.input);
	/* Only an age file with a passphrase needs no -i: a person typing
	 * neither key nor file is told at once. */
	if (a.npaths == 0 && isatty(fd))
		die(EXIT_USAGE, "no identity: give at least one -i PRIVATE");
	load_identities(&ids, &a);
	if (read_prefix(fd, filter_name(a.input, "stdin"), &ids, prefix,
	    &prefix_len))
		decrypt_age(&a, &ids, fd, prefix, prefix_len);
	else
		decrypt_stream(&a, &ids, fd, prefix, prefix_len);
	for (i = 0; i < ids.nrsa; i++)
		key_free(&ids.rsa[i]);
	for (i = 0; i < ids.nx25519; i++)
		age_x25519_identity_free(&ids.x25519[i]);
	return EXIT_OK;
}
