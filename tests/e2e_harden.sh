#!/bin/sh
# tests/e2e_harden.sh -- end-to-end tests of issue 9 (hardening), one group
# per defect class of docs/soundness.md ("Defect classes"): writers,
# readers, sizes, the command line.  Device nodes, FIFOs and symlinks are
# made in a scratch directory (mknod / mkfifo / ln -s), never on /dev.
# Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh
CP=$(cd "$(dirname "$BUILD/crossproof")" && pwd)/crossproof
TH=$(pwd)/theorems/lsa_impossibility.md
expect() {
    code=$1; what=$2; shift 2
    "$@" > "$T/out" 2> "$T/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok "$what"; else fail "$what (exit $rc, wanted $code)"; cat "$T/err"; fi
}
nonzero() {
    what=$1; shift
    "$@" > "$T/out" 2> "$T/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then ok "$what (exit $rc)"; else fail "$what (exit 0)"; fi
}
has()    { if grep -q -- "$2" "$1"; then ok "$3"; else fail "$3 (no '$2' in $1)"; cat "$1"; fi; }
hasnot() { if grep -q -- "$2" "$1"; then fail "$3 ('$2' in $1)"; cat "$1"; else ok "$3"; fi; }
check()  { if eval "$1"; then ok "$2"; else fail "$2 [$1]"; fi; }
ALL="$TH --only lsa.ref.gamma-avg -q"

# ==== 1. writers never destroy what is at the output path ===================
# a symlink is followed: the link stays, its target is replaced
echo OLD > "$T/target.md"; ln -s target.md "$T/link.md"
expect 0 "audit --report through a symlink" $CP audit $ALL --report "$T/link.md"
check '[ -L "$T/link.md" ]' "the symlink is still a symlink"
has "$T/target.md" "crossproof audit report" "the symlink's target holds the report"
# a dangling symlink: the target is created
ln -s made.json "$T/dangling.json"
expect 0 "audit --json through a dangling symlink" $CP audit $ALL --report "$T/r0.md" --json "$T/dangling.json"
check '[ -L "$T/dangling.json" ] && [ -f "$T/made.json" ]' "the dangling symlink's target is created"
# permission bits of the replaced file are kept
echo OLD > "$T/mode.md"; chmod 640 "$T/mode.md"
expect 0 "audit replaces a 0640 report" $CP audit $ALL --report "$T/mode.md"
check '[ "$(stat -c %a "$T/mode.md")" = 640 ]' "the replaced report keeps mode 640 (got $(stat -c %a "$T/mode.md"))"
# a character device is written directly, never replaced
if mknod "$T/null" c 1 3 2>/dev/null && mknod "$T/full" c 1 7 2>/dev/null; then
    expect 0 "audit --report to a scratch null device" $CP audit $ALL --report "$T/null"
    check '[ -c "$T/null" ]' "the null device is still a character device"
    expect 0 "simulate --csv to a scratch null device" $CP simulate prompts=100 --csv "$T/null"
    check '[ -c "$T/null" ]' "the null device survives simulate --csv"
    expect 0 "flow out= to a scratch null device" $CP flow out="$T/null"
    check '[ -c "$T/null" ]' "the null device survives flow out="
    # full disk: every writer fails, standard output included
    expect 2 "eval > full device fails" sh -c "$CP eval alpha-star m_lo=0.5 m_hi=4 > '$T/full'"
    has "$T/err" "standard output" "the stdout error names standard output"
    nonzero "flow > full device fails" sh -c "$CP flow > '$T/full'"
    nonzero "simulate --json > full device fails" sh -c "$CP simulate prompts=100 --json > '$T/full'"
    expect 2 "flow out= full device fails" $CP flow out="$T/full"
    has "$T/err" "write failed" "flow out= reports the failed write"
    expect 2 "audit --json to a full device fails" $CP audit $ALL --report "$T/rf.md" --json "$T/full"
    check '[ -c "$T/full" ]' "the full device is still a character device"
    expect 2 "train --csv to a full device fails" $CP train model=ca steps=20 batch=16 test_prompts=10 --csv "$T/full"
else
    ok "mknod not permitted: device cases skipped"
fi
# a FIFO is written directly (a reader gets the data), never replaced
mkfifo "$T/fifo"
timeout 30 cat "$T/fifo" > "$T/fifo.got" &
cpid=$!
expect 0 "audit --json into a FIFO" $CP audit $ALL --report "$T/r1.md" --json "$T/fifo"
wait $cpid
check '[ -p "$T/fifo" ]' "the FIFO is still a FIFO"
has "$T/fifo.got" '"verdict"' "the FIFO's reader got the JSON"
# flow out= is atomic: a failed write leaves the old file, no temporary file
echo OLD > "$T/flow.csv"
( ulimit -f 1; $CP flow out="$T/flow.csv" tol=1e-14 ) > "$T/out" 2> "$T/err"
rc=$?
check '[ $rc -ne 0 ]' "flow out= with a failed write exits non-zero (exit $rc)"
check '[ "$(cat "$T/flow.csv")" = OLD ]' "flow out= with a failed write leaves the old file"
check '! ls "$T"/flow.csv.tmp.* > /dev/null 2>&1' "flow out= leaves no temporary file"
# output paths are checked before the work starts: the report is not replaced
echo OLD > "$T/keep.md"
expect 2 "audit with an unwritable --json path" $CP audit "$TH" --only lsa.ref.gamma-avg --report "$T/keep.md" --json /nonexistent-dir/x.json
check '[ "$(cat "$T/keep.md")" = OLD ]' "the report is untouched when --json cannot be written"
hasnot "$T/out" "CERTIFIED" "no claim ran before the --json path was refused"
mkdir "$T/adir"
expect 2 "--report naming a directory" $CP audit $ALL --report "$T/adir"
has "$T/err" "is a directory" "the directory error says so"
# (a long run: refused at once, or stopped by the timeout with 124)
expect 2 "simulate --csv in a missing directory is refused before running" timeout 20 $CP simulate prompts=1e10 --csv /nonexistent-dir/s.csv
expect 2 "train --checkpoint in a missing directory is refused before training" timeout 20 $CP train model=ca steps=1e9 checkpoint_every=1e9 batch=16 test_prompts=10 --checkpoint /nonexistent-dir/c
# an interrupted train without a checkpoint keeps the complete CSV
echo COMPLETE > "$T/train.csv"
expect 1 "train stopped early without a checkpoint" $CP train model=ca steps=100 batch=16 test_prompts=10 stop_after=2 --csv "$T/train.csv"
check '[ "$(cat "$T/train.csv")" = COMPLETE ]' "the complete CSV is not replaced by a partial one"
# a long output name (> 1100 bytes, under PATH_MAX) is not truncated
long=$T; for i in 1 2 3 4 5 6 7 8; do long=$long/$(printf 'd%.0s' $(seq 1 150)); done
mkdir -p "$long"
expect 0 "audit --report with a 1300-byte path" $CP audit $ALL --report "$long/report.md"
check '[ -f "$long/report.md" ]' "the report is written at the full path"

# ==== 2. readers ============================================================
if mknod "$T/zero" c 1 5 2>/dev/null; then
    expect 2 "--config from a zero device is refused (no hang)" timeout 20 $CP simulate --config "$T/zero" prompts=100
    has "$T/err" "not a regular file" "the error says not a regular file"
    expect 2 "--resume from a zero device is refused (no hang)" timeout 20 $CP train --resume "$T/zero"
    expect 2 "a theorem file from a zero device is refused" timeout 20 $CP audit "$T/zero"
fi
mkfifo "$T/fifo2"
expect 2 "--config FIFO is refused without blocking" timeout 20 $CP simulate --config "$T/fifo2" prompts=100
has "$T/err" "not a regular file" "the --config FIFO error says not a regular file"
expect 2 "--config directory is an error" $CP simulate --config "$T/adir" prompts=100
has "$T/err" "is a directory" "the --config directory error says so"
expect 2 "a directory as theorem file is an error" $CP audit "$T/adir" --report "$T/dir.md"
check '[ ! -e "$T/dir.md" ]' "nothing written for a directory theorem file"
# a long line is one line: the tail of a 5000-byte comment is not a key
{ printf '#'; printf 'x%.0s' $(seq 1 4094); printf 'seed = 9\nprompts = 100\n'; } > "$T/long.cfg"
expect 0 "--config with a 5000-byte comment line" $CP simulate --config "$T/long.cfg"
has "$T/out" "seed=1 " "the comment's tail is not read as seed = 9"
printf 'prompts = 100\nseed = 1\0\n' > "$T/nul.cfg"
expect 2 "a NUL byte in --config is an error" $CP simulate --config "$T/nul.cfg"
has "$T/err" "nul.cfg:2:" "the NUL error names file:line"
printf '# t\n\n```check\nid = a.b\ncheck = lsa_gap_bound\n\0\n```\n' > "$T/nul.md"
expect 2 "a NUL byte in a theorem file is an error" $CP audit "$T/nul.md" --report "$T/nul.report.md"
has "$T/err" "nul.md:6:" "the theorem NUL error names file:line"
# corrupt checkpoints are refused with file:line
expect 0 "a checkpoint is written" $CP train model=ca steps=10 batch=16 test_prompts=10 --checkpoint "$T/ck"
for c in 's/^step .*/step -5/:step' 's/^navg .*/navg 99999999999999/:navg' 's/^theta .*/theta 0x1p-3 zz/:theta' \
         's/^theta .*/theta nan/:theta' 's/^last .*/last 1.5.5/:last' 's/^avg .*/avg 0.1 0.2/:avg' \
         's/^step 10/step 10x/:step' '$a garbage line:garbage'; do
    sedexpr=${c%:*}; what=${c##*:}
    sed -e "$sedexpr" "$T/ck" > "$T/ck.bad"
    expect 2 "corrupt checkpoint ($what) refused" $CP train --resume "$T/ck.bad" steps=20
    has "$T/err" "ck.bad:[0-9]*:" "the corrupt checkpoint ($what) error names file:line"
done
expect 0 "the intact checkpoint resumes" $CP train --resume "$T/ck" steps=20 test_prompts=10

# ==== 3. sizes ==============================================================
expect 2 "general-LSA train with d = 200000 is refused before allocating" $CP train model=lsa_general d1=100000 d2=100000 steps=1
has "$T/err" "GiB" "the size error says how much memory"
l=$(seq -s, 1 200)
expect 2 "a simulate grid of 8e6 points is refused" $CP simulate model=ca2 T=$l alpha=$l beta=$l prompts=2
has "$T/err" "grid" "the grid error names the grid"
expect 2 "train test_prompts beyond the cap" timeout 20 $CP train model=ca steps=2 batch=16 test_prompts=1e12
expect 2 "a huge sigma is an error, not risk inf" $CP simulate sigma=1e155 prompts=100 --json
hasnot "$T/out" "inf" "no inf in the JSON"
has "$T/err" "sigma" "the error names sigma"
expect 2 "train with a huge sigma is an error" $CP train sigma=1e155 steps=2 batch=16 test_prompts=10 --json
{ printf '# t\n\n```check\nid = a.b\ncheck = lsa_gap_bound\n'; for i in $(seq 1 300); do echo "k$i = 1"; done; echo '```'; } > "$T/keys.md"
expect 2 "a check block with 300 keys is refused" $CP audit "$T/keys.md" --report "$T/keys.report.md"
has "$T/err" "more than 256 keys" "the key-count error says so"
if [ "${CP_SANITIZE:-0}" != 1 ]; then    # ASan reserves terabytes of address space
    # the first image still starts OpenBLAS's pool (one thread per CPU) before
    # main() re-executes with OPENBLAS_NUM_THREADS=1: on a machine with many
    # CPUs that start may fail at this limit -- quickly, with a message, never
    # a hang; on a few CPUs the run must succeed
    few=$([ "$(nproc 2>/dev/null || echo 64)" -le 4 ] && echo 1 || echo 0)
    ( ulimit -v 100000; timeout 20 $CP --version ) > "$T/out" 2> "$T/err"
    rc=$?
    check '[ $rc -ne 124 ] && { [ $few = 0 ] || [ $rc -eq 0 ]; }' "--version under ulimit -v 100000: no hang (exit $rc)"
    ( ulimit -v 100000; timeout 60 $CP simulate prompts=1000 threads=2 ) > "$T/out" 2> "$T/err"
    rc=$?
    check '[ $rc -ne 124 ] && { [ $few = 0 ] || [ $rc -eq 0 ]; }' "a small simulate under ulimit -v 100000: no hang (exit $rc)"
    ( ulimit -v 400000; timeout 60 $CP simulate d1=2500 d2=2500 L=10 prompts=2 threads=1 ) > "$T/out" 2> "$T/err"
    rc=$?
    check '[ $rc -eq 3 ] || { [ $few = 0 ] && [ $rc -ne 124 ]; }' "an allocation failing under ulimit -v exits 3 (exit $rc)"
    check '[ $rc -ne 3 ] || [ "$(wc -l < "$T/err")" -eq 1 ]' "the allocation failure is one line"
fi

# ==== 4. the command line ===================================================
expect 2 "a key given twice on the command line" $CP eval alpha-star m_lo=0.5 m_lo=0.6
has "$T/err" "given twice" "the duplicate error says given twice"
expect 2 "simulate key given twice" $CP simulate prompts=100 prompts=200
( cd "$T" && $CP audit "$TH" --report --quiet ) > "$T/out" 2> "$T/err"
rc=$?
check '[ $rc -eq 2 ]' "--report --quiet is an error (exit $rc)"
check '[ ! -e "$T/--quiet" ]' "no file named --quiet"
expect 2 "simulate --csv --json is an error" $CP simulate prompts=100 --csv --json
printf 'seed = 3\nprompts = 100\n' > "$T/ok.cfg"
expect 2 "a bad command-line key with --config" $CP simulate --config "$T/ok.cfg" d1=-1
has "$T/err" "parameter d1" "the error names the command-line parameter"
hasnot "$T/err" "ok.cfg:1" "the error is not blamed on the config file"
printf 'seed = 3\n' > "$T/train.cfg"
expect 2 "train: bad command-line key with --config" $CP train --config "$T/train.cfg" d1=-1
has "$T/err" "parameter d1" "train names the command-line parameter"
expect 2 "audit --only matching nothing" $CP audit "$TH" --only no.such.claim --report "$T/none.md"
check '[ ! -e "$T/none.md" ]' "nothing written when no claim runs"
printf '# t\n\nno check blocks\n' > "$T/empty.md"
expect 2 "audit of a file without claims" $CP audit "$T/empty.md" --report "$T/empty.report.md"
check '[ ! -e "$T/empty.report.md" ]' "nothing written for a file without claims"
# a subset audit does not replace the full report
mkdir -p "$T/proj/theorems" "$T/proj/docs" "$T/proj/build"
cp "$TH" "$T/proj/theorems/"
echo FULL > "$T/proj/docs/report.md"
( cd "$T/proj" && $CP audit theorems/lsa_impossibility.md -q ) > "$T/out" 2> "$T/err"
rc=$?
check '[ $rc -eq 0 ]' "subset audit runs (exit $rc)"
check '[ "$(cat "$T/proj/docs/report.md")" = FULL ]' "the subset audit leaves docs/report.md alone"
check '[ -f "$T/proj/build/report-subset.md" ]' "the subset report goes to build/report-subset.md"
has "$T/err" "report-subset.md" "the subset audit says where its report went"
( cd "$T/proj" && $CP audit --only lsa.ref -q ) > "$T/out" 2> "$T/err"
check '[ "$(cat "$T/proj/docs/report.md")" = FULL ]' "an --only audit leaves docs/report.md alone"
( cd "$T/proj" && $CP audit -q ) > "$T/out" 2> "$T/err"
has "$T/proj/docs/report.md" "crossproof audit report" "the full audit writes docs/report.md"

# ==== 5. Makefile: tools installed as root or named with "as root:" ========
hasnot Makefile "sudo" "the Makefile never suggests sudo"
make -n memcheck BUILD="$BUILD" > "$T/mk" 2>&1
has "$T/mk" "deps DEB_PACKAGES=\"valgrind " "make memcheck installs valgrind through deps"
make -n check BUILD="$BUILD" > "$T/mk" 2>&1
has "$T/mk" "deps DEB_PACKAGES=\"python3 bc bsdutils\"" "make check installs the tools of the end-to-end tests through deps"
make -pn BUILD="$BUILD" 2> /dev/null | grep -E '^[^ ]*/%\.o: %\.c \| deps' > "$T/mk"
check '[ -s "$T/mk" ]' "object files order-only-depend on deps (no race with -j)"
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
    # user nobody may not read this checkout (a clone in a 0700 directory):
    # it works on a world-readable copy in the scratch directory
    chmod 755 "$T"
    mkdir -p "$T/nbproj"
    cp -r Makefile src include checks tests bench "$T/nbproj"/
    chmod -R a+rX "$T/nbproj"
    ( cd "$T/nbproj" && setpriv --reuid=65534 --regid=65534 --clear-groups make -s deps CC=no-such-cc-crossproof ) > "$T/mk" 2>&1
    rc=$?
    check '[ $rc -eq 2 ]' "no compiler, not root: make deps exits 2 (exit $rc)"
    has "$T/mk" "as root" "the message says as root"
    has "$T/mk" "apt-get install -y build-essential" "the message names build-essential"
    # -j2 with a missing package: deps fails and nothing has been compiled
    mkdir -p "$T/nb"; chmod 755 "$T"; chmod 777 "$T/nb"
    ( cd "$T/nbproj" && setpriv --reuid=65534 --regid=65534 --clear-groups make -j2 BUILD="$T/nb/b" check \
        DEB_PACKAGES=no-such-package-crossproof ) > "$T/mk" 2>&1
    rc=$?
    check '[ $rc -ne 0 ]' "make -j2 check with a missing package fails (exit $rc)"
    has "$T/mk" "apt-get install -y no-such-package-crossproof" "the missing package is named"
    nobj=$(find "$T/nb" -name '*.o' 2>/dev/null | wc -l)
    check '[ "$nobj" -eq 0 ]' "make -j2: nothing compiled before the packages are there ($nobj objects)"
fi

echo "1..$n"
[ "$bad" -eq 0 ]
