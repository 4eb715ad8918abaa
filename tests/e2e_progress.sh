#!/bin/sh
# tests/e2e_progress.sh -- simulate, train and flow show progress with rate
# and ETA on standard error only when it is a terminal (a pty from
# `script -qc`, util-linux), redrawn at most CP_PROGRESS_HZ = 4 times a
# second; never in a pipe or a file, and never on standard output.
# Prints "ok N - what" per case; exits 1 if any case failed.
if ! command -v script > /dev/null 2>&1; then
    echo "SKIP e2e_progress: no script(1) (util-linux)"; exit 0
fi
# script(1) needs a pseudo-terminal (/dev/ptmx); a container or chroot may have none
if ! script -qc true /dev/null < /dev/null > /dev/null 2>&1; then
    echo "SKIP e2e_progress: script(1) cannot open a pseudo-terminal here"; exit 0
fi
. tests/testlib.sh
now() { date +%s.%N; }
redraws() { tr '\r' '\n' < "$1" | grep -c 'ETA [0-9]* s'; }

# The size of each run is calibrated here, not assumed: a run that ends
# before the first redraw (1/HZ s) rightly shows nothing, and a faster
# machine (the CI's) finishes a fixed workload sooner.  `sized CMD N` doubles
# the size N (the @N@ in CMD) until a run into a file takes at least 1 s.
sized() {
    n=$2 i=0
    while [ $i -lt 10 ]; do
        c=$(echo "$1" | sed "s/@N@/$n/g")
        t0=$(now); sh -c "$c" > /dev/null 2>&1 < /dev/null; t1=$(now)
        [ "$(echo "$t1 - $t0 >= 1" | bc)" -eq 1 ] && break
        n=$((n * 2)) i=$((i + 1))
    done
    echo "$c"
}

# each case: name, command (sized to run at least 1 s), the rate unit it must show
run_case() {
    name=$1 cmd=$2 unit=$3
    t0=$(now)
    script -qc "$cmd > '$T/$name.out'" /dev/null > "$T/$name.tty" 2>&1 < /dev/null
    t1=$(now)
    k=$(redraws "$T/$name.tty")
    check "$name: progress with rate and ETA on a terminal" "[ $k -ge 1 ] && grep -q '$unit/s' '$T/$name.tty'"
    check "$name: at most 4 redraws a second ($k in $(echo "$t1 - $t0" | bc) s)" \
        "[ \$(echo '$k <= 4 * ($t1 - $t0) + 1' | bc) -eq 1 ]"
    check "$name: nothing of it on standard output" "! grep -q 'ETA' '$T/$name.out' && ! grep -q \"\$(printf '\\r')\" '$T/$name.out'"
    sh -c "$cmd" > "$T/$name.pipe.out" 2> "$T/$name.pipe.err" < /dev/null
    check "$name: no progress when standard error is a file" "! grep -q 'ETA' '$T/$name.pipe.err'"
    sh -c "$cmd 2>&1 >/dev/null | cat" > "$T/$name.pipe2" < /dev/null
    check "$name: no progress when standard error is a pipe" "! grep -q 'ETA' '$T/$name.pipe2'"
}
sim=$(sized "$CP simulate model=ca L=200 T=5 prompts=@N@ threads=2 sampler=wishart" 600000)
run_case simulate "$sim" prompts
run_case train "$(sized "$CP train steps=@N@ batch=1024 test_prompts=1000 threads=1" 500)" steps
run_case flow "$(sized "$CP flow T=5 tau=@N@ tol=1e-15 out='$T/flow.csv'" 50000)" tau
# the terminal run prints the same results as the run into a file
check "train: the same standard output on a terminal and in a file" "cmp -s '$T/train.out' '$T/train.pipe.out'"
script -qc "$(echo "$sim" | sed 's/simulate /simulate --quiet /') > /dev/null" /dev/null < /dev/null > "$T/quiet.tty" 2>&1
check "simulate --quiet: no progress on a terminal" "! grep -q ETA '$T/quiet.tty'"

finish
