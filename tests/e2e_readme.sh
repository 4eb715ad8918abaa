#!/bin/sh
# tests/e2e_readme.sh -- the README cannot drift: every example command
# "$ build/crossproof ..." in an indented block of README.md is run (from the
# repository root, with $BUILD/crossproof) and must exit 0; the indented
# lines after it, up to the next "$ " line or the end of the block, are its
# expected standard output, compared line by line.  In an expected line
# "..." stands for any text (an elided tail or a varying radius); a line
# that is only "..." stands for any number of remaining lines.  Timing
# columns are the only other freedom: in a table whose header ends with
# "seconds", the last field of each row is not compared.
# Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh
README=${README:-README.md}

# split the README into cases: $T/N.cmd (the command) and $T/N.exp (output)
awk -v dir="$T" '
    function flush() { if (cur) { close(cmdf); close(expf) } }
    /^    / {
        line = substr($0, 5)
        if (line ~ /^\$ build\/crossproof( |$)/) {
            flush(); cur++; inblock = 1
            cmdf = dir "/" cur ".cmd"; expf = dir "/" cur ".exp"
            cmd = substr(line, 3); sub(/[ \t]+#.*$/, "", cmd)
            print cmd > cmdf; printf "" > expf
            next
        }
        if (inblock && cur) { print line > expf }
        next
    }
    { inblock = 0 }
    END { flush(); print cur + 0 > (dir "/count") }
' "$README"
count=$(cat "$T/count")
if [ "$count" -lt 4 ]; then fail "README has $count example commands (expected at least 4)"; fi

# normalise: the last field of the rows of a table with a "seconds" header
mask() {
    awk '{ if ($NF == "seconds") { tab = 1; print; next }
           if (tab && NF > 1 && $0 !~ /^\.\.\.$/) { sub(/[^ ]+$/, "T") } else if (NF == 0) tab = 0
           print }' "$1"
}

i=1
while [ "$i" -le "$count" ]; do
    cmd=$(cat "$T/$i.cmd")
    run=$BUILD/${cmd#build/}
    sh -c "$run" > "$T/$i.out" 2> "$T/$i.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "README example exits 0: $cmd (exit $rc)"; head -5 "$T/$i.err"
    elif [ ! -s "$T/$i.exp" ]; then
        ok "README example runs: $cmd"
    else
        mask "$T/$i.exp" > "$T/$i.mexp"; mask "$T/$i.out" > "$T/$i.mout"
        # line-by-line glob match; "..." alone matches the rest
        if awk -v expf="$T/$i.mexp" '
            function quote(s,   r, c, k) {
                r = ""
                for (k = 1; k <= length(s); k++) {
                    c = substr(s, k, 1)
                    if (index("\\^$.[]|()*+?{}/", c)) r = r "\\" c; else r = r c
                }
                return r
            }
            function pattern(s,   parts, m, k, r) {
                m = split(s, parts, /\.\.\./)
                r = quote(parts[1])
                for (k = 2; k <= m; k++) r = r ".*" quote(parts[k])
                return "^" r "$"
            }
            BEGIN { ne = 0; while ((getline l < expf) > 0) e[++ne] = l }
            { a[++na] = $0 }
            END {
                for (k = 1; k <= ne; k++) {
                    if (e[k] == "...") exit 0
                    if (k > na) { printf "missing line %d: %s\n", k, e[k]; exit 1 }
                    if (a[k] !~ pattern(e[k])) { printf "line %d differs:\n  README:  %s\n  program: %s\n", k, e[k], a[k]; exit 1 }
                }
                if (na > ne) { printf "extra line %d: %s\n", ne + 1, a[ne + 1]; exit 1 }
                exit 0
            }' "$T/$i.mout" > "$T/$i.diff"; then
            ok "README sample output matches: $cmd"
        else
            fail "README sample output matches: $cmd"; cat "$T/$i.diff"
        fi
    fi
    i=$((i + 1))
done
echo "1..$n"
[ "$bad" -eq 0 ]
