/* SPDX-License-Identifier: ISC */
/* der.c: libtasn1 helpers for the key structures. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/der.h"
#include "core/common.h"
#include "core/error.h"

extern const asn1_static_node keys_asn1_tab[];

static asn1_node
definitions(void)
{
	static asn1_node tree;
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	/* Built once: the table is constant and small. */
	if (tree == NULL && asn1_array2tree(keys_asn1_tab, &tree, err) !=
	    ASN1_SUCCESS)
		rp_fatal("ASN.1 definitions: %s", err);
	return tree;
}

asn1_node
der_new(const char *type)
{
	char name[64];
	asn1_node node = NULL;
	int rc;

	snprintf(name, sizeof(name), "RSAPipe.%s", type);
	rc = asn1_create_element(definitions(), name, &node);
	if (rc != ASN1_SUCCESS)
		rp_fatal("ASN.1 %s: %s", type, asn1_strerror(rc));
	return node;
}

int
der_decode(const char *type, const unsigned char *der, size_t len,
    asn1_node *node, struct rp_error *err)
{
	char asn1_err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	unsigned char cls;
	unsigned long tag;
	long outer;
	int used, rc, taglen, lenlen;
	const char *why;

	*node = der_new(type);
	if (len == 0 || len > INT_MAX) {
		why = "bad DER length";
		goto fail;
	}
	/* Measure the outer value first so that extra bytes get their own
	 * message rather than a generic decoding error. */
	if (asn1_get_tag_der(der, (int)len, &cls, &taglen, &tag) !=
	    ASN1_SUCCESS || (outer = asn1_get_length_der(der + taglen,
	    (int)len - taglen, &lenlen)) < 0) {
		why = "malformed DER";
		goto fail;
	}
	if ((size_t)outer < len - (size_t)(taglen + lenlen)) {
		why = "trailing data after the DER structure";
		goto fail;
	}
	used = (int)len;
	rc = asn1_der_decoding2(node, der, &used, ASN1_DECODE_FLAG_STRICT_DER,
	    asn1_err);
	if (rc != ASN1_SUCCESS) {
		why = "malformed DER";
		goto fail;
	}
	if ((size_t)used != len) {
		why = "trailing data after the DER structure";
		goto fail;
	}
	return 0;
fail:
	der_free(node);
	return rp_fail(err, RP_MALFORMED, "%s", why);
}

unsigned char *
der_encode(asn1_node node, int secret, size_t *len)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	unsigned char *buf;
	int n = 0, rc;

	rc = asn1_der_coding(node, "", NULL, &n, err);
	if (rc != ASN1_MEM_ERROR || n <= 0)
		rp_fatal("DER encoding: %s", err);
	buf = secret ? secure_alloc((size_t)n) : rp_alloc((size_t)n);
	rc = asn1_der_coding(node, "", buf, &n, err);
	if (rc != ASN1_SUCCESS)
		rp_fatal("DER encoding: %s", err);
	*len = (size_t)n;
	return buf;
}

void
der_free(asn1_node *node)
{
	if (node != NULL && *node != NULL)
		asn1_delete_structure2(node, ASN1_DELETE_FLAG_ZEROIZE);
}

int
der_read_mpi(asn1_node node, const char *name, int secret, gcry_mpi_t *out,
    struct rp_error *err)
{
	unsigned char *buf;
	int n = 0, rc;
	size_t cap;
	gcry_error_t e;
	const char *why = NULL;

	*out = NULL;
	rc = asn1_read_value(node, name, NULL, &n);
	if (rc != ASN1_MEM_ERROR || n <= 0 || n > 4096) {
		return rp_fail(err, RP_REFUSED, "bad integer in key");
	}
	cap = (size_t)n;
	/* gcry_mpi_scan makes a secure MPI from a secure buffer. */
	buf = secret ? secure_alloc(cap) : rp_alloc(cap);
	rc = asn1_read_value(node, name, buf, &n);
	if (rc != ASN1_SUCCESS || (buf[0] & 0x80) != 0) {
		why = "bad integer in key (negative)";
		e = 1;
	} else {
		e = gcry_mpi_scan(out, GCRYMPI_FMT_STD, buf, (size_t)n, NULL);
		if (e != 0)
			why = "bad integer in key";
	}
	if (secret)
		secure_free(buf);
	else
		free(buf);
	if (e != 0) {
		gcry_mpi_release(*out);
		*out = NULL;
		return rp_fail(err, RP_REFUSED, "%s", why);
	}
	if (secret)
		gcry_mpi_set_flag(*out, GCRYMPI_FLAG_SECURE);
	return 0;
}

int
der_read_ulong(asn1_node node, const char *name, unsigned long *out,
    struct rp_error *err)
{
	unsigned char buf[sizeof(unsigned long) + 1];
	int n = sizeof(buf), rc, i;
	unsigned long v = 0;

	rc = asn1_read_value(node, name, buf, &n);
	if (rc != ASN1_SUCCESS || n <= 0 || (buf[0] & 0x80) != 0) {
		return rp_fail(err, RP_REFUSED, "bad or oversized integer");
	}
	if (n == (int)sizeof(buf) && buf[0] != 0) {
		return rp_fail(err, RP_REFUSED, "bad or oversized integer");
	}
	for (i = 0; i < n; i++)
		v = v << 8 | buf[i];
	*out = v;
	return 0;
}

int
der_read_bytes(asn1_node node, const char *name, unsigned char *buf,
    size_t max, size_t *len, struct rp_error *err)
{
	int n = max > INT_MAX ? INT_MAX : (int)max, rc;

	rc = asn1_read_value(node, name, buf, &n);
	if (rc != ASN1_SUCCESS || n < 0) {
		return rp_fail(err, RP_REFUSED, "%s", rc == ASN1_MEM_ERROR ?
		    "oversized value in key" : "missing value in key");
	}
	*len = (size_t)n;
	return 0;
}

int
der_read_oid(asn1_node node, const char *name, char *buf, size_t size,
    struct rp_error *err)
{
	int n = size > INT_MAX ? INT_MAX : (int)size, rc;

	rc = asn1_read_value(node, name, buf, &n);
	if (rc != ASN1_SUCCESS || n <= 0 || buf[n - 1] != '\0') {
		return rp_fail(err, RP_REFUSED, "bad algorithm identifier");
	}
	return 0;
}

int
der_has(asn1_node node, const char *name)
{
	/* Decoding removes the OPTIONAL elements that were absent. */
	return asn1_find_node(node, name) != NULL;
}

static void
write_value(asn1_node node, const char *name, const void *val, int len)
{
	int rc;

	rc = asn1_write_value(node, name, val, len);
	if (rc != ASN1_SUCCESS)
		rp_fatal("ASN.1 write %s: %s", name, asn1_strerror(rc));
}

void
der_write_mpi(asn1_node node, const char *name, gcry_mpi_t m)
{
	unsigned char *buf;
	size_t n;
	gcry_error_t err;

	/* FMT_STD is two's complement with a leading zero where needed,
	 * which is what libtasn1 takes for a raw INTEGER. */
	err = gcry_mpi_print(GCRYMPI_FMT_STD, NULL, 0, &n, m);
	if (err != 0)
		rp_fatal("gcry_mpi_print: %s", gcry_strerror(err));
	buf = secure_alloc(n);
	err = gcry_mpi_print(GCRYMPI_FMT_STD, buf, n, &n, m);
	if (err != 0)
		rp_fatal("gcry_mpi_print: %s", gcry_strerror(err));
	if (n == 0) {
		/* Zero prints as nothing; DER wants one zero byte. */
		secure_free(buf);
		write_value(node, name, "\0", 1);
		return;
	}
	write_value(node, name, buf, (int)n);
	secure_free(buf);
}

void
der_write_ulong(asn1_node node, const char *name, unsigned long v)
{
	unsigned char buf[sizeof(unsigned long) + 1];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (unsigned char)v;
		v >>= 8;
	} while (v != 0);
	if (buf[i] & 0x80)
		buf[--i] = 0;
	write_value(node, name, buf + i, (int)(sizeof(buf) - i));
}

void
der_write_bytes(asn1_node node, const char *name, const unsigned char *buf,
    size_t len)
{
	write_value(node, name, buf, (int)len);
}

void
der_write_oid(asn1_node node, const char *name, const char *oid)
{
	write_value(node, name, oid, 1);
}

void
der_omit(asn1_node node, const char *name)
{
	write_value(node, name, NULL, 0);
}
