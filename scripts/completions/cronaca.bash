# bash completion for cronaca-indexer and cronaca-searcher.
#
# Installed as share/bash-completion/completions/cronaca-{indexer,searcher}
# (bash-completion loads it at the first Tab), or source it by hand.
# The options are read from the program's own --help at the first Tab
# (and kept for the session), so a new option completes without an edit
# here. An option's value completes by the name --help gives it: INDEX,
# FILE and PATH complete file names; ORDER, FORMAT, MARKUP, FIELD and LANG
# their words; anything else (N, DATE, ID, TEXT) nothing.

# The option lines of PROGRAM --help as "OPTION<tab>VALUE-NAME", one option
# a line ("-d<tab>INDEX", "--index<tab>INDEX", "--all<tab>").
_cronaca_parse_help() {
  "$1" --help 2>/dev/null | awk '
    match($0, /^ +-/) && RLENGTH <= 9 {
      spec = $0
      sub(/^ +/, "", spec)
      sub(/  .*/, "", spec)
      # "-d, --index INDEX", "--bm25 K1,B", "--help, --version"; a long
      # value name may leave one space only: "--highlight MARKUP matched..."
      n = split(spec, w, / +/)
      meta = ""
      nalias = 0
      for (i = 1; i <= n; i++) {
        if (w[i] ~ /^--?[A-Za-z0-9]/) { sub(/[,=].*/, "", w[i]); alias[++nalias] = w[i] }
        else if (nalias && meta == "" && w[i] ~ /^[A-Z][A-Z0-9_]*(,[A-Z0-9_]+)*,?$/) { meta = w[i]; sub(/,$/, "", meta) }
        else break
      }
      for (i = 1; i <= nalias; i++) printf "%s\t%s\n", alias[i], meta
    }'
}

declare -gA _cronaca_help_cache 2>/dev/null || true

_cronaca() {
  local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # bash splits --since=DATE at '=' (COMP_WORDBREAKS): see through it.
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi

  local table=${_cronaca_help_cache[$prog]-}
  if [[ -z $table ]]; then
    table=$(_cronaca_parse_help "$prog")
    _cronaca_help_cache[$prog]=$table
  fi

  # The value of the option just before the cursor?
  local opt meta
  if [[ $prev == -* ]]; then
    while IFS=$'\t' read -r opt meta; do
      [[ $opt == "$prev" ]] || continue
      [[ -n $meta ]] || break
      case $meta in
      INDEX | DIR | FILE | PATH)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        ;;
      ORDER) COMPREPLY=($(compgen -W "relevance date -date oldest" -- "$cur")) ;;
      FORMAT) COMPREPLY=($(compgen -W "text json jsonl csv tsv" -- "$cur")) ;;
      MARKUP) COMPREPLY=($(compgen -W "ansi markdown html none" -- "$cur")) ;;
      FIELD) COMPREPLY=($(compgen -W "year month author source" -- "$cur")) ;;
      LANG)
        COMPREPLY=($(compgen -W "italian english french german spanish
          portuguese romanian catalan basque dutch danish swedish norwegian
          finnish russian greek turkish arabic hungarian irish lithuanian
          nepali serbian tamil indonesian armenian hindi yiddish porter" -- "$cur"))
        ;;
      *) COMPREPLY=() ;;
      esac
      return 0
    done <<<"$table"
  fi

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(cut -f1 <<<"$table")" -- "$cur"))
  elif [[ ${prog##*/} == *indexer ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=() # query words
  fi
  return 0
}

complete -F _cronaca cronaca-indexer cronaca-searcher
