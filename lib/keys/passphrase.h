/* SPDX-License-Identifier: ISC */
/*
 * passphrase.h: where a passphrase comes from.  Every program that loads
 * or writes a private key accepts --passphrase-file F and --passphrase-fd N
 * and otherwise prompts on /dev/tty without echo.  The programs' option
 * switches end in option_default() (tools/cli.h), which takes these two
 * options with --help and --version.
 */
#ifndef RSAPIPE_PASSPHRASE_H
#define RSAPIPE_PASSPHRASE_H

#include <stddef.h>

struct rp_error;

#define PASSPHRASE_MAX 1024

struct passphrase_source {
	const char *file; /* --passphrase-file, or NULL */
	int fd;           /* --passphrase-fd, or -1 */
	const char *key_name; /* the key file, for the prompt; or NULL */
};

#define PASSPHRASE_SOURCE_INIT { NULL, -1, NULL }

/*
 * Obtain a passphrase: the first line of the file or fd (without its
 * newline), or a no-echo prompt on /dev/tty (core/tty.h; asked twice
 * when confirm is set).  Returns 0 with *pass a NUL-terminated string
 * in secure memory (free with passphrase_free()), or RP_USAGE when no
 * source is usable (no terminal), the input is empty or too long, or
 * the two entries differ, RP_IO when the source cannot be read.  A
 * signal at the prompt ends the process as it would have, the terminal
 * put back first.
 */
int passphrase_read(const struct passphrase_source *src, const char *prompt,
    int confirm, char **pass, struct rp_error *err);
void passphrase_free(char *pass);

/* The argument of --passphrase-fd: a descriptor that is open, or
 * RP_USAGE with the reason in err. */
int passphrase_parse_fd(const char *arg, struct rp_error *err);

/*
 * The two long options, for any getopt_long table, and their handler, so
 * every program spells and checks them the same way.
 * passphrase_option() returns 1 if opt was one of them (recorded in
 * src), 0 if not, or RP_USAGE (a bad fd, or both given).  The programs
 * call it through option_default() (tools/cli.h).
 */
#define PASSPHRASE_OPT_FILE 0x5001
#define PASSPHRASE_OPT_FD 0x5002
#define PASSPHRASE_LONG_OPTIONS \
	{ "passphrase-file", required_argument, NULL, PASSPHRASE_OPT_FILE }, \
	{ "passphrase-fd", required_argument, NULL, PASSPHRASE_OPT_FD }
int passphrase_option(struct passphrase_source *src, int opt,
    const char *arg, struct rp_error *err);


#endif
