/* SPDX-License-Identifier: ISC */
/*
 * textsafe.h: make untrusted text harmless to show on a terminal.
 *
 * A chat line is authentic once its record verifies, but authentic is not
 * harmless: a peer could send escape sequences that move the cursor,
 * repaint lines (to forge what the other side said), change the title or
 * colours, or reverse the text direction.  textsafe_line() keeps what a
 * person wrote (printable UTF-8, any script) and makes the rest inert.
 */
#ifndef RSAPIPE_TEXTSAFE_H
#define RSAPIPE_TEXTSAFE_H

#include <stddef.h>

/* Columns a tab becomes, and so the most bytes one input byte can become. */
#define TEXTSAFE_TAB 8
#define TEXTSAFE_GROWTH TEXTSAFE_TAB

/*
 * Copy len bytes of in to out as text safe for a terminal, NUL-terminated:
 * valid UTF-8 passes; a tab becomes TEXTSAFE_TAB spaces; C0 and C1
 * control characters, DEL, bidirectional overrides and isolates, line
 * and paragraph separators, and every byte that is not part of valid
 * UTF-8 become '?'.  out must hold len * TEXTSAFE_GROWTH + 1 bytes.
 * Returns the length written (without the NUL).  Never fails; the
 * result does not depend on the process's locale.
 */
size_t textsafe_line(const char *in, size_t len, char *out);

#endif
