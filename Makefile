# SPDX-License-Identifier: ISC
# rsapipe: RSA-keyed private chat as Unix filters.
.POSIX:
.SUFFIXES:
.SUFFIXES: .c .o

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
LIBEXECDIR = $(PREFIX)/libexec/rsapipe
EXAMPLESDIR = $(PREFIX)/share/rsapipe/examples
SYSTEMDUNITDIR = $(PREFIX)/lib/systemd/system
TMPFILESDIR = $(PREFIX)/lib/tmpfiles.d
CC = cc
CFLAGS = -O2 -g
LDFLAGS =
PKG_CONFIG = pkg-config

# Our own flags go beside the user's CFLAGS, never instead of them, so
# `make check CFLAGS="-g -fsanitize=address,undefined"` keeps warnings and
# hardening.  HARDEN may be emptied for exotic toolchains.
WARN = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-Wformat=2 -Wvla -Wpointer-arith
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LDFLAGS = -pie -Wl,-z,relro,-z,now
DEPS_CFLAGS != $(PKG_CONFIG) --cflags libgcrypt gpg-error libtasn1 2>/dev/null || true
DEPS_LIBS != $(PKG_CONFIG) --libs libgcrypt gpg-error libtasn1 2>/dev/null || true
EDIT_CFLAGS != $(PKG_CONFIG) --cflags libedit 2>/dev/null || true
EDIT_LIBS != $(PKG_CONFIG) --libs libedit 2>/dev/null || echo -ledit
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread -Ilib $(WARN) $(HARDEN) $(DEPS_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(HARDEN_LDFLAGS) $(CFLAGS) $(LDFLAGS)

LIB = lib/librsapipe.a
LIB_HDRS = lib/age/age.h lib/age/age_armor.h lib/age/age_format.h \
	lib/age/age_keys.h lib/age/age_stanza.h lib/age/age_stream.h \
	lib/age/age_worker.h \
	lib/api/decrypt.h lib/api/detect.h lib/api/input.h lib/api/keyset.h \
	lib/api/recipients.h lib/codec/armor.h lib/codec/base64.h \
	lib/codec/bech32.h lib/codec/bytes.h lib/codec/der.h lib/codec/lines.h \
	lib/codec/pem.h lib/core/common.h lib/core/error.h lib/core/filter.h \
	lib/core/io.h lib/core/textsafe.h lib/core/tty.h lib/core/write_all.h \
	lib/crypto/bcrypt_pbkdf.h lib/crypto/blowfish.h \
	lib/crypto/blowfish_pi.h lib/crypto/cipher_state.h lib/crypto/hkdf.h \
	lib/crypto/rsa.h lib/crypto/rsa_pkcs1.h lib/crypto/spake2.h \
	lib/keys/agent.h lib/keys/agent_proto.h lib/keys/identity.h \
	lib/keys/keys.h lib/keys/keys_der.h lib/keys/openssh_key.h \
	lib/keys/passphrase.h lib/keys/pkcs8.h lib/keys/ssh_blob.h \
	lib/keys/sshsig.h lib/keyswap/invite_code.h lib/keyswap/keyswap.h \
	lib/keyswap/keyswap_run.h lib/keyswap/keyswap_trust.h \
	lib/keyswap/known_peers.h lib/keyswap/wordlist.h lib/stream/format.h \
	lib/stream/stream.h lib/stream/stream_agent.h \
	lib/stream/stream_format.h lib/stream/stream_record.h \
	lib/stream/stream_rsa.h
LIB_OBJS = lib/age/age.o lib/age/age_armor.o lib/age/age_decrypt.o \
	lib/age/age_encrypt.o lib/age/age_format.o lib/age/age_keys.o \
	lib/age/age_stanza.o lib/age/age_stream.o lib/age/age_worker.o \
	lib/api/decrypt.o lib/api/detect.o lib/api/input.o \
	lib/api/keyset.o lib/api/recipients.o lib/codec/armor.o \
	lib/codec/base64.o lib/codec/bech32.o lib/codec/bytes.o lib/codec/der.o \
	lib/codec/keys_asn1_tab.o lib/codec/lines.o lib/codec/pem.o \
	lib/core/common.o lib/core/error.o lib/core/filter.o lib/core/io.o \
	lib/core/io_output.o lib/core/textsafe.o lib/core/tty.o \
	lib/core/write_all.o lib/crypto/bcrypt_pbkdf.o lib/crypto/blowfish.o \
	lib/crypto/hkdf.o lib/crypto/rsa.o lib/crypto/rsa_pkcs1.o \
	lib/crypto/spake2.o lib/crypto/spake2_w.o lib/keys/agent.o \
	lib/keys/agent_reply.o lib/keys/identity.o lib/keys/key_file.o \
	lib/keys/key_pem.o lib/keys/key_ssh.o lib/keys/key_write.o \
	lib/keys/keys.o lib/keys/openssh_key.o lib/keys/passphrase.o \
	lib/keys/pkcs8.o lib/keys/ssh_blob.o lib/keys/sshsig.o \
	lib/keyswap/invite_code.o lib/keyswap/keyswap.o \
	lib/keyswap/keyswap_conn.o lib/keyswap/keyswap_invite.o \
	lib/keyswap/keyswap_proof.o lib/keyswap/keyswap_run.o \
	lib/keyswap/keyswap_trust.o lib/keyswap/known_peers.o \
	lib/keyswap/known_peers_file.o lib/stream/stream.o \
	lib/stream/stream_agent.o lib/stream/stream_format.o \
	lib/stream/stream_record.o lib/stream/stream_rsa.o

# Printing, exiting and the shared options (tools/cli.h): linked into
# every program, the test programs and the bench included; the library
# itself only returns codes with reasons (lib/core/error.h).
CLI = tools/cli.o
TOOLS = tools/rsa-keygen tools/rsa-encrypt tools/rsa-decrypt tools/keyswap
MANS = tools/rsa-keygen.1 tools/rsa-encrypt.1 tools/rsa-decrypt.1 \
	tools/keyswap.1 tools/rsa-chat.1
# The chat: commands on PATH (installed without the .sh), and what they
# run, in LIBEXECDIR.  "make install" writes the installed directories
# into the scripts' rsapipe_libexec= and rsapipe_bindir= lines.
CHAT_COMMANDS = tools/rsa-chat-server.sh tools/rsa-chat-client.sh
CHAT_LIBEXEC = tools/chat-session.sh tools/rsapipe-lib.sh \
	examples/echo-service.sh
CHAT_TERM = tools/chat-term
EXAMPLES = examples/demo.sh examples/echo-client.sh
# The echo service's socket activation: systemd units (a trailing .in is
# dropped on install) and an inetd line, their paths written by SUBST.
UNITS = examples/systemd/rsapipe-echo.socket \
	examples/systemd/rsapipe-echo@.service.in
INETD_CONF = examples/inetd.conf.in
TMPFILES = examples/systemd/rsapipe.tmpfiles

all: $(TOOLS) $(CHAT_TERM)

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(LIB_OBJS): $(LIB_HDRS)

.c.o:
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The libtasn1 table is committed so building needs no asn1Parser
# (package libtasn1-bin); after editing lib/codec/keys_asn1.asn run
# `make asn1-tables` and commit both files.
asn1-tables:
	asn1Parser -o lib/codec/keys_asn1_tab.c -n keys_asn1_tab lib/codec/keys_asn1.asn

tools/rsa-keygen: tools/rsa-keygen.o $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ tools/rsa-keygen.o $(CLI) $(LIB) $(DEPS_LIBS)
tools/rsa-encrypt: tools/rsa-encrypt.o $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ tools/rsa-encrypt.o $(CLI) $(LIB) $(DEPS_LIBS)
tools/rsa-decrypt: tools/rsa-decrypt.o $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ tools/rsa-decrypt.o $(CLI) $(LIB) $(DEPS_LIBS)
KEYSWAP_OBJS = tools/keyswap.o tools/keyswap_keys.o tools/keyswap_options.o \
	tools/keyswap_v2.o
tools/keyswap: $(KEYSWAP_OBJS) $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(KEYSWAP_OBJS) $(CLI) $(LIB) $(DEPS_LIBS)
$(KEYSWAP_OBJS): tools/keyswap_keys.h tools/keyswap_options.h \
	tools/keyswap_v2.h

# chat-term and its modules (tools/chat_term.h), which see libedit.
CHAT_TERM_OBJS = tools/chat-term.o tools/chat_screen.o tools/chat_lines.o \
	tools/chat_edit.o
tools/chat-term: $(CHAT_TERM_OBJS) $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CHAT_TERM_OBJS) $(CLI) $(LIB) $(EDIT_LIBS) $(DEPS_LIBS)
tools/chat-term.o: tools/chat-term.c $(LIB_HDRS) tools/cli.h tools/chat_term.h
	$(CC) $(ALL_CFLAGS) $(EDIT_CFLAGS) -c -o $@ tools/chat-term.c
tools/chat_screen.o: tools/chat_screen.c $(LIB_HDRS) tools/cli.h tools/chat_term.h
	$(CC) $(ALL_CFLAGS) $(EDIT_CFLAGS) -c -o $@ tools/chat_screen.c
tools/chat_lines.o: tools/chat_lines.c $(LIB_HDRS) tools/cli.h tools/chat_term.h
	$(CC) $(ALL_CFLAGS) $(EDIT_CFLAGS) -c -o $@ tools/chat_lines.c
tools/chat_edit.o: tools/chat_edit.c $(LIB_HDRS) tools/cli.h tools/chat_term.h
	$(CC) $(ALL_CFLAGS) $(EDIT_CFLAGS) -c -o $@ tools/chat_edit.c

tools/rsa-keygen.o tools/rsa-encrypt.o tools/rsa-decrypt.o $(KEYSWAP_OBJS) \
	$(CLI): $(LIB_HDRS) tools/cli.h

# Installs what is missing (as root) or prints the command to run.
deps:
	sh scripts/deps.sh

check: deps
	$(MAKE) all
	sh tests/run.sh

demo: deps
	$(MAKE) all
	bash examples/demo.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for t in $(TOOLS); do cp -f $$t $(DESTDIR)$(BINDIR)/ && \
		chmod 755 $(DESTDIR)$(BINDIR)/$${t##*/} || exit 1; done
	for m in $(MANS); do cp -f $$m $(DESTDIR)$(MANDIR)/man1/ && \
		chmod 644 $(DESTDIR)$(MANDIR)/man1/$${m##*/} || exit 1; done
	for l in $(MAN_LINKS); do ln -sf $(MAN_LINK_TARGET) \
		$(DESTDIR)$(MANDIR)/man1/$$l || exit 1; done
	mkdir -p $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(EXAMPLESDIR)
	cp -f $(CHAT_TERM) $(DESTDIR)$(LIBEXECDIR)/ && \
		chmod 755 $(DESTDIR)$(LIBEXECDIR)/chat-term
	for s in $(CHAT_COMMANDS); do n=$${s##*/}; \
		$(SUBST) $$s >$(DESTDIR)$(BINDIR)/$${n%.sh} && \
		chmod 755 $(DESTDIR)$(BINDIR)/$${n%.sh} || exit 1; done
	for s in $(CHAT_LIBEXEC); do $(SUBST) $$s \
		>$(DESTDIR)$(LIBEXECDIR)/$${s##*/} && \
		chmod 755 $(DESTDIR)$(LIBEXECDIR)/$${s##*/} || exit 1; done
	for e in $(EXAMPLES); do $(SUBST) $$e \
		>$(DESTDIR)$(EXAMPLESDIR)/$${e##*/} || exit 1; done
	chmod 755 $(DESTDIR)$(EXAMPLESDIR)/echo-client.sh \
		$(DESTDIR)$(EXAMPLESDIR)/demo.sh
	chmod 644 $(DESTDIR)$(LIBEXECDIR)/rsapipe-lib.sh
	$(SUBST) $(INETD_CONF) >$(DESTDIR)$(EXAMPLESDIR)/inetd.conf && \
		chmod 644 $(DESTDIR)$(EXAMPLESDIR)/inetd.conf
	mkdir -p $(DESTDIR)$(BASHCOMPDIR)
	cp -f $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/rsapipe && \
		chmod 644 $(DESTDIR)$(BASHCOMPDIR)/rsapipe
	for c in $(COMPLETED); do ln -sf rsapipe $(DESTDIR)$(BASHCOMPDIR)/$$c || \
		exit 1; done
	mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in $(UNITS); do n=$${u##*/}; n=$${n%.in}; \
		$(SUBST) $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$n && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$n || exit 1; done
	mkdir -p $(DESTDIR)$(TMPFILESDIR)
	cp -f $(TMPFILES) $(DESTDIR)$(TMPFILESDIR)/rsapipe.conf && \
		chmod 644 $(DESTDIR)$(TMPFILESDIR)/rsapipe.conf

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$${t##*/}; done
	for s in $(CHAT_COMMANDS); do n=$${s##*/}; \
		rm -f $(DESTDIR)$(BINDIR)/$${n%.sh}; done
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man1/$${m##*/}; done
	for l in $(MAN_LINKS); do rm -f $(DESTDIR)$(MANDIR)/man1/$$l; done
	for c in rsapipe $(COMPLETED); do rm -f $(DESTDIR)$(BASHCOMPDIR)/$$c; done
	rm -rf $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(LIBEXECDIR)
	for u in $(UNITS); do n=$${u##*/}; \
		rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$${n%.in}; done
	rm -f $(DESTDIR)$(TMPFILESDIR)/rsapipe.conf

# The installed scripts find each other and the programs by these paths.
SUBST = sed -e 's|^rsapipe_libexec=.*|rsapipe_libexec=$(LIBEXECDIR)|' \
	-e 's|^rsapipe_bindir=.*|rsapipe_bindir=$(BINDIR)|' \
	-e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

clean:
	rm -f $(LIB) lib/*/*.o tools/*.o $(TOOLS) $(CHAT_TERM) $(CLI)

.PHONY: asn1-tables all deps check demo install uninstall clean

# Test-only programs, built by `make check` before the suites run.
TEST_PROGS = tests/unit/age-stanza-test tests/unit/agent-tool \
	tests/unit/base64-test tests/unit/bcrypt-test tests/unit/bech32-test \
	tests/unit/bytes-test tests/unit/detect-test tests/unit/filter-test \
	tests/unit/hkdf-test tests/unit/identity-test \
	tests/unit/invite-code-test tests/unit/keyswap-test \
	tests/unit/lines-test tests/unit/spake2-test \
	tests/unit/stream-record-test tests/unit/write-all-test
check: $(TEST_PROGS)
# Each unit program is one C file linked with the library, by the .c:
# suffix rule (the tools have rules of their own).
$(TEST_PROGS): $(CLI) $(LIB) $(LIB_HDRS) tests/unit/unit.h tools/cli.h
.c:
	$(CC) $(ALL_CFLAGS) -c -o $@.o $<
	$(CC) $(ALL_LDFLAGS) -o $@ $@.o $(CLI) $(LIB) $(DEPS_LIBS)
# agent-tool is two C files: a rule of its own.
tests/unit/agent-tool: tests/unit/agent-tool.o tests/unit/agent-checks.o $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ tests/unit/agent-tool.o \
	    tests/unit/agent-checks.o $(CLI) $(LIB) $(DEPS_LIBS)
tests/unit/agent-tool.o tests/unit/agent-checks.o: $(LIB_HDRS) \
	tests/unit/agent-tool.h

# The invite codes' word list is compiled in from the shipped
# list; after changing share/wordlist-eff-short.txt run `make wordlist`
# and commit both (tests/spake2.bats checks they agree).
wordlist:
	sh scripts/gen-wordlist.sh share/wordlist-eff-short.txt >lib/keyswap/wordlist.h.tmp
	mv lib/keyswap/wordlist.h.tmp lib/keyswap/wordlist.h
.PHONY: wordlist

# Fuzzing with clang's libFuzzer: the library is rebuilt with ASan and
# UBSan into fuzz/build/ (never over lib/*.o), then every target replays
# its corpus and fuzzes for FUZZ_SECONDS.  See fuzz/run.sh.
FUZZ_SECONDS = 60
fuzz:
	$(MAKE) -f fuzz/Makefile LIB_OBJS="$(LIB_OBJS)" all
	sh fuzz/run.sh $(FUZZ_SECONDS)
.PHONY: fuzz

# Benchmarks against cat, age and openssl (not part of check): see
# doc/PERFORMANCE.md.  BENCH_QUICK=1 for a fast smoke run.
bench/recordrate: bench/recordrate.o $(CLI) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ bench/recordrate.o $(CLI) $(LIB) $(DEPS_LIBS)
bench/recordrate.o: $(LIB_HDRS)
bench: all bench/recordrate
	bash bench/run.sh
.PHONY: bench

# The version, in one place: the file VERSION.  The programs' --version,
# `make dist`'s tarball and debian/changelog (checked by
# tests/package.bats and debian/rules) all take it from there.
VERSION != cat VERSION
ALL_CFLAGS += -DRSAPIPE_VERSION='"$(VERSION)"'
$(LIB_OBJS): VERSION

# rsa-chat(1) covers both chat commands: "make install" gives each its own
# name as a symlink to it (what dh_installman makes of a .so link, and
# what mandoc advises), so `man rsa-chat-server` finds it.
MAN_LINKS = rsa-chat-server.1 rsa-chat-client.1
MAN_LINK_TARGET = rsa-chat.1

# Every man page lints clean at mandoc's warning level (part of check).
man-lint:
	mandoc -T lint -W warning $(MANS)
check: man-lint
.PHONY: man-lint

# Bash completion, where bash-completion loads it from (its
# completionsdir under PREFIX): the script as rsapipe, and a symlink to it
# named after each command it completes, so the first completion of any
# of them loads it.
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
COMPLETION = tools/rsapipe-completion.bash
COMPLETED = rsa-keygen rsa-encrypt rsa-decrypt keyswap rsa-chat-server \
	rsa-chat-client

# The release tarball, what a packager of another distribution starts
# from: rsapipe-VERSION.tar.gz in DIST_DIR, every file git tracks (as it
# is in the working tree, build products never) under rsapipe-VERSION/,
# owned by root and dated by the last commit, so the same tree gives the
# same bytes.  distcheck unpacks it in a fresh directory, builds, runs
# make check there (SUITES="tests/a.bats ..." for some suites only),
# installs into a DESTDIR and uninstalls, leaving nothing behind.
DIST_DIR = .
DIST_NAME = rsapipe-$(VERSION)
dist:
	@top=$$(git rev-parse --show-toplevel) || { echo "make dist: needs a git \
	checkout of rsapipe (it packs the files git tracks)" >&2; exit 1; }; \
	if [ "$$top" != "$$(pwd -P)" ]; then echo "make dist: run it at the top \
	of the checkout, $$top" >&2; exit 1; fi
	git ls-files -z | tar --null -T - --transform 's,^,$(DIST_NAME)/,rh' \
		--sort=name --owner=0 --group=0 --numeric-owner \
		--mode=u+rwX,go+rX,go-w --mtime=@$$(git log -1 --format=%ct) \
		-cf - | gzip -n -9 >$(DIST_DIR)/$(DIST_NAME).tar.gz.tmp
	mv $(DIST_DIR)/$(DIST_NAME).tar.gz.tmp $(DIST_DIR)/$(DIST_NAME).tar.gz
	@echo "$(DIST_DIR)/$(DIST_NAME).tar.gz"

distcheck: dist
	d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	tar -C "$$d" -xzf $(DIST_DIR)/$(DIST_NAME).tar.gz && \
	cd "$$d/$(DIST_NAME)" && $(MAKE) all && $(MAKE) check && \
	$(MAKE) install DESTDIR="$$d/inst" && \
	$(MAKE) uninstall DESTDIR="$$d/inst" && \
	left=$$(find "$$d/inst" ! -type d) && \
	if [ -n "$$left" ]; then echo "make distcheck: left after uninstall: $$left" >&2; \
		exit 1; fi
	@echo "$(DIST_NAME).tar.gz: built, checked, installed and uninstalled from a clean directory"
.PHONY: dist distcheck
