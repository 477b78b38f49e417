/* SPDX-License-Identifier: ISC */
/*
 * chat-term: the person's side of a chat session.  Reads what the person
 * types (with line editing and history from libedit on a terminal) and
 * writes each line to the send descriptor, where rsa-encrypt makes it a
 * record; reads the verified lines rsa-decrypt releases on the receive
 * descriptor and shows them as "HH:MM name: text" above the line being
 * typed, which is redrawn intact.  See rsa-chat(1) for what a person
 * sees; the line protocol is in doc/CHAT.md.
 *
 * chat-term holds no key: everything it sends and receives has been or
 * will be encrypted and authenticated by the programs on either side.
 * This file is the loop and the options; the screen, the lines and
 * libedit are chat_screen.c, chat_lines.c and chat_edit.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat_term.h"
#include "cli.h"
#include "core/common.h"

struct chat chat;
volatile sig_atomic_t got_signal, got_winch;

static void
on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_signal = sig;
}

/* No SA_RESTART: poll(2) must return EINTR so the loop sees the signal. */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
}

/*
 * Wait until the keyboard has a byte (returned as 1), or something ends
 * the chat (returned as -1 with chat.ending set).  Meanwhile show what the
 * peer sends and keep the heartbeat going.
 */
int
wait_keyboard(void)
{
	struct pollfd p[2];
	int timeout;

	for (;;) {
		if (got_signal && chat.ending == STILL_CHATTING)
			chat.ending = TERM_SIGNAL + got_signal;
		if (got_winch && chat.el != NULL) {
			got_winch = 0;
			el_resize(chat.el);
		}
		timeout = timers();
		if (chat.ending != STILL_CHATTING)
			return -1;
		p[0].fd = STDIN_FILENO;
		p[0].events = POLLIN;
		p[1].fd = chat.o.recv_fd;
		p[1].events = POLLIN;
		if (poll(p, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die(EXIT_USAGE, "poll:");
		}
		if (p[1].revents != 0)
			read_peer();
		if (chat.ending == STILL_CHATTING && p[0].revents != 0)
			return 1;
	}
}

static void
run_lines(void)
{
	char buf[LINE_MAX_BYTES];
	ssize_t r;

	while (chat.ending == STILL_CHATTING) {
		if (wait_keyboard() < 0)
			break;
		r = read(STDIN_FILENO, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			/* End of input leaves, after any unfinished line. */
			if (chat.typed.len > 0)
				typed_line(chat.typed.buf, chat.typed.len);
			if (chat.ending == STILL_CHATTING)
				chat.ending = TERM_LEFT;
			break;
		}
		feed(&chat.typed, buf, (size_t)r, typed_line);
	}
}

/* After we left: our stream ends now (rsa-encrypt sends its final
 * record); show what the peer still says until its stream ends too, for
 * a few seconds at most. */
static void
drain_peer(void)
{
	long long deadline = now_ms() + DRAIN_MS, left;
	struct pollfd p;

	close(chat.o.send_fd);
	chat.ending = STILL_CHATTING;
	while (!got_signal && (left = deadline - now_ms()) > 0) {
		p.fd = chat.o.recv_fd;
		p.events = POLLIN;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		read_peer();
		if (chat.ending == TERM_PEER_ENDED)
			break;
	}
}

static long
parse_seconds(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 86400 ||
	    (v > 0 && v < 3))
		die(EXIT_USAGE, "--link-timeout: want 0 (off) or 3 to 86400 "
		    "seconds, not '%s'", arg);
	return v;
}

static int
parse_fd(const char *arg, const char *what)
{
	char *end;
	long v;

	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v < 3 || v > INT_MAX)
		die(EXIT_USAGE, "%s: want a descriptor number from 3", what);
	return (int)v;
}

static _Noreturn void
usage(void)
{
	fputs("usage: chat-term --peer-name NAME --recv FD --send FD "
	    "[--self-name NAME] [--link-timeout S]\n", stderr);
	exit(EXIT_USAGE);
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "peer-name", required_argument, NULL, 'p' },
		{ "self-name", required_argument, NULL, 's' },
		{ "recv", required_argument, NULL, 'r' },
		{ "send", required_argument, NULL, 'w' },
		{ "link-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->self_name = "me";
	o->recv_fd = o->send_fd = -1;
	o->link_timeout_ms = 30 * 1000L;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->peer_name = optarg; break;
		case 's': o->self_name = optarg; break;
		case 'r': o->recv_fd = parse_fd(optarg, "--recv"); break;
		case 'w': o->send_fd = parse_fd(optarg, "--send"); break;
		case 't': o->link_timeout_ms = parse_seconds(optarg) * 1000; break;
		default: usage();
		}
	}
	if (optind != argc || o->peer_name == NULL || o->recv_fd < 0 ||
	    o->send_fd < 0)
		usage();
}

int
main(int argc, char *argv[])
{
	rsapipe_init(argv[0]);
	setlocale(LC_ALL, "");
	parse_options(argc, argv, &chat.o);
	chat.ending = STILL_CHATTING;
	catch_signals();
	chat.last_sent = chat.last_heard = now_ms();

	chat.terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (chat.terminal)
		run_terminal();
	else
		run_lines();
	if (chat.ending == TERM_LEFT) {
		drain_peer();
		return TERM_LEFT;
	}
	close(chat.o.send_fd);
	/*
	 * A terminal that hung up has nothing left to restore, and no
	 * secret is held here (lines are plaintext by design; the keys are
	 * in rsa-encrypt and rsa-decrypt): leave at once, without exit
	 * handlers.  (Under LeakSanitizer the exit-time check stalled on a
	 * hung-up terminal, leaving the process behind.)
	 */
	if (chat.ending == TERM_SIGNAL + SIGHUP)
		_exit(chat.ending);
	return chat.ending;
}
