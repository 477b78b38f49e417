/* SPDX-License-Identifier: ISC */
/*
 * chat_term.h: what the modules of chat-term share (linked only into
 * it): the session's state, the screen (chat_screen.c), the lines that
 * come and go (chat_lines.c) and line editing on a terminal
 * (chat_edit.c).  tools/chat-term.c holds the loop and main().
 */
#ifndef RSAPIPE_CHAT_TERM_H
#define RSAPIPE_CHAT_TERM_H

#include <signal.h>
#include <stddef.h>

#include <histedit.h>

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

struct chat {
	struct options o;
	EditLine *el;
	History *hist;
	struct linebuf from_peer, typed;
	long long last_sent, last_heard;  /* monotonic ms */
	int ending;        /* STILL_CHATTING, or an enum ending */
	int terminal;      /* line editing on a terminal */
};

/* The one session of the process (chat-term.c). */
extern struct chat chat;
extern volatile sig_atomic_t got_signal, got_winch;

/* chat-term.c: wait until the keyboard has a byte (1), or something ends
 * the chat (-1, chat.ending set), serving the peer and the timers. */
int wait_keyboard(void);

/* chat_screen.c */
int text_width(const char *s, size_t n);
int terminal_columns(void);
void write_screen(const char *s, size_t n);
/* One line as "HH:MM name: text", the text made inert first. */
void show(const char *name, const char *text, size_t len);
/* Clear the line being typed (upto_bytes of buf before the cursor). */
void clear_input(size_t upto_bytes, const char *buf);
/* A line shown above the one being typed, which is redrawn. */
void show_above_input(const char *name, const char *text, size_t len);
/* Erase the rows of the line just entered. */
void erase_entered(const char *line, size_t len);

/* chat_lines.c */
long long now_ms(void);
void send_line(const char *s, size_t n);
void typed_line(const char *s, size_t n);
/* Bytes into lb, fn called for each whole line (or full buffer). */
void feed(struct linebuf *lb, const char *p, size_t n,
    void (*fn)(const char *, size_t));
void read_peer(void);
/* ms poll(2) may sleep; sends a heartbeat or declares the link lost. */
int timers(void);

/* chat_edit.c: the person's lines through libedit, until the end. */
void run_terminal(void);

#endif
