/* SPDX-License-Identifier: ISC */
/* textsafe.c: untrusted text made inert for a terminal (see textsafe.h). */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "core/textsafe.h"

/* Formatting characters that change how the text around them reads
 * without showing themselves: they could make a line say something else
 * than its bytes (the "Trojan Source" trick), so they are shown as '?'. */
static int
is_invisible_control(wchar_t wc)
{
	return (wc >= 0x202a && wc <= 0x202e) || /* embeddings, overrides */
	    (wc >= 0x2066 && wc <= 0x2069) ||    /* isolates */
	    wc == 0x2028 || wc == 0x2029;        /* line, paragraph sep. */
}

/* The decoding does not depend on the user's locale: chat text is UTF-8. */
static locale_t
utf8_locale(void)
{
	static locale_t loc;

	if (loc == (locale_t)0)
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	return loc;
}

size_t
textsafe_line(const char *in, size_t len, char *out)
{
	locale_t loc = utf8_locale(), saved = (locale_t)0;
	mbstate_t st;
	size_t i = 0, o = 0, n;
	wchar_t wc;

	if (loc != (locale_t)0)
		saved = uselocale(loc);
	while (i < len) {
		if (in[i] == '\t') {
			memset(out + o, ' ', TEXTSAFE_TAB);
			o += TEXTSAFE_TAB;
			i++;
			continue;
		}
		memset(&st, 0, sizeof(st));
		n = mbrtowc(&wc, in + i, len - i, &st);
		if (loc == (locale_t)0 || n == (size_t)-1 || n == (size_t)-2 ||
		    n == 0 || iswcntrl((wint_t)wc) || is_invisible_control(wc)) {
			/* One '?' per bad byte or per control character. */
			out[o++] = '?';
			i += (n == (size_t)-1 || n == (size_t)-2 || n == 0) ?
			    1 : n;
			continue;
		}
		memcpy(out + o, in + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	if (saved != (locale_t)0)
		uselocale(saved);
	return o;
}
