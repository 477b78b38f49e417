/* SPDX-License-Identifier: ISC */
/*
 * chat_lines.c: chat-term's lines on the wire: what the person typed
 * goes out, what the peer sent is shown, an empty line is a heartbeat.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat_term.h"

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

void
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
void
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
void
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
void
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
int
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
