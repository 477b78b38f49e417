/* SPDX-License-Identifier: ISC */
/* stream_record.c: AES-256-GCM records, sealed and opened in place. */
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "stream/format.h"
#include "stream/stream_record.h"

void
stream_cipher_open(struct cipher_state *c, const struct stream_keys *keys)
{
	gcry_error_t err;

	memset(c, 0, sizeof(*c));
	/* Opened once per stream: the key schedule is computed once and
	 * lives in secure memory; each record only resets and sets a nonce. */
	err = gcry_cipher_open(&c->hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE);
	if (err)
		rp_fatal("AES-256-GCM: %s", gcry_strerror(err));
	err = gcry_cipher_setkey(c->hd, keys->payload_key,
	    sizeof(keys->payload_key));
	if (err)
		rp_fatal("AES-256-GCM key: %s", gcry_strerror(err));
}

void
stream_cipher_close(struct cipher_state *c)
{
	gcry_cipher_close(c->hd);
	c->hd = NULL;
}

/* Counter and final flag into the nonce; header into the AAD. */
static void
record_start(struct cipher_state *c, const unsigned char *hdr, int final)
{
	unsigned char nonce[STREAM_NONCE_LEN];
	struct writer w;
	gcry_error_t err;

	/* The counter as 11 bytes, then the final flag. */
	wr_init(&w, nonce, sizeof(nonce));
	wr_uint(&w, 3, 0);
	wr_uint(&w, 4, (size_t)(c->counter >> 32));
	wr_uint(&w, 4, (size_t)(c->counter & 0xffffffffU));
	wr_uint(&w, 1, final ? 1 : 0);
	err = gcry_cipher_reset(c->hd);
	if (!err)
		err = gcry_cipher_setiv(c->hd, nonce, sizeof(nonce));
	if (!err)
		err = gcry_cipher_authenticate(c->hd, hdr,
		    STREAM_RECORD_HEADER_LEN);
	if (!err)
		err = gcry_cipher_final(c->hd);
	if (err)
		rp_fatal("AES-256-GCM: %s", gcry_strerror(err));
}

size_t
stream_record_seal(struct cipher_state *c, unsigned char *buf, size_t len,
    int final)
{
	unsigned char *body = buf + STREAM_RECORD_HEADER_LEN;
	struct writer w;
	gcry_error_t err;

	if (c->finished || len > STREAM_RECORD_MAX)
		rp_fatal("bad record");
	if (c->counter == UINT64_MAX)
		rp_fatal("record counter overflow");
	wr_init(&w, buf, STREAM_RECORD_HEADER_LEN);
	wr_uint(&w, 1, final ? STREAM_RECORD_FINAL : STREAM_RECORD_MORE);
	wr_uint(&w, 3, len);
	record_start(c, buf, final);
	err = gcry_cipher_encrypt(c->hd, body, len, NULL, 0);
	if (!err)
		err = gcry_cipher_gettag(c->hd, body + len, STREAM_TAG_LEN);
	if (err)
		rp_fatal("AES-256-GCM: %s", gcry_strerror(err));
	c->counter++;
	c->finished = final;
	return len + STREAM_RECORD_OVERHEAD;
}

int
stream_record_parse(const unsigned char hdr[STREAM_RECORD_HEADER_LEN],
    size_t *len, int *final, struct rp_error *err)
{
	struct reader r;
	size_t type;

	rd_init(&r, hdr, STREAM_RECORD_HEADER_LEN);
	(void)rd_uint(&r, 1, &type);
	(void)rd_uint(&r, 3, len);
	if (type != STREAM_RECORD_MORE && type != STREAM_RECORD_FINAL)
		return rp_fail(err, RP_MALFORMED, "malformed record header");
	*final = type == STREAM_RECORD_FINAL;
	if (*len > STREAM_RECORD_MAX)
		return rp_fail(err, RP_MALFORMED,
		    "malformed record header (length over 65536)");
	/* Only the final record may be empty: an encoder never makes an
	 * empty middle record, so one is not ours. */
	if (*len == 0 && !*final)
		return rp_fail(err, RP_MALFORMED,
		    "malformed record header (empty record)");
	return 0;
}

int
stream_record_open(struct cipher_state *c, unsigned char *rec, size_t len,
    int final, struct rp_error *err)
{
	unsigned char *body = rec + STREAM_RECORD_HEADER_LEN;
	gcry_error_t ge;

	if (c->finished)
		return rp_fail(err, RP_MALFORMED,
		    "trailing data after the final record");
	if (c->counter == UINT64_MAX)
		return rp_fail(err, RP_REFUSED, "record counter overflow");
	record_start(c, rec, final);
	ge = gcry_cipher_decrypt(c->hd, body, len, NULL, 0);
	if (ge)
		rp_fatal("AES-256-GCM: %s", gcry_strerror(ge));
	ge = gcry_cipher_checktag(c->hd, body + len, STREAM_TAG_LEN);
	if (gpg_err_code(ge) == GPG_ERR_CHECKSUM)
		return rp_fail(err, RP_AUTH, "record authentication failed "
		    "(tampered, reordered or spliced stream)");
	if (ge)
		rp_fatal("AES-256-GCM: %s", gcry_strerror(ge));
	c->counter++;
	c->finished = final;
	return 0;
}
