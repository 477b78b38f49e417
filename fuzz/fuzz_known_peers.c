/* SPDX-License-Identifier: ISC */
/*
 * fuzz_known_peers: the known-peers file, which users edit by hand and
 * paste keys into.  The first line of the input is the name looked up;
 * the rest is read both as a known_peers file and as an allow list
 * (the same lines, and ssh-rsa lines too).
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "fuzz.h"
#include "keyswap/known_peers.h"

static char fingerprint[KEY_FINGERPRINT_LEN];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_known_peers");
	key_fingerprint(fuzz_key("alice"), fingerprint);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct known_peer_entry entry;
	char name[KNOWN_PEERS_NAME_MAX + 2], found[KNOWN_PEERS_NAME_MAX + 1];
	const uint8_t *nl;
	struct rp_error perr = { RP_OK, "" };
	size_t n;
	int r;

	if (size > KNOWN_PEERS_FILE_MAX)
		return 0;
	nl = memchr(data, '\n', size);
	if (nl == NULL)
		return 0;
	n = (size_t)(nl - data);
	if (n > KNOWN_PEERS_NAME_MAX + 1)
		return 0;
	memcpy(name, data, n);
	name[n] = '\0';
	if (!known_peers_valid_name(name))
		return 0;
	data += n + 1;
	size -= n + 1;
	memset(&entry, 0, sizeof(entry));
	r = known_peers_lookup(data, size, name, fingerprint, &entry, &perr);
	if (r < 0 ? perr.reason[0] == '\0' : (r != KNOWN_PEER_NEW &&
	    r != KNOWN_PEER_MATCH && r != KNOWN_PEER_CHANGED))
		abort();
	rp_clear(&perr);
	r = known_peers_allowed_lookup(data, size, fingerprint, found, &entry,
	    &perr);
	if (r < 0 ? perr.reason[0] == '\0' || entry.line == 0 : r > 1 ||
	    (r == 1 && !known_peers_valid_name(found)))
		abort();
	return 0;
}
