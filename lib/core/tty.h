/* SPDX-License-Identifier: ISC */
/*
 * tty.h: the one question asked on /dev/tty, for a passphrase (no echo)
 * and for keyswap's first-contact question (echoed).
 *
 * The question goes to the terminal, never to stdout or stderr, which
 * may be a pipe or the connection; while it waits, SIGINT, SIGTERM and
 * SIGHUP interrupt the read (they do not kill the process half-way with
 * echo off): the terminal is put back and the caller is told which
 * signal came, to give up in its own way.
 */
#ifndef RSAPIPE_TTY_H
#define RSAPIPE_TTY_H

#include <stddef.h>

struct rp_error;

#define TTY_SECRET 1 /* echo off: a passphrase */
#define TTY_FLUSH 2  /* only what is typed after the question answers it */

/*
 * Write text (the question, which may be several lines) on /dev/tty and
 * read one line into buf (size bytes), NUL-terminated, without its
 * newline or a CR before it.  Returns the line's length, or:
 *	RP_USAGE   there is no terminal (reason "no terminal");
 *	RP_MORE    end of input, or the terminal went away;
 *	RP_REFUSED the line is longer than size - 1 bytes (it is read to
 *	           its end; buf is wiped and empty);
 *	RP_IO      the terminal failed, or a signal interrupted the read
 *	           (*signo is then that signal, else 0).
 * buf may be secure memory: nothing of the line is kept elsewhere.
 */
int tty_ask(const char *text, char *buf, size_t size, int flags,
    int *signo, struct rp_error *err);

#endif
