/* SPDX-License-Identifier: ISC */
/*
 * der.h: DER through libtasn1, for the structures in keys_asn1.asn.
 *
 * Decoding refuses anything but exactly one strict-DER value filling the
 * whole input.  Nodes that held private values are freed with
 * der_free(), which zeroes them.  Functions returning int give 0, or
 * fill err (core/error.h) and return RP_MALFORMED (der_decode: the
 * bytes are not one strict DER value) or RP_REFUSED (a value read from
 * a decoded structure is absent or out of range).  Internal faults (out
 * of memory, a bad element name, encoding values we built) end in
 * rp_fatal() (core/error.h): they are nobody's input.
 */
#ifndef RSAPIPE_DER_H
#define RSAPIPE_DER_H

#include <stddef.h>
#include <gcrypt.h>
#include <libtasn1.h>

#include "core/error.h"

/* An empty structure of the given type ("RSAPrivateKey", ...). */
asn1_node der_new(const char *type);
/* Decode der as type, which must consume all of it. */
int der_decode(const char *type, const unsigned char *der, size_t len,
    asn1_node *node, struct rp_error *err);
/* Encode node; with secret set the result is in secure memory (free with
 * secure_free(p)), else malloc'd (free()).  Cannot fail on input. */
unsigned char *der_encode(asn1_node node, int secret, size_t *len);
/* Zero and free a node; safe on NULL. */
void der_free(asn1_node *node);

/* A non-negative INTEGER as an MPI (secure when secret is set). */
int der_read_mpi(asn1_node node, const char *name, int secret,
    gcry_mpi_t *out, struct rp_error *err);
/* A non-negative INTEGER that fits in an unsigned long. */
int der_read_ulong(asn1_node node, const char *name, unsigned long *out,
    struct rp_error *err);
/* Raw value (OCTET STRING contents, or the whole TLV of an ANY) into
 * buf of size max.  RP_REFUSED if absent or too long. */
int der_read_bytes(asn1_node node, const char *name, unsigned char *buf,
    size_t max, size_t *len, struct rp_error *err);
/* An OBJECT IDENTIFIER in dotted form. */
int der_read_oid(asn1_node node, const char *name, char *buf, size_t size,
    struct rp_error *err);
/* 1 if the OPTIONAL element is present. */
int der_has(asn1_node node, const char *name);

/* Writers die on failure: they only fail on a programming error. */
void der_write_mpi(asn1_node node, const char *name, gcry_mpi_t m);
void der_write_ulong(asn1_node node, const char *name, unsigned long v);
void der_write_bytes(asn1_node node, const char *name,
    const unsigned char *buf, size_t len);
void der_write_oid(asn1_node node, const char *name, const char *oid);
/* Remove an OPTIONAL element. */
void der_omit(asn1_node node, const char *name);

#endif
