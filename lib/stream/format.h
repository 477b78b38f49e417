/* SPDX-License-Identifier: ISC */
/*
 * format.h: the rsapipe stream format, versions 1 and 2, in one place.
 *
 * doc/FORMAT.md documents every byte; this header holds the constants
 * and layouts the code uses.  All integers are big-endian.
 *
 *   header  = magic[7] "RSAPIPE" || version[1] = 0x01 or 0x02
 *             || flags[1] || salt[16] || count[1]
 *             || count * stanza
 *             || [session_tag[16]]           if FLAG_SESSION
 *             || [signer_id[8] || sig_len[2] || sig[sig_len]]  if FLAG_SIGNED
 *             || mac[32]
 *   version 1: sig is RSA-PSS; version 2: sig is an SSHSIG blob
 *   stanza  = key_id[8] || ct_len[2] || ct[ct_len]   (RSA-OAEP of file key)
 *   record  = type[1] || length[3] || ciphertext[length] || tag[16]
 */
#ifndef RSAPIPE_FORMAT_H
#define RSAPIPE_FORMAT_H

#define STREAM_MAGIC "RSAPIPE"
#define STREAM_MAGIC_LEN 7
#define STREAM_VERSION 0x01
/* Version 2: the same header, signed, its signature an SSHSIG
 * (doc/FORMAT.md section 2.1) under this namespace. */
#define STREAM_VERSION_SSHSIG 0x02
#define STREAM_SSHSIG_NAMESPACE "stream-v1@rsapipe"
#define STREAM_SSHSIG_MAX 8192     /* sig length of a version 2 header */

/* Header flag bits; any other bit set makes the header malformed. */
#define STREAM_FLAG_SIGNED  0x01
#define STREAM_FLAG_SESSION 0x02
#define STREAM_FLAGS_KNOWN  (STREAM_FLAG_SIGNED | STREAM_FLAG_SESSION)

#define STREAM_SALT_LEN 16
#define STREAM_FILE_KEY_LEN 32
#define STREAM_KEY_ID_LEN 8
#define STREAM_MAX_RECIPIENTS 64
/* An RSA block is the modulus size: 2048..16384 bits. */
#define STREAM_RSA_MIN_BYTES 256
#define STREAM_RSA_MAX_BYTES 2048
#define STREAM_SESSION_LEN 32      /* keyswap --session-out */
#define STREAM_SESSION_TAG_LEN 16
#define STREAM_MAC_LEN 32
#define STREAM_PSS_SALT_LEN 32

/* Offsets of the fixed part. */
#define STREAM_OFF_FLAGS 8
#define STREAM_OFF_SALT 9
#define STREAM_OFF_COUNT 25
#define STREAM_FIXED_LEN 26
#define STREAM_STANZA_FIXED_LEN (STREAM_KEY_ID_LEN + 2)

/* Largest possible header, for buffer sizing. */
#define STREAM_HEADER_MAX (STREAM_FIXED_LEN + \
	STREAM_MAX_RECIPIENTS * (STREAM_STANZA_FIXED_LEN + STREAM_RSA_MAX_BYTES) + \
	STREAM_SESSION_TAG_LEN + \
	STREAM_KEY_ID_LEN + 2 + STREAM_SSHSIG_MAX + STREAM_MAC_LEN)

/* OAEP label and HKDF info strings (no terminating NUL on the wire). */
#define STREAM_OAEP_LABEL "rsapipe/v1"
#define STREAM_INFO_HEADER "header"
#define STREAM_INFO_PAYLOAD "payload"
#define STREAM_INFO_SESSION "session"
/* Signature domain separation, prefixed to the signed bytes (with NUL). */
#define STREAM_SIG_CONTEXT "rsapipe/v1 stream signature"

/* Records. */
#define STREAM_RECORD_MORE  0x00
#define STREAM_RECORD_FINAL 0x01
#define STREAM_RECORD_HEADER_LEN 4
#define STREAM_RECORD_MAX 65536
#define STREAM_TAG_LEN 16
#define STREAM_NONCE_LEN 12
#define STREAM_RECORD_OVERHEAD (STREAM_RECORD_HEADER_LEN + STREAM_TAG_LEN)

/* Armor (-a). */
#define STREAM_ARMOR_TITLE "RSAPIPE MESSAGE"
#define STREAM_ARMOR_BEGIN "-----BEGIN RSAPIPE MESSAGE-----"

#endif
