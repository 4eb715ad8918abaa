#!/bin/sh
# tests/e2e_train_opt.sh -- train's learning-rate schedules, Adam and the
# finite-L optimum (issue 12, item 6).  The defaults are the old behaviour
# bit for bit (and, with CP_REF_CROSSPROOF=path, that build's output);
# lr_schedule=step equals constant on the first half and nearly stops the
# iterate in the last quarter; cosine nearly stops it at the end; Adam's
# first step has length lr; the finite-L optimum is a minimum of the exact
# excess (checked with `crossproof eval ca-excess-finite` on both sides).
# Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh
rows() { grep -v '^#' "$1" | tail -n +2; }

A="steps=400 batch=256 test_prompts=2000"
$CP train $A --csv "$T/d.csv" > "$T/d.out"
$CP train $A lr_schedule=constant optimizer=gd finite_opt=0 --csv "$T/e.csv" > "$T/e.out"
rows "$T/d.csv" > "$T/d.rows"; rows "$T/e.csv" > "$T/e.rows"
check "explicit defaults give the same bits (stdout and trajectory)" "cmp -s '$T/d.out' '$T/e.out' && cmp -s '$T/d.rows' '$T/e.rows'"
if [ -n "${CP_REF_CROSSPROOF:-}" ]; then
    # ca and ca2 now default to sampler=tridiag (docs/model.md section 16); with the sampler named
    # in the header and JSON dropped, sampler=wishart is the old default byte for byte, and lsa
    # kept its default
    strip_smp() { sed -e 's/ sampler=[a-z]*//' -e 's/"sampler": "[a-z]*", //' -e 's/"source": "[^"]*"/"source": R/g'; }
    for args in "$A model=lsa" "$A sampler=wishart" "$A model=ca2 T=3 sampler=wishart --json"; do
        "$CP_REF_CROSSPROOF" train $(echo "$args" | sed 's/ sampler=wishart//') | strip_smp > "$T/ref.out"
        $CP train $args | strip_smp > "$T/new.out"
        check "byte-identical to the reference build's default: train $args" "cmp -s '$T/ref.out' '$T/new.out'"
    done
fi
# the training sampler (docs/model.md section 16): tridiag for ca and ca2 by default, named in the header
$CP train $A > "$T/t1.out"; $CP train $A threads=2 > "$T/t2.out"; $CP train $A sampler=wishart > "$T/w.out"
check "train: ca defaults to sampler=tridiag" "head -1 '$T/t1.out' | grep -q ' sampler=tridiag '"
check "train sampler=tridiag: threads=1 and 2 give the same bytes" "cmp -s '$T/t1.out' '$T/t2.out'"
check "train sampler=wishart: the plain gradient, other bits" "head -1 '$T/w.out' | grep -q ' sampler=wishart ' && ! cmp -s '$T/t1.out' '$T/w.out'"
check "train: ca2 defaults to tridiag, lsa and ca_untied to wishart" \
    "$CP train $A model=ca2 | head -1 | grep -q ' sampler=tridiag ' && $CP train $A model=lsa | head -1 | grep -q ' sampler=wishart ' && $CP train $A model=ca_untied T=2 | head -1 | grep -q ' sampler=wishart '"
check "train: L_train < d + 2 falls back to wishart" "$CP train steps=2 batch=16 test_prompts=10 lr=1/1000 L_train=3 | head -1 | grep -q ' sampler=wishart '"
check "train sampler=tridiag model=ca_untied runs (reverse-mode gradient)" "$CP train $A model=ca_untied T=2 sampler=tridiag | head -1 | grep -q ' sampler=tridiag '"
# a checkpoint written before the sampler key (no `config sampler` line) resumes on the old rule
$CP train $A sampler=wishart stop_after=150 --checkpoint "$T/ck.w" > /dev/null 2>&1
grep -v '^config sampler' "$T/ck.w" > "$T/ck.old"
$CP train --resume "$T/ck.old" steps=400 > "$T/r.out" 2> /dev/null
check "train --resume of a checkpoint without a sampler line: the old default (wishart), bit for bit" \
    "grep -q '^config sampler = wishart' '$T/ck.w' && ! grep -q sampler '$T/ck.old' && cmp -s '$T/r.out' '$T/w.out'"
for args in "sampler=tridiag model=lsa_general" "sampler=tridiag k=2 d1=2 d2=2" "sampler=tridiag L_train=1" "sampler=tilted" "sampler=wishart L_train=2"; do
    $CP train $A $args > /dev/null 2> "$T/err"
    rc=$?
    check "train $args: exit 2, one line naming sampler" "[ $rc -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q sampler '$T/err'"
done
# step schedule: the first half is the constant run, bit for bit; the last quarter moves 100x less
$CP train $A lr_schedule=step --csv "$T/s.csv" > /dev/null
rows "$T/s.csv" > "$T/s.rows"
check "lr_schedule=step: the first 200 steps equal the constant run" \
    "head -200 '$T/d.rows' > '$T/d1'; head -200 '$T/s.rows' > '$T/s1'; cmp -s '$T/d1' '$T/s1'"
check "lr_schedule=step: step 201 differs (lr / 10 from step steps/2)" \
    "[ \"\$(sed -n 201p '$T/d.rows')\" != \"\$(sed -n 201p '$T/s.rows')\" ]"
# mean |delta theta| over a window of steps, from the trajectory
moves() { awk -F, -v a="$2" -v b="$3" 'NR > 1 && NR >= a && NR <= b { s += ($3 > p ? $3 - p : p - $3); k++ } { p = $3 } END { printf "%.20f\n", s / k }' "$1"; }
check "lr_schedule=step: the last quarter moves about 100x less than constant" \
    "[ \$(echo \"\$(moves '$T/s.rows' 310 400) < 0.05 * \$(moves '$T/d.rows' 310 400)\" | bc -l) -eq 1 ]"
$CP train $A lr_schedule=cosine --csv "$T/c.csv" > /dev/null; rows "$T/c.csv" > "$T/c.rows"
check "lr_schedule=cosine: the last 5% of the steps move < 5% of constant's, the first 5% about the same" \
    "[ \$(echo \"\$(moves '$T/c.rows' 381 400) < 0.05 * \$(moves '$T/d.rows' 381 400)\" | bc -l) -eq 1 ] && [ \$(echo \"\$(moves '$T/c.rows' 2 20) > 0.9 * \$(moves '$T/d.rows' 2 20)\" | bc -l) -eq 1 ]"
# Adam: step 1 has length lr (m_hat / sqrt(v_hat) = sign(g) at t = 1); alpha0 = 0.2
$CP train $A optimizer=adam lr=0.001 --csv "$T/a.csv" > "$T/a.out"
check "optimizer=adam: exit 0, first step of length lr = 0.001 from alpha0 = 0.2" \
    "rows '$T/a.csv' | head -1 | awk -F, '{ d = \$3 - 0.2; if (d < 0) d = -d; exit !(d > 0.000999 && d < 0.001001) }'"
check "optimizer=adam: differs from gd" "! cmp -s '$T/a.out' '$T/d.out'"
# the finite-L optimum
$CP train steps=1500 batch=512 lr=0.02 L_train=100 test_prompts=2000 finite_opt=1 > "$T/f.out"
fa=$(sed -n 's/^finite-L optimum: alpha\*_L = \([0-9.]*\) at L = 100 (APPROXIMATE.*/\1/p' "$T/f.out")
check "finite_opt=1: reports alpha*_L at L = 100, labelled APPROXIMATE" "[ -n '$fa' ]"
if [ -n "$fa" ]; then
    ex() { $CP eval ca-excess-finite d1=1 d2=1 L=100 T=5 alpha=$1 --json | sed -n 's/.*"mid": "\([^"]*\)".*/\1/p'; }
    e0=$(ex "$fa"); em=$(ex "$(echo "$fa - 0.002" | bc -l)"); ep=$(ex "$(echo "$fa + 0.002" | bc -l)")
    check "alpha*_L is a minimum of the exact excess: E(a - 0.002) > E(a) < E(a + 0.002)" \
        "[ \$(echo \"$em > $e0 && $ep > $e0\" | sed 's/e/*10^/g' | bc -l) -eq 1 ]"
    ai=$(sed -n 's/^optimum:  alpha_T = \([0-9.]*\) .*/\1/p' "$T/f.out")
    check "alpha*_L lies below the L = infinity optimum at L = 100" "[ \$(echo '$fa < $ai' | bc -l) -eq 1 ]"
fi
$CP train $A finite_opt=1 --json > "$T/f.json"
check "finite_opt=1 --json: a finite_optimum object" "grep -q '\"finite_optimum\": {\"L\": 200, \"alpha\": 0\.' '$T/f.json'"
# bad input: one line, exit 2
for args in "lr_schedule=linear" "optimizer=sgd" "finite_opt=1 d1=2" "finite_opt=1 model=ca2" "finite_opt=1 seed=1,2" "optimizer=adam --checkpoint $T/ck" "lr_schedule=cosine --checkpoint $T/ck"; do
    $CP train $A $args > /dev/null 2> "$T/err"
    rc=$?
    check "train $args: exit 2, one line" "[ $rc -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ] && [ ! -e '$T/ck' ]"
done

finish
