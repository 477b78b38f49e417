/* SPDX-License-Identifier: ISC */
/* chat_edit.c: chat-term on a terminal: libedit's line editing. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "chat_term.h"
#include "cli.h"

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

void
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
