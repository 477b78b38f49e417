/* SPDX-License-Identifier: ISC */
/* armor.c: streaming PEM-style armor on gpgrt_b64enc / gpgrt_b64dec. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "codec/armor.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "core/write_all.h"

/*
 * The armor goes to fd through a stream of our own rather than
 * gpgrt_fdopen_nc(), so that a writer abandoned after a failure can be
 * finished and freed with its last bytes and END line dropped.
 */
static gpgrt_ssize_t
sink_write(void *cookie, const void *buf, size_t n)
{
	struct armor_writer *w = cookie;

	if (w->discard || n == 0)
		return (gpgrt_ssize_t)n;
	if (write_all(w->fd, buf, n, w->what, NULL, NULL) != 0)
		return -1;   /* errno is write(2)'s */
	return (gpgrt_ssize_t)n;
}

int
armor_writer_open_title(struct armor_writer *w, int fd, const char *what,
    const char *title, int flush_each, struct rp_error *err)
{
	gpgrt_cookie_io_functions_t io = { NULL, sink_write, NULL, NULL };

	memset(w, 0, sizeof(*w));
	w->what = what;
	w->flush_each = flush_each;
	/* The caller owns fd (it may be an io_output to commit). */
	w->fd = fd;
	w->stream = gpgrt_fopencookie(w, "wb", io);
	if (w->stream == NULL)
		return rp_fail_errno(err, RP_IO, "armor %s", what);
	w->state = gpgrt_b64enc_start(w->stream, title);
	if (w->state == NULL)
		return rp_fail_errno(err, RP_IO, "armor %s", what);
	return 0;
}

static int
armor_flush(struct armor_writer *w, struct rp_error *err)
{
	if (gpgrt_fflush(w->stream) != 0 || gpgrt_ferror(w->stream))
		return rp_fail_errno(err, errno == EPIPE ? RP_CLOSED : RP_IO,
		    "write %s", w->what);
	return 0;
}

int
armor_write(struct armor_writer *w, const void *buf, size_t n,
    struct rp_error *err)
{
	gpg_err_code_t ec;

	ec = gpgrt_b64enc_write(w->state, buf, n);
	if (ec != 0)
		return rp_fail(err, ec == GPG_ERR_EPIPE ? RP_CLOSED : RP_IO,
		    "write %s: %s", w->what, gpg_strerror(ec));
	return w->flush_each ? armor_flush(w, err) : 0;
}

int
armor_writer_close(struct armor_writer *w, struct rp_error *err)
{
	gpg_err_code_t ec;
	int rc = 0;

	ec = gpgrt_b64enc_finish(w->state);
	w->state = NULL;
	if (ec != 0)
		rc = rp_fail(err, ec == GPG_ERR_EPIPE ? RP_CLOSED : RP_IO,
		    "write %s: %s", w->what, gpg_strerror(ec));
	else
		rc = armor_flush(w, err);
	if (gpgrt_fclose(w->stream) != 0 && rc == 0)
		rc = rp_fail_errno(err, errno == EPIPE ? RP_CLOSED : RP_IO,
		    "write %s", w->what);
	w->stream = NULL;
	return rc;
}

/* Finished and freed with nothing more written: no END line after a
 * failure, nor the bytes still buffered. */
void
armor_writer_abort(struct armor_writer *w)
{
	w->discard = 1;
	if (w->state != NULL)
		(void)gpgrt_b64enc_finish(w->state);
	if (w->stream != NULL)
		(void)gpgrt_fclose(w->stream);
	w->state = NULL;
	w->stream = NULL;
}

int
armor_detect(const unsigned char *buf, size_t len, const char *title)
{
	char begin[80];
	int n = snprintf(begin, sizeof(begin), "-----BEGIN %s-----", title);

	if (n < 0 || (size_t)n >= sizeof(begin))
		return 0;
	if (len < (size_t)n)
		return memcmp(buf, begin, len) == 0 ? RP_MORE : 0;
	return memcmp(buf, begin, n) == 0;
}

void
armor_reader_open(struct armor_reader *r, const char *title)
{
	memset(r, 0, sizeof(*r));
	r->at_line_start = 1;
	r->state = gpgrt_b64dec_start(title);
	if (r->state == NULL)
		rp_fatal("out of memory");
}

/*
 * Follow the raw text line by line, byte by byte, so that what comes
 * after the END line is judged the same whichever read it arrives in.
 * Returns how many of the n bytes belong to the armor (up to the end of
 * the END line), or -1 at a byte after the END line that is not blank.
 */
static ssize_t
scan(struct armor_reader *r, const unsigned char *p, size_t n)
{
	size_t i, armor = n;

	for (i = 0; i < n; i++) {
		if (r->after_end) {
			if (armor == n)
				armor = i;
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
			    p[i] != '\n')
				return -1;
		} else if (r->in_end_line) {
			r->after_end = p[i] == '\n';
		} else if (p[i] == '\n') {
			r->lines++;
			r->at_line_start = 1;
		} else {
			/* As the decoder does: after the BEGIN line, a line
			 * starting with '-' is the END line. */
			if (r->at_line_start && r->lines > 0 && p[i] == '-')
				r->in_end_line = 1;
			r->at_line_start = 0;
		}
	}
	return (ssize_t)armor;
}

int
armor_decode(struct armor_reader *r, unsigned char *buf, size_t len,
    size_t *out_len, struct rp_error *err)
{
	gpg_error_t ge;
	ssize_t armor;
	size_t n = 0;

	*out_len = 0;
	if ((armor = scan(r, buf, len)) < 0)
		return rp_fail(err, RP_MALFORMED,
		    "text after the armor's END line");
	/* The decoder sees the armor and nothing after it. */
	if (r->ended || armor == 0)
		return 0;
	ge = gpgrt_b64dec_proc(r->state, buf, (size_t)armor, &n);
	if (gpg_err_code(ge) == GPG_ERR_EOF) {
		r->ended = 1;
		ge = 0;
	}
	if (ge)
		return rp_fail(err, RP_MALFORMED, "bad armor");
	*out_len = n;
	return 0;
}

int
armor_reader_close(struct armor_reader *r, struct rp_error *err)
{
	gpg_error_t ge;

	ge = gpgrt_b64dec_finish(r->state);
	r->state = NULL;
	if (ge)
		return rp_fail(err, RP_MALFORMED, "bad armor");
	return 0;
}

void
armor_reader_free(struct armor_reader *r)
{
	if (r->state != NULL)
		(void)gpgrt_b64dec_finish(r->state);
	r->state = NULL;
}

int
armor_sink_open(struct armor_sink *s, int fd, const char *what,
    const char *title, int flush_each, struct rp_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->what = what;
	if (title != NULL && (rc = armor_writer_open_title(&s->armor, fd,
	    what, title, flush_each, err)) != 0)
		return rc;
	s->armored = title != NULL;
	return 0;
}

int
armor_sink_write(struct armor_sink *s, const void *buf, size_t n,
    struct rp_error *err)
{
	if (s->armored)
		return armor_write(&s->armor, buf, n, err);
	return io_write(s->fd, buf, n, s->what, err);
}

int
armor_sink_close(struct armor_sink *s, int rc, struct rp_error *err)
{
	if (!s->armored)
		return rc;
	s->armored = 0;
	if (rc != 0) {
		armor_writer_abort(&s->armor);
		return rc;
	}
	return armor_writer_close(&s->armor, err);
}
