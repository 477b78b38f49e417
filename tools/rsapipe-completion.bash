# shellcheck shell=bash
# SPDX-License-Identifier: ISC
# bash completion for rsapipe's commands: rsa-keygen, rsa-encrypt,
# rsa-decrypt, keyswap, rsa-chat-server and rsa-chat-client.
#
# "make install" puts this file in $(BASHCOMPDIR) (bash-completion's
# completionsdir) as rsapipe, with one symlink to it per command name, so
# bash-completion loads it the first time any of them is completed.  It
# uses bash-completion's helpers (_init_completion, _filedir,
# _known_hosts_real) and offers every option each command takes; options
# that name a key or another file complete file names, and
# "rsa-chat-client --forget" and "keyswap --forget" complete the peers
# recorded in the known-peers file.

# _rsapipe_known_peer_names FILE: the names recorded in a known-peers
# file ("NAME VALUE" lines, # comments), one a line, each once.
_rsapipe_known_peer_names()
{
    [[ -r $1 ]] || return 0
    local name _
    while read -r name _; do
        [[ -z $name || $name == \#* ]] && continue
        printf '%s\n' "$name"
    done <"$1" | sort -u
}

# The chat client records a server under HOST:PORT.
_rsapipe_chat_known_peers()
{
    _rsapipe_known_peer_names "${XDG_CONFIG_HOME:-$HOME/.config}/rsapipe/known_peers"
}

# _rsapipe_operands: the operands before the word being completed (the
# words not starting with -, nor the argument of an option listed in the
# caller's $with_arg) into the caller's array operands.
_rsapipe_operands()
{
    local i
    operands=()
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == -- ]]; then
            operands+=("${words[@]:i+1:cword-i-1}")
            break
        elif [[ " $with_arg " == *" ${words[i]} "* ]]; then
            ((i++))
        elif [[ ${words[i]} != -* ]]; then
            operands+=("${words[i]}")
        fi
    done
}

# _rsapipe_word_after OPTION: the word following OPTION on the line.
_rsapipe_word_after()
{
    local i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == "$1" ]]; then
            printf '%s\n' "${words[i + 1]}"
            return 0
        elif [[ ${words[i]} == "$1"=* ]]; then
            printf '%s\n' "${words[i]#*=}"
            return 0
        fi
    done
    return 1
}

_rsapipe_has_word()
{
    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == "$1" ]] && return 0
    done
    return 1
}

_rsapipe_rsa_keygen()
{
    local cur prev words cword split
    _init_completion -s || return

    case $prev in
        -o | --public | --passphrase-file)
            _filedir
            return
            ;;
        -b)
            mapfile -t COMPREPLY < <(compgen -W '2048 3072 4096 8192 16384' -- "$cur")
            return
            ;;
        --passphrase-fd)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-b -o -q -y -l -h --public --encrypt
            --passphrase-file --passphrase-fd --help --version' -- "$cur")
        return
    fi
    # -y [private], -l [key]: a key file.
    if _rsapipe_has_word -y || _rsapipe_has_word -l; then
        _filedir
    fi
}

_rsapipe_rsa_encrypt()
{
    local cur prev words cword split
    _init_completion -s || return

    case $prev in
        -r | --recipient | -R | --recipients-file | -s | --sign | --session | \
            -o | --output | --passphrase-file)
            _filedir
            return
            ;;
        --passphrase-fd)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-r -R -s -a -o -h --recipient
            --recipients-file --sign --session --age --armor --output
            --passphrase-file --passphrase-fd --help --version' -- "$cur")
        return
    fi
    _filedir
}

_rsapipe_rsa_decrypt()
{
    local cur prev words cword split
    _init_completion -s || return

    case $prev in
        -i | --identity | --from | --session | -o | --output | --passphrase-file)
            _filedir
            return
            ;;
        --passphrase-fd | --status-fd)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-i -o -h --identity --from --session
            --stop-at-final --status-fd --output --passphrase-file --passphrase-fd
            --help --version' -- "$cur")
        return
    fi
    _filedir
}

_rsapipe_keyswap()
{
    local cur prev words cword split
    # Known-peers names hold colons (HOST:PORT): one word, not three.
    _init_completion -s -n : || return

    case $prev in
        --identity | --session-key | --peer-out | --session-out | \
            --peer-identity-out | --peer-name-out | --peer | --known-peers | \
            --allowed | --passphrase-file | --invite-file)
            _filedir
            return
            ;;
        --allowed-keys)
            _filedir -d
            return
            ;;
        --forget)
            local file
            if file=$(_rsapipe_word_after --known-peers); then
                [[ $file == \~/* ]] && file=$HOME/${file#\~/}
                mapfile -t COMPREPLY < <(compgen -W \
                    "$(_rsapipe_known_peer_names "$file")" -- "$cur")
                __ltrim_colon_completions "$cur"
            fi
            return
            ;;
        --name | --timeout | --passphrase-fd | --invite | --invite-valid | \
            --code)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-h --identity --session-key --peer-out
            --session-out --peer-identity-out --peer-name-out --peer
            --known-peers --name --ask --accept-new --refuse-new --allowed
            --allowed-keys --forget --accept-any --busy --timeout --passphrase-file --passphrase-fd
            --invite --invite-file --invite-valid --code
            --help --version' -- "$cur")
    fi
}

# --identity of the chat: "agent:" and the .pub files after it, or
# agent:SHA256: and the fingerprints the agent holds (ssh-add -l).
_rsapipe_chat_identity()
{
    local fps
    if [[ $cur != agent:* ]]; then
        COMPREPLY=(agent:)
        compopt -o nospace 2>/dev/null
        return
    fi
    if [[ $cur == agent:SHA256:* ]]; then
        fps=$(ssh-add -l -E sha256 2>/dev/null | grep ' (RSA)$' | cut -d' ' -f2)
        mapfile -t COMPREPLY < <(compgen -P agent: -W "$fps" -- "${cur#agent:}")
        __ltrim_colon_completions "$cur"
        return
    fi
    local c
    mapfile -t COMPREPLY < <(compgen -f -X '!*.pub' -- "${cur#agent:}";
        compgen -d -- "${cur#agent:}")
    for c in "${!COMPREPLY[@]}"; do
        COMPREPLY[c]=agent:${COMPREPLY[c]}
    done
    __ltrim_colon_completions "$cur"
}

# The chat commands are scripts: "--option value", never "--option=value".
_rsapipe_rsa_chat_server()
{
    local cur prev words cword
    # agent:SHA256:... is one word, not five.
    _init_completion -n : || return

    case $prev in
        --peer | --allow)
            _filedir
            return
            ;;
        --identity)
            _rsapipe_chat_identity
            return
            ;;
        --link-timeout | --invite | --invite-valid)
            # --invite's NAME is optional and the client's to choose.
            [[ $prev == --invite && $cur == -* ]] || return
            ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '--nc --peer --allow --link-timeout
            --identity --invite --invite-valid -h --help' -- "$cur")
    fi
    # [PORT]: nothing to offer.
}

_rsapipe_rsa_chat_client()
{
    local cur prev words cword
    # agent:SHA256:... is one word, not five.
    _init_completion -n : || return

    case $prev in
        --peer)
            _filedir
            return
            ;;
        --identity)
            _rsapipe_chat_identity
            return
            ;;
        --name | --link-timeout | --code)
            return
            ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '--nc --peer --accept-new --name
            --link-timeout --forget --identity --code -h --help' -- "$cur")
        return
    fi

    local with_arg='--peer --name --link-timeout --identity --code' operands=()
    _rsapipe_operands
    if _rsapipe_has_word --forget; then
        # --forget HOST [PORT]: the servers recorded as HOST:PORT.
        local peers p
        peers=$(_rsapipe_chat_known_peers | grep ':[0-9][0-9]*$')
        if ((${#operands[@]} == 0)); then
            mapfile -t COMPREPLY < <(compgen -W \
                "$(sed 's/:[0-9]*$//' <<<"$peers" | sort -u)" -- "$cur")
        elif ((${#operands[@]} == 1)); then
            # The ports recorded for that HOST.
            mapfile -t COMPREPLY < <(compgen -W "$(while IFS= read -r p; do
                [[ ${p%:*} == "${operands[0]}" ]] && printf '%s\n' "${p##*:}"
            done <<<"$peers")" -- "$cur")
        fi
        return
    fi
    # HOST: known hosts, and the servers already recorded.
    if ((${#operands[@]} == 0)); then
        _known_hosts_real -- "$cur"
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W \
            "$(_rsapipe_chat_known_peers | sed -n 's/:[0-9][0-9]*$//p' |
                sort -u)" -- "$cur")
    fi
}

complete -F _rsapipe_rsa_keygen rsa-keygen
complete -F _rsapipe_rsa_encrypt rsa-encrypt
complete -F _rsapipe_rsa_decrypt rsa-decrypt
complete -F _rsapipe_keyswap keyswap
complete -F _rsapipe_rsa_chat_server rsa-chat-server
complete -F _rsapipe_rsa_chat_client rsa-chat-client

# ex: filetype=sh
