/* SPDX-License-Identifier: ISC */
/*
 * stream_agent.h: a stream signer whose RSA key is held by ssh-agent
 * (rsa-encrypt -s agent:...), one more implementation of identity.h's
 * signing identity.  The agent cannot make RSA-PSS, so its signature is
 * an SSHSIG under STREAM_SSHSIG_NAMESPACE with sha512 and rsa-sha2-512,
 * in a version 2 header (doc/FORMAT.md section 2.1); the format picks
 * that scheme by the identity's kind, STREAM_AGENT_KIND.  It only signs:
 * it opens no stanza.
 */
#ifndef RSAPIPE_STREAM_AGENT_H
#define RSAPIPE_STREAM_AGENT_H

#include "core/error.h"
#include "keys/identity.h"
#include "keys/passphrase.h"

#define STREAM_AGENT_KIND "rsapipe-agent"

/*
 * The agent's key named by spec: "SHA256:..." (its fingerprint, as
 * ssh-add -l prints it) or a public key file (ssh-rsa line, PEM), found
 * in the agent at $SSH_AUTH_SOCK; the connection stays open for the
 * signature.  0, or agent.h's codes (no agent, key not in the agent,
 * ...) with a reason naming the key's fingerprint.
 */
int stream_agent_signer(const char *spec,
    const struct passphrase_source *pass, struct identity **out,
    struct rp_error *err);

#endif
