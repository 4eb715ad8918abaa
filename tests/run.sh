#!/bin/sh
# tests/run.sh -- runs the unit test binaries given as arguments, then the
# end-to-end tests, and prints one closing line "N passed, N failed".
# CP_VALGRIND=1 runs the unit tests under valgrind (make memcheck).
BUILD=${BUILD:-build}
pass=0
fail=0
failed=""
# Under valgrind (about 30x slower) the Monte Carlo-heavy suites would take
# most of CI's time: they run under ASan + UBSan + LeakSanitizer in
# `make sanitize` instead, and their certified code paths run under valgrind
# below through the program (eval and audit of theorems/finite_size.md).
# test_box and test_general loop over many ball evaluations (minutes under
# valgrind), test_engine_checks runs the statistical theorem checks (4 min
# under valgrind) and test_engine_general samples the general model (about
# 100 s, clean when measured); they run under the sanitizers too.
VALGRIND_SKIP="test_engine_checks test_engine_stats test_finite_bound test_finite_exact test_engine_tail_cli test_engine_exact test_engine_tridiag test_box test_general test_engine_general"
# each PASS/FAIL line ends with the wall seconds it took (CI's time budget)
for t in "$@"; do
    name=$(basename "$t")
    t0=$(date +%s)
    if [ "${CP_VALGRIND:-0}" = 1 ] && echo " $VALGRIND_SKIP " | grep -q " $name "; then
        echo "SKIP $name under valgrind (Monte Carlo-heavy; covered by make sanitize)"
        continue
    fi
    if [ "${CP_VALGRIND:-0}" = 1 ]; then
        valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=99 "$t" > "$BUILD/$name.log" 2>&1
    else
        "$t" > "$BUILD/$name.log" 2>&1
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
        echo "PASS $name ($(( $(date +%s) - t0 )) s)"
    else
        fail=$((fail + 1))
        failed="$failed $name"
        echo "FAIL $name (exit $rc, $(( $(date +%s) - t0 )) s); log follows"
        tail -40 "$BUILD/$name.log"
    fi
done
if [ "${CP_VALGRIND:-0}" = 1 ]; then
    # the program itself, on the certified paths: audit, eval, mutate
    # OPENBLAS_NUM_THREADS set: main() does not re-execute itself (src/main.c),
    # which would run the second image outside valgrind
    export OPENBLAS_NUM_THREADS=1
    VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
    tmp=$(mktemp -d)
    # the mutation driver on a hand-written check and a claim-language block
    # (region claims bisect under the audit above): the full run takes minutes
    # under valgrind
    cat > "$tmp/mutate.md" <<'EOT'
```check
id    = vg.hand-written
check = lsa_gap_bound
m_lo  = 0.5
m_hi  = 4
bound = 0.1146
mutate = raise:bound
```

```check
id    = vg.point-claim
claim = lsa-gap > 1/100
m_lo  = 0.3
m_hi  = 2
```
EOT
    for args in "audit theorems/lsa_impossibility.md --report $tmp/r.md --json $tmp/r.json -q" \
                "eval lsa-excess-minimax --digits 40" \
                "eval ca-excess T=7 prior=beta beta_a=2 beta_b=3" \
                "mutate --fast $tmp/mutate.md" \
                "eval alpha-star m_lo=5 m_hi=4" \
                "eval ca-excess-finite d1=1 d2=1 L=50 T=6" \
                "eval ca-excess-lower d1=10 d2=10 L=200 T=30" \
                "eval kappa-star" \
                "audit theorems/finite_size.md --report $tmp/f.md -q"; do
        name="crossproof $args"
        t0=$(date +%s)
        $VG "$BUILD/crossproof" $args > "$BUILD/vg.log" 2>&1
        rc=$?
        if [ $rc -ne 99 ] && [ $rc -ne 139 ] && [ $rc -ne 134 ]; then
            pass=$((pass + 1)); echo "PASS valgrind: $name ($(( $(date +%s) - t0 )) s)"
        else
            fail=$((fail + 1)); failed="$failed [$name]"; echo "FAIL valgrind: $name"; tail -30 "$BUILD/vg.log"
        fi
    done
    rm -rf "$tmp"
else
    for s in tests/e2e*.sh; do
        [ -f "$s" ] || continue
        name=$(basename "$s")
        t0=$(date +%s)
        if BUILD=$BUILD sh "$s" > "$BUILD/$name.log" 2>&1; then
            pass=$((pass + 1))
            echo "PASS $name ($(grep -c '^ok ' "$BUILD/$name.log") cases, $(( $(date +%s) - t0 )) s)"
        else
            fail=$((fail + 1))
            failed="$failed $name"
            echo "FAIL $name; log follows"
            grep -v '^ok ' "$BUILD/$name.log" | tail -40
        fi
    done
fi
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
