/* SPDX-License-Identifier: ISC */
/*
 * cli.h: the programs' side of the error convention, and their shared
 * options.  Linked into every program (the tools, chat-term, the unit
 * tests and fuzz targets), never into lib/: the library returns a code
 * with a reason (core/error.h) and only a program prints it and exits.
 *
 * A program's main() calls rsapipe_init() (core/common.h) first; after
 * that it reports with notice() and ends with die(), die_gcry() or
 * die_error(), which wipe the secure pool and remove pending temporary
 * output files (atexit handlers) before the process goes.
 */
#ifndef RSAPIPE_CLI_H
#define RSAPIPE_CLI_H

#include <gcrypt.h>

#include "core/common.h"
#include "core/error.h"
#include "keys/passphrase.h"

/*
 * Print "progname: message" on stderr and exit with status.  If fmt ends
 * with ':' the errno text is appended, like OpenBSD's err(3).  Control
 * characters in the message are shown as '?'.
 */
_Noreturn void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As die(), appending ": " and the libgcrypt/libgpg-error text for err. */
_Noreturn void die_gcry(int status, gcry_error_t err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * The exit status a failure code means by default (doc/DESIGN.md): 2 for
 * RP_IO, RP_USAGE and RP_TIMEOUT (the environment), 141 (EXIT_PIPE)
 * for RP_CLOSED (the reader went away), 1 for every code
 * that says the data, a key or a signer is wrong.  A tool that loads a
 * key file passes EXIT_USAGE itself: a bad key file is status 2.
 */
int exit_status_of(int code);
/* die() with err's reason; status < 0 means exit_status_of(err->code).
 * RP_CLOSED (the reader of the output went away) prints nothing and
 * exits EXIT_PIPE (141), whatever status says. */
_Noreturn void die_error(const struct rp_error *err, int status);
/* Flush stdout and check it (io_stdout_flush()), or die (status 2):
 * a full disk must not look like success. */
void flush_stdout(void);
/* A one-line notice on stderr, prefixed with the program name. */
void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print --version text and exit 0. */
_Noreturn void print_version(void);
/* An option that may be given once: set *slot, or die (EXIT_USAGE)
 * "OPTION given twice" rather than silently keep the last. */
void option_once(const char **slot, const char *value, const char *option);

/*
 * --help and --version, for the getopt_long table of every program that
 * has them (and takes -h too).  Their values stay clear of the programs'
 * own and of PASSPHRASE_LONG_OPTIONS'.
 */
#define COMMON_OPT_HELP 0x5101
#define COMMON_OPT_VERSION 0x5102
#define COMMON_LONG_OPTIONS \
	{ "help", no_argument, NULL, COMMON_OPT_HELP }, \
	{ "version", no_argument, NULL, COMMON_OPT_VERSION }

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
 * option is recorded in src by passphrase_option() (dying, status 2, on
 * a bad one; src NULL: the program has none); anything else calls
 * usage().  help and usage print and exit, never return:
 * option_default() returns only after a passphrase option.
 */
void option_default(int opt, const char *arg, struct passphrase_source *src,
    void (*help)(void), void (*usage)(void));

#endif
