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
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <histedit.h>

#include "cli.h"
#include "core/common.h"
#include "core/io.h"
#include "core/textsafe.h"

/* Why the chat ends; the exit status is the value (rsa-chat(1) maps
 * these to its own), except that 128 + N stands for signal N, Ctrl-C
 * counting as SIGINT. */
enum ending {
	STILL_CHATTING = -1,
	TERM_LEFT = 0,       /* "exit" or end of input: we left */
	TERM_PEER_ENDED = 3, /* the peer's stream ended */
	TERM_LINK_LOST = 4,  /* nothing from the peer for the link timeout */
	TERM_SIGNAL = 128
};

#define LINE_MAX_BYTES 4096   /* longer lines are shown in pieces */
#define HEARTBEAT_MS 1000     /* send an empty line after 1 s of silence */
#define DRAIN_MS 3000         /* after leaving, wait this long for the peer */
#define PROMPT "> "

struct options {
	const char *peer_name, *self_name;
	int recv_fd, send_fd;
	long link_timeout_ms;
};

/* A line being assembled from a descriptor's reads. */
struct linebuf {
	char buf[LINE_MAX_BYTES];
	size_t len;
};

static struct {
	struct options o;
	EditLine *el;
	History *hist;
	struct linebuf from_peer, typed;
	long long last_sent, last_heard;  /* monotonic ms */
	int ending;        /* STILL_CHATTING, or an enum ending */
	int terminal;      /* line editing on a terminal */
} chat;

static volatile sig_atomic_t got_signal, got_winch;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

static int
terminal_columns(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Columns the first n bytes of s take on the screen. */
static int
text_width(const char *s, size_t n)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int w = 0, cw;

	memset(&st, 0, sizeof(st));
	while (n > 0) {
		k = mbrtowc(&wc, s, n, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			k = 1;
			cw = 1;
		} else if ((cw = wcwidth(wc)) < 0)
			cw = 1;
		w += cw;
		s += k;
		n -= k;
	}
	return w;
}

static void
write_screen(const char *s, size_t n)
{
	fflush(stdout);
	io_write_all(STDOUT_FILENO, s, n, "the screen");
}

/* Write all of buf, or return -1 (the reader is gone); never dies. */
static int
write_quietly(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Show one line as "HH:MM name: text", the text made inert first. */
static void
show(const char *name, const char *text, size_t len)
{
	static char safe[LINE_MAX_BYTES * TEXTSAFE_GROWTH + 1];
	char stamp[16], line[sizeof(safe) + 128];
	time_t t = time(NULL);
	struct tm tm;
	int n;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M", &tm);
	textsafe_line(text, len, safe);
	/* On a terminal in libedit's mode a newline may not return the
	 * carriage; a script reading us wants plain lines. */
	n = snprintf(line, sizeof(line), "%s %s: %s%s", stamp, name, safe,
	    chat.terminal ? "\r\n" : "\n");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	write_screen(line, (size_t)n);
}

/*
 * Clear the input line (all the rows it spans, counted from the cursor)
 * so that something can be shown in its place; libedit redraws it after
 * (EL_REFRESH forgets where it thinks the cursor is and draws afresh).
 */
static void
clear_input(size_t upto_bytes, const char *buf)
{
	char seq[32];
	int rows, n;

	rows = (text_width(PROMPT, strlen(PROMPT)) +
	    text_width(buf, upto_bytes)) / terminal_columns();
	n = rows > 0 ? snprintf(seq, sizeof(seq), "\r\033[%dA\033[J", rows) :
	    snprintf(seq, sizeof(seq), "\r\033[J");
	write_screen(seq, (size_t)n);
}

static void
show_above_input(const char *name, const char *text, size_t len)
{
	const LineInfo *li;

	if (chat.el == NULL) {
		show(name, text, len);
		return;
	}
	li = el_line(chat.el);
	clear_input((size_t)(li->cursor - li->buffer), li->buffer);
	show(name, text, len);
	el_set(chat.el, EL_REFRESH);
}

static void
send_line(const char *s, size_t n)
{
	char line[LINE_MAX_BYTES + 1];

	memcpy(line, s, n);
	line[n] = '\n';
	if (write_quietly(chat.o.send_fd, line, n + 1) != 0) {
		/* rsa-encrypt is gone, so is the connection. */
		chat.ending = TERM_PEER_ENDED;
		return;
	}
	chat.last_sent = now_ms();
}

/* A line the person typed: "exit" leaves; "\exit" sends "exit" (one
 * backslash less, so "\\exit" sends "\exit"); an empty line is not sent,
 * since an empty line on the wire is a heartbeat. */
static void
typed_line(const char *s, size_t n)
{
	size_t bs = 0;

	if (n == 0)
		return;
	if (n == 4 && memcmp(s, "exit", 4) == 0) {
		chat.ending = TERM_LEFT;
		return;
	}
	while (bs < n && s[bs] == '\\')
		bs++;
	if (bs > 0 && n - bs == 4 && memcmp(s + bs, "exit", 4) == 0) {
		s++;
		n--;
	}
	send_line(s, n);
	if (chat.ending == STILL_CHATTING && chat.el != NULL)
		show(chat.o.self_name, s, n);
}

/* A line from the peer: empty is a heartbeat, anything else is shown. */
static void
peer_line(const char *s, size_t n)
{
	if (n > 0)
		show_above_input(chat.o.peer_name, s, n);
}

/*
 * Feed bytes into a line buffer, calling fn for each complete line; a
 * line longer than the buffer is passed on in pieces.
 */
static void
feed(struct linebuf *lb, const char *p, size_t n,
    void (*fn)(const char *, size_t))
{
	const char *nl;
	size_t take;

	while (n > 0 && chat.ending == STILL_CHATTING) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (take > sizeof(lb->buf) - lb->len)
			take = sizeof(lb->buf) - lb->len;
		memcpy(lb->buf + lb->len, p, take);
		lb->len += take;
		p += take;
		n -= take;
		if (n > 0 && *p == '\n') {
			p++;
			n--;
		} else if (lb->len < sizeof(lb->buf))
			continue;
		fn(lb->buf, lb->len);
		lb->len = 0;
	}
}

/* Read what the peer sent; EOF means its stream is over. */
static void
read_peer(void)
{
	char buf[LINE_MAX_BYTES];
	ssize_t r;

	r = read(chat.o.recv_fd, buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (chat.from_peer.len > 0)
			peer_line(chat.from_peer.buf, chat.from_peer.len);
		chat.from_peer.len = 0;
		chat.ending = TERM_PEER_ENDED;
		return;
	}
	chat.last_heard = now_ms();
	feed(&chat.from_peer, buf, (size_t)r, peer_line);
}

/* How long poll(2) may sleep before a heartbeat or the link timeout is
 * due; sends the heartbeat or declares the link lost when it is. */
static int
timers(void)
{
	long long now = now_ms(), next_beat, lost;

	next_beat = chat.last_sent + HEARTBEAT_MS;
	if (now >= next_beat) {
		send_line("", 0);
		next_beat = now + HEARTBEAT_MS;
	}
	if (chat.o.link_timeout_ms > 0) {
		lost = chat.last_heard + chat.o.link_timeout_ms;
		if (now >= lost) {
			chat.ending = TERM_LINK_LOST;
			return 0;
		}
		if (lost < next_beat)
			next_beat = lost;
	}
	return (int)(next_beat - now);
}

/*
 * Wait until the keyboard has a byte (returned as 1), or something ends
 * the chat (returned as -1 with chat.ending set).  Meanwhile show what the
 * peer sends and keep the heartbeat going.
 */
static int
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

/* libedit's character source: the keyboard, decoded from the locale's
 * multibyte encoding, while the peer's lines and the timers are served. */
static int
getc_keyboard(EditLine *el, wchar_t *wc)
{
	static mbstate_t st;
	char c;
	ssize_t r;
	size_t k;

	(void)el;
	for (;;) {
		if (wait_keyboard() < 0)
			return -1;
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			/* The terminal is gone (EIO after a hangup): leave,
			 * never spin on it. */
			chat.ending = TERM_SIGNAL + SIGHUP;
			return -1;
		}
		if (r == 0) {
			chat.ending = TERM_LEFT;
			return -1;
		}
		k = mbrtowc(wc, &c, 1, &st);
		if (k == (size_t)-2)
			continue;
		if (k == (size_t)-1) {
			memset(&st, 0, sizeof(st));
			continue;
		}
		return 1;
	}
}

/* Ctrl-C leaves the chat like a signal would, without one reaching the
 * other programs of the session, which end in order instead. */
static unsigned char
key_interrupt(EditLine *el, int ch)
{
	(void)el;
	(void)ch;
	chat.ending = TERM_SIGNAL + SIGINT;
	return CC_EOF;
}

static const char *
prompt(EditLine *el)
{
	(void)el;
	return PROMPT;
}

static void
end_editline(void)
{
	if (chat.el != NULL) {
		el_end(chat.el);
		chat.el = NULL;
	}
	if (chat.hist != NULL) {
		history_end(chat.hist);
		chat.hist = NULL;
	}
}

static void
start_editline(void)
{
	HistEvent ev;

	/* Chat text is UTF-8 whatever the locale says. */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	chat.el = el_init(progname, stdin, stdout, stderr);
	chat.hist = history_init();
	if (chat.el == NULL || chat.hist == NULL)
		die(EXIT_USAGE, "cannot set up line editing");
	atexit(end_editline);
	history(chat.hist, &ev, H_SETSIZE, 500);
	history(chat.hist, &ev, H_SETUNIQUE, 1);
	el_set(chat.el, EL_EDITOR, "emacs");
	el_set(chat.el, EL_HIST, history, chat.hist);
	el_set(chat.el, EL_PROMPT, prompt);
	el_wset(chat.el, EL_GETCFN, getc_keyboard);
	/* Ctrl-C is a key here (see key_interrupt), not a signal. */
	el_set(chat.el, EL_SETTY, "-d", "-isig", NULL);
	el_set(chat.el, EL_ADDFN, "rsapipe-leave", "leave the chat",
	    key_interrupt);
	el_set(chat.el, EL_BIND, "^C", "rsapipe-leave", NULL);
	el_source(chat.el, NULL); /* the person's ~/.editrc */
}

/* Erase the rows the line just entered takes (libedit has moved below
 * it), so that it is shown again in the chat's own form. */
static void
erase_entered(const char *line, size_t len)
{
	char seq[32];
	int rows, n;

	rows = (text_width(PROMPT, strlen(PROMPT)) + text_width(line, len)) /
	    terminal_columns() + 1;
	n = snprintf(seq, sizeof(seq), "\r\033[%dA\033[J", rows);
	write_screen(seq, (size_t)n);
}

static void
run_terminal(void)
{
	const LineInfo *li;
	const char *line;
	HistEvent ev;
	size_t len;
	int count;

	start_editline();
	while (chat.ending == STILL_CHATTING) {
		line = el_gets(chat.el, &count);
		if (line == NULL || count <= 0) {
			if (chat.ending == STILL_CHATTING)
				chat.ending = TERM_LEFT; /* Ctrl-D */
			/* Leave a clean line for what the session says. */
			li = el_line(chat.el);
			clear_input((size_t)(li->cursor - li->buffer),
			    li->buffer);
			break;
		}
		len = strcspn(line, "\n");
		erase_entered(line, len);
		if (len > 0 && !(len == 4 && memcmp(line, "exit", 4) == 0))
			history(chat.hist, &ev, H_ENTER, line);
		typed_line(line, len);
	}
	end_editline();
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
