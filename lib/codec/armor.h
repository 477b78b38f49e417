/* SPDX-License-Identifier: ISC */
/*
 * armor.h: PEM-style ASCII armor ("-----BEGIN TITLE-----"), streaming
 * and in constant memory, on libgpg-error's gpgrt_b64enc_* /
 * gpgrt_b64dec_*.  The formats above name their titles (the stream's
 * "RSAPIPE MESSAGE", age's "AGE ENCRYPTED FILE").
 */
#ifndef RSAPIPE_ARMOR_H
#define RSAPIPE_ARMOR_H

#include <stddef.h>
#include <gpg-error.h>

struct armor_writer {
	gpgrt_stream_t stream; /* over fd, not owning it */
	gpgrt_b64state_t state;
	int fd;
	const char *what;      /* output name for messages */
	int flush_each;        /* push each write out at once */
	int discard;           /* abandoned: write nothing more */
};

struct rp_error;

/* Start armored output on fd under a BEGIN/END title: writes nothing
 * until the first data.  Lines of 64 columns, padded base64.  With
 * flush_each every write is pushed out at once.  0, or RP_IO ("armor
 * WHAT: ..."). */
int armor_writer_open_title(struct armor_writer *w, int fd,
    const char *what, const char *title, int flush_each,
    struct rp_error *err);
/* Encode n bytes; with flush_each (the rsapipe armor) push them out now,
 * so a chat line is not held back beyond the base64 quantum.  0, or
 * RP_IO ("write WHAT: ..."). */
int armor_write(struct armor_writer *w, const void *buf, size_t n,
    struct rp_error *err);
/* Finish: last quantum, END line, flush; the writer is released however
 * it ends.  0, or RP_IO as armor_write. */
int armor_writer_close(struct armor_writer *w, struct rp_error *err);
/* Release the writer after a failure, writing nothing more. */
void armor_writer_abort(struct armor_writer *w);

/*
 * Output that is armored or not, as both encryptors write theirs: the
 * descriptor itself, or an armor_writer on it.
 */
struct armor_sink {
	int fd;
	const char *what;      /* output name for messages */
	int armored;
	struct armor_writer armor;
};

/* Open on fd: armored under title (flush_each as for
 * armor_writer_open_title()) when title is not NULL, else raw.  0, or
 * RP_IO ("armor WHAT: ..."). */
int armor_sink_open(struct armor_sink *s, int fd, const char *what,
    const char *title, int flush_each, struct rp_error *err);
/* Write n bytes, through the armor or not.  0, or RP_IO ("write WHAT:
 * ..."). */
int armor_sink_write(struct armor_sink *s, const void *buf, size_t n,
    struct rp_error *err);
/* End the output: with rc 0 finish the armor (its result returned);
 * after a failure (rc != 0) only forget it and return rc. */
int armor_sink_close(struct armor_sink *s, int rc, struct rp_error *err);

/*
 * The reading rule, the same however the input is split into reads: the
 * armor starts at the first byte with the BEGIN line; the END line is the
 * next line that starts with '-'; after it only blank space (spaces, tabs, CR, LF) may follow, and anything else
 * (text, a second message) is "text after the armor's END line".
 */
struct armor_reader {
	gpgrt_b64state_t state;
	int ended;             /* the decoder has seen the END line */
	/* Our own view of the raw text, for what follows the END line. */
	int at_line_start, in_end_line, after_end;
	size_t lines;          /* newlines seen */
};

/*
 * Does the input start with the BEGIN line of title?  Returns 1 (yes),
 * 0 (no) or RP_MORE (error.h: too few bytes to tell yet).
 */
int armor_detect(const unsigned char *buf, size_t len, const char *title);

/* Read armor under title; out of memory is rp_fatal(). */
void armor_reader_open(struct armor_reader *r, const char *title);
/*
 * Decode len armored bytes in place; *out_len gets the binary bytes now
 * at buf.  Returns 0, or RP_MALFORMED (error.h) with its reason in err
 * on malformed armor or text after its END line.
 */
int armor_decode(struct armor_reader *r, unsigned char *buf, size_t len,
    size_t *out_len, struct rp_error *err);
/* At end of input: 0 if the armor was complete and valid, else
 * RP_MALFORMED with its reason in err. */
int armor_reader_close(struct armor_reader *r, struct rp_error *err);
/* Release a reader that did not reach armor_reader_close() (the input
 * failed first); after it, a no-op. */
void armor_reader_free(struct armor_reader *r);

#endif
