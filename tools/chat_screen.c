/* SPDX-License-Identifier: ISC */
/* chat_screen.c: chat-term's screen: lines shown above the one typed. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "chat_term.h"
#include "cli.h"
#include "core/io.h"
#include "core/textsafe.h"

int
terminal_columns(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Columns the first n bytes of s take on the screen. */
int
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

void
write_screen(const char *s, size_t n)
{
	struct rp_error err;

	fflush(stdout);
	if (io_write(STDOUT_FILENO, s, n, "the screen", &err) != 0)
		die_error(&err, EXIT_USAGE);
}

/* Show one line as "HH:MM name: text", the text made inert first. */
void
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
void
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

void
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

/* Erase the rows the line just entered takes (libedit has moved below
 * it), so that it is shown again in the chat's own form. */
void
erase_entered(const char *line, size_t len)
{
	char seq[32];
	int rows, n;

	rows = (text_width(PROMPT, strlen(PROMPT)) + text_width(line, len)) /
	    terminal_columns() + 1;
	n = snprintf(seq, sizeof(seq), "\r\033[%dA\033[J", rows);
	write_screen(seq, (size_t)n);
}
