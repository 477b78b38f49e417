/* SPDX-License-Identifier: ISC */
/* age.c: the age filter's decryption (age.h): the header here, the
 * payload in age_decrypt.c; age_encrypt.c encrypts. */
#include <stdlib.h>
#include <string.h>

#include "age/age.h"
#include "age/age_format.h"
#include "age/age_stanza.h"
#include "age/age_stream.h"
#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"
#include "keys/identity.h"

/* A stanza refused by its type's rules refuses the whole header. */
static int
header_refusal(struct rp_error *err)
{
	if (err != NULL && strncmp(err->reason, "age header: ", 12) != 0)
		rp_prefix(err, "age header");
	return err != NULL ? err->code : RP_MALFORMED;
}

/* The header, whole, parsed. */
static int
read_header(struct filter_input *in, struct age_header *h,
    struct rp_error *err)
{
	size_t need = 0;
	int r;

	while ((r = age_header_parse(h, in->buf + in->start,
	    in->end - in->start, &need, err)) != 0) {
		if (r != RP_MORE)
			return r;
		if (filter_input_need(in, need))
			continue;
		if ((r = filter_input_failed(in, 0, err)) != 0)
			return r;
		return rp_fail(err, RP_MALFORMED, in->end == in->start ?
			    "age header: empty input" :
			    "age header: truncated header");
	}
	return 0;
}

struct stanza *
age_header_stanzas(const struct age_header *h)
{
	struct stanza *v = rp_calloc(h->nstanzas, sizeof(*v));
	size_t i, j;

	_Static_assert(AGE_MAX_ARGS <= STANZA_MAX_ARGS, "stanza arguments");
	for (i = 0; i < h->nstanzas; i++) {
		v[i].type = h->stanzas[i].type;
		v[i].nargs = h->stanzas[i].nargs;
		for (j = 0; j < v[i].nargs; j++) {
			v[i].args[j] = (const unsigned char *)
			    h->stanzas[i].args[j];
			v[i].arg_len[j] = strlen(h->stanzas[i].args[j]);
		}
		v[i].body = h->stanzas[i].body;
		v[i].body_len = h->stanzas[i].body_len;
	}
	return v;
}

struct mac_check {
	const struct age_header *h;
	const unsigned char *hdr;
};

/* A candidate file key passes when the header MAC holds under it. */
static int
check_mac(void *arg, const unsigned char *file_key, struct rp_error *err)
{
	const struct mac_check *m = arg;

	if (age_header_check_mac(m->h, m->hdr, file_key) == 0)
		return 0;
	return rp_fail(err, RP_AUTH, "age header MAC mismatch: a file key "
	    "unwraps but the header was altered");
}

/* The file key, its MAC checked, by the one search (identity.h); the
 * failures in age's words. */
static int
open_header(const struct age_decrypt_options *opt,
    const struct age_header *h, const unsigned char *hdr,
    unsigned char *file_key, struct rp_error *err)
{
	struct mac_check m = { h, hdr };
	struct stanza *v;
	int rc;

	v = age_header_stanzas(h);
	if ((rc = age_stanzas_check(v, h->nstanzas, err)) == 0)
		rc = identity_find_file_key(opt->identities, v, h->nstanzas,
		    file_key, AGE_FILE_KEY_LEN, check_mac, &m, err);
	free(v);
	switch (rc) {
	case 0:
	case RP_AUTH:
	case RP_PASSPHRASE:
	case RP_IO:          /* the passphrase's source (scrypt) */
	case RP_USAGE:
	case RP_TIMEOUT:
		return rc;
	case RP_NOKEY:
	case RP_DECRYPT:
		return rp_fail(err, rc, "no identity matches: the file is not "
		    "encrypted to the given keys");
	default:
		return header_refusal(err);
	}
}

/* After the header: the nonce, and the payload cipher under its key,
 * on two handles (age_decrypt_payload opens on two cores). */
static int
open_payload(struct filter_input *in, const unsigned char *file_key,
    struct cipher_state st[2], struct rp_error *err)
{
	unsigned char *key;

	if (!filter_input_need(in, AGE_NONCE_LEN))
		return filter_input_failed(in, rp_fail(err, RP_MALFORMED,
		    "age header: truncated payload nonce"), err);
	key = secure_alloc(AGE_PAYLOAD_KEY_LEN);
	age_payload_key(key, file_key, in->buf + in->start);
	in->start += AGE_NONCE_LEN;
	age_stream_open(&st[0], key);
	age_stream_open(&st[1], key);
	secure_free(key);
	return 0;
}

/* The header, the file key, the payload cipher. */
static int
open_file(const struct age_decrypt_options *opt, struct cipher_state st[2],
    struct rp_error *err)
{
	struct filter_input *in = opt->in;
	struct age_header h;
	unsigned char *file_key;
	int rc;

	if ((rc = read_header(in, &h, err)) != 0)
		return rc;
	file_key = secure_alloc(AGE_FILE_KEY_LEN);
	rc = open_header(opt, &h, in->buf + in->start, file_key, err);
	if (rc == 0) {
		in->start += h.len;
		rc = open_payload(in, file_key, st, err);
	}
	age_header_free(&h);
	secure_free(file_key);
	return rc;
}

int
age_decrypt(const struct age_decrypt_options *opt, struct rp_error *err)
{
	struct rp_error local;
	struct cipher_state st[2];
	struct io_output out;
	int rc;

	if (err == NULL)
		err = &local;
	if ((rc = io_output_create(&out, opt->output, 0600, 0, err)) != 0)
		return rc;
	if ((rc = open_file(opt, st, err)) == 0) {
		rc = age_decrypt_payload(opt->in, st, out.fd,
		    filter_name(opt->output, "stdout"), err);
		age_stream_close(&st[0]);
		age_stream_close(&st[1]);
	}
	if (rc != 0) {
		io_output_abort(&out);
		return rc;
	}
	return io_output_finish(&out, err);
}
