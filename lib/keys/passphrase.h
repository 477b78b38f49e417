/* SPDX-License-Identifier: ISC */
/*
 * passphrase.h: where a passphrase comes from.  Every program that loads
 * or writes a private key accepts --passphrase-file F and --passphrase-fd N
 * and otherwise prompts on /dev/tty without echo.  The programs' option
 * switches end in option_default(), which takes these two options with
 * --help and --version.
 */
#ifndef RSAPIPE_PASSPHRASE_H
#define RSAPIPE_PASSPHRASE_H

#include <stddef.h>

#define PASSPHRASE_MAX 1024

struct passphrase_source {
	const char *file; /* --passphrase-file, or NULL */
	int fd;           /* --passphrase-fd, or -1 */
	const char *key_name; /* the key file, for the prompt; or NULL */
};

#define PASSPHRASE_SOURCE_INIT { NULL, -1, NULL }

/*
 * Obtain a passphrase: the first line of the file or fd (without its
 * newline), or a no-echo prompt on /dev/tty (asked twice when confirm is
 * set).  Returns a NUL-terminated string in secure memory; free with
 * passphrase_free().  Dies (EXIT_USAGE) when no source is usable (no
 * terminal), the input is empty, or the two entries differ.
 */
char *passphrase_get(const struct passphrase_source *src, const char *prompt,
    int confirm);
void passphrase_free(char *pass);

/* Parse the argument of --passphrase-fd; dies (EXIT_USAGE) if invalid. */
int passphrase_parse_fd(const char *arg);

/*
 * The two long options, for any getopt_long table, and their handler, so
 * every program spells and checks them the same way.
 * passphrase_option() returns 1 if ch was one of them (recorded in src;
 * dies on a bad fd or when both are given), else 0.
 */
#define PASSPHRASE_OPT_FILE 0x5001
#define PASSPHRASE_OPT_FD 0x5002
#define PASSPHRASE_LONG_OPTIONS \
	{ "passphrase-file", required_argument, NULL, PASSPHRASE_OPT_FILE }, \
	{ "passphrase-fd", required_argument, NULL, PASSPHRASE_OPT_FD }
int passphrase_option(struct passphrase_source *src, int opt,
    const char *arg);

/*
 * The default arm of a program's option switch, so that every program
 * ends it the same way:
 *
 *	static const struct option longopts[] = {
 *		...
 *		PASSPHRASE_LONG_OPTIONS,
 *		COMMON_LONG_OPTIONS,
 *		...
 *	};
 *	...
 *	default:
 *		option_default(ch, optarg, &pass, help, usage);
 *
 * -h and --help call help(), --version print_version(); a passphrase
 * option is recorded in src, as by passphrase_option() (src NULL: the
 * program has none); anything else calls usage().  help and usage print
 * and exit, never return: option_default() returns only after a
 * passphrase option.
 */
void option_default(int opt, const char *arg, struct passphrase_source *src,
    void (*help)(void), void (*usage)(void));

#endif
