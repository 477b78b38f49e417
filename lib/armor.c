/* SPDX-License-Identifier: ISC */
/* armor.c: streaming PEM-style armor on gpgrt_b64enc / gpgrt_b64dec. */
#include <string.h>

#include "armor.h"
#include "common.h"
#include "format.h"

void
armor_writer_open(struct armor_writer *w, int fd, const char *what)
{
	memset(w, 0, sizeof(*w));
	w->what = what;
	/* _nc: the caller owns fd (it may be an io_output to commit). */
	w->stream = gpgrt_fdopen_nc(fd, "wb");
	if (w->stream == NULL)
		die(EXIT_USAGE, "armor %s:", what);
	w->state = gpgrt_b64enc_start(w->stream, STREAM_ARMOR_TITLE);
	if (w->state == NULL)
		die(EXIT_USAGE, "armor %s:", what);
}

static void
armor_flush(struct armor_writer *w)
{
	if (gpgrt_fflush(w->stream) != 0 || gpgrt_ferror(w->stream))
		die(EXIT_USAGE, "write %s:", w->what);
}

void
armor_write(struct armor_writer *w, const void *buf, size_t n)
{
	gpg_err_code_t ec;

	ec = gpgrt_b64enc_write(w->state, buf, n);
	if (ec != 0)
		die(EXIT_USAGE, "write %s: %s", w->what, gpg_strerror(ec));
	armor_flush(w);
}

void
armor_writer_close(struct armor_writer *w)
{
	gpg_err_code_t ec;

	ec = gpgrt_b64enc_finish(w->state);
	w->state = NULL;
	if (ec != 0)
		die(EXIT_USAGE, "write %s: %s", w->what, gpg_strerror(ec));
	armor_flush(w);
	if (gpgrt_fclose(w->stream) != 0)
		die(EXIT_USAGE, "write %s:", w->what);
	w->stream = NULL;
}

int
armor_detect(const unsigned char *buf, size_t len)
{
	size_t n = strlen(STREAM_ARMOR_BEGIN);

	if (len < n)
		return memcmp(buf, STREAM_ARMOR_BEGIN, len) == 0 ? -1 : 0;
	return memcmp(buf, STREAM_ARMOR_BEGIN, n) == 0;
}

void
armor_reader_open(struct armor_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->state = gpgrt_b64dec_start(STREAM_ARMOR_TITLE);
	if (r->state == NULL)
		die(EXIT_USAGE, "out of memory");
}

int
armor_decode(struct armor_reader *r, unsigned char *buf, size_t len,
    size_t *out_len, const char **why)
{
	gpg_error_t err;
	size_t n = 0;

	*out_len = 0;
	/* As in PEM, text after the END line is not part of the message;
	 * the record layer has already seen the final record by then. */
	if (r->ended)
		return 0;
	err = gpgrt_b64dec_proc(r->state, buf, len, &n);
	if (gpg_err_code(err) == GPG_ERR_EOF) {
		r->ended = 1;
		err = 0;
	}
	if (err) {
		*why = "bad armor";
		return -1;
	}
	*out_len = n;
	return 0;
}

int
armor_reader_close(struct armor_reader *r, const char **why)
{
	gpg_error_t err;

	err = gpgrt_b64dec_finish(r->state);
	r->state = NULL;
	if (err) {
		*why = "bad armor";
		return -1;
	}
	return 0;
}
