# tests/testlib.sh -- the common preamble of the end-to-end scripts, sourced
# from the repository root (`. tests/testlib.sh`): BUILD and CP (the program),
# a scratch directory $T removed on exit, ok/fail/check printing
# "ok N - what" / "not ok N - what", and finish (the closing count and the
# exit status: 1 if any case failed).
BUILD=${BUILD:-build}
CP=$BUILD/crossproof
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
bad=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else fail "$1"; fi; }
finish() { echo "# $n cases, $bad failed"; [ "$bad" -eq 0 ]; }
# With CP_REF_CROSSPROOF=path (a build of main, say): whether `crossproof
# ARGS...` prints the same bytes from both builds, apart from the source
# revision and JSON timings.
same_as_ref() {
    "$CP_REF_CROSSPROOF" "$@" | sed -e 's/"source": "[^"]*"/"source": R/g; s/"seconds": [0-9.]*/"seconds": S/g' > "$T/ref.out"
    "$CP" "$@" | sed -e 's/"source": "[^"]*"/"source": R/g; s/"seconds": [0-9.]*/"seconds": S/g' > "$T/new.out"
    cmp -s "$T/ref.out" "$T/new.out"
}
