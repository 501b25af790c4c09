# help-options.sh — sourced by check-man.sh and check-completion.sh: the
# options a program's --help lists.

# The options PROGRAM --help lists, one a line: from each option line
# (indented at most 8 spaces, starting with -), its leading options and
# their value names ("-d, --index INDEX", "--highlight MARKUP text...").
help_options() {
  "$1" --help | awk '
    match($0, /^ +-/) && RLENGTH <= 9 {
      line = $0
      sub(/^ +/, "", line)
      sub(/  .*/, "", line)
      n = split(line, w, / +/)
      nalias = 0
      meta = ""
      for (i = 1; i <= n; i++) {
        if (w[i] ~ /^--?[A-Za-z0-9]/) { sub(/[,=].*/, "", w[i]); print w[i]; nalias++ }
        else if (nalias && meta == "" && w[i] ~ /^[A-Z][A-Z0-9_]*(,[A-Z0-9_]+)*,?$/) meta = w[i]
        else break
      }
    }' | sort -u
}
