#!/bin/sh
# tests/e2e_sweeps.sh -- sweeps over seeds and paired lists (issue 12, item 5):
# simulate seed=1..N prints one row per seed plus an aggregate row per grid
# point whose mean and standard error this test recomputes from the printed
# per-seed rows (CSV, JSON and text); each per-seed row equals the run with
# that seed alone; one seed is the old behaviour (seed=3..3 == seed=3; with
# CP_REF_CROSSPROOF=path, byte-identical to that build apart from timings and
# the source revision); pair=alpha,beta zips the lists, unequal lengths are a
# one-line error with exit 2.
# Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh
PY=$(command -v python3 || true)

ARGS="model=ca L=40,200 T=1,4 prompts=3000"
$CP simulate $ARGS seed=1..4 --csv "$T/s.csv" > "$T/s.txt" 2> "$T/s.err"
check "simulate seed=1..4 exits 0" "[ $? -eq 0 ]"
check "CSV: 4 grid points x (4 seeds + 1 aggregate) rows" \
    "[ \$(grep -v '^#' '$T/s.csv' | tail -n +2 | wc -l) -eq 20 ]"
check "CSV: a comment line says the seeds are independent replicates" \
    "grep -q '^# seeds are independent replicates' '$T/s.csv'"
# the aggregate rows against the per-seed rows, recomputed here (awk, by header name)
cat > "$T/agg.awk" <<'AWK'
BEGIN { FS = ","; bad = 0; rows = 0 }
/^#/ { next }
!hdr { for (i = 1; i <= NF; i++) c[$i] = i; hdr = 1; next }
$c["seed"] != "mean" { r[++m] = $c["risk"]; e[m] = $c["excess"]; key[m] = $c["L"] "," $c["T"]; next }
{
    # m per-seed rows since the last aggregate, all of this grid point
    mr = 0; me = 0
    for (i = 1; i <= m; i++) { mr += r[i] / m; me += e[i] / m; if (key[i] != $c["L"] "," $c["T"]) bad = 1 }
    vr = 0; for (i = 1; i <= m; i++) vr += (r[i] - mr) ^ 2
    se = sqrt(vr / (m - 1) / m)
    if ($c["n_seeds"] != m) bad = 1
    if (abs($c["risk"] - mr) > 1e-9 * mr) bad = 1
    if (abs($c["excess"] - me) > 1e-8 * me + 1e-15) bad = 1
    if (abs($c["stderr"] - se) > 1e-3 * se) bad = 1
    # t(0.975, 3) = 3.182 for 4 seeds
    if (m == 4 && abs($c["ci95_hi"] - mr - 3.182 * se) > 1e-3 * se + 1e-9) bad = 1
    m = 0; rows++
}
function abs(x) { return x < 0 ? -x : x }
END { if (rows != 4) bad = 1; exit bad }
AWK
check "CSV: aggregate = mean of the per-seed rows, stderr = sd/sqrt(n), ci95 = mean + t stderr" \
    "awk -f '$T/agg.awk' '$T/s.csv'"
# each per-seed row is the run with that seed alone (the risk, excess and stderr fields)
for s in 1 3; do
    $CP simulate $ARGS seed=$s --csv "$T/one$s.csv" > /dev/null
    grep -v '^#' "$T/one$s.csv" | tail -n +2 | cut -d, -f8,9,16-23 > "$T/one$s.rows"
    grep -v '^#' "$T/s.csv" | tail -n +2 | awk -F, -v s=$s '$16 == s' | cut -d, -f8,9,16-23 > "$T/multi$s.rows"
    check "seed $s of seed=1..4 equals seed=$s alone" "cmp -s '$T/one$s.rows' '$T/multi$s.rows'"
done
# text: the mean rows are the mean of the printed per-seed risks
check "text: aggregate risk = mean of the printed per-seed risks" \
    "awk '\$1 ~ /^[0-9]+\$/ && NF > 10 { s += \$8; k++ } \$1 == \"mean\" { if (k != 4 || (\$8 - s / k) ^ 2 > 1e-18) bad = 1; s = 0; k = 0; m++ } END { exit bad || m != 4 }' '$T/s.txt'"
# JSON
if [ -n "$PY" ]; then
    $CP simulate $ARGS seed=1..4 --json > "$T/s.json"
    check "JSON: per-seed objects and aggregates; aggregate = mean, stderr across seeds" "$PY - '$T/s.json' <<'PYEOF'
import json, math, sys
a = json.load(open(sys.argv[1]))
assert len(a) == 20, len(a)
for g in range(4):
    rows, agg = a[5 * g: 5 * g + 4], a[5 * g + 4]
    assert [r['resolved']['seed'] for r in rows] == [1, 2, 3, 4]
    assert agg['n_seeds'] == 4 and agg['seeds'] == [1, 2, 3, 4]
    r = [x['risk'] for x in rows]
    m = sum(r) / 4
    se = math.sqrt(sum((v - m) ** 2 for v in r) / 3 / 4)
    assert abs(agg['risk'] - m) <= 1e-9 * m, (agg['risk'], m)
    assert abs(agg['stderr'] - se) <= 1e-3 * se, (agg['stderr'], se)
    assert agg['resolved']['L'] == rows[0]['resolved']['L'] and agg['resolved']['T'] == rows[0]['resolved']['T']
PYEOF"
fi
# one seed: the old behaviour (seed=3..3 is seed=3; timing masked)
mask() { sed -e 's/"seconds": [0-9.]*/"seconds": S/g' "$1"; }
$CP simulate $ARGS seed=3 --json > "$T/a.json"
$CP simulate $ARGS seed=3..3 --json | sed 's/"seed": "3\.\.3"/"seed": "3"/' > "$T/b.json"
check "seed=3..3 gives the output of seed=3" "mask '$T/a.json' > '$T/a.m'; mask '$T/b.json' > '$T/b.m'; cmp -s '$T/a.m' '$T/b.m'"
check "one seed: no aggregate row, no n_seeds column" \
    "! grep -q 'n_seeds\|aggregate' '$T/a.json' && ! grep -q ',n_seeds' '$T/one1.csv'"
if [ -n "${CP_REF_CROSSPROOF:-}" ]; then
    # byte-identical to a reference build (e.g. of main) apart from timings and the revision
    for args in "$ARGS seed=2 --json" "model=ca2 L=30 T=2,3 alpha=0.2,0.3 prompts=2000 --json" "model=lsa L=50 prompts=2000 --json"; do
        check "one seed, byte-identical to $CP_REF_CROSSPROOF: simulate $args" "same_as_ref simulate $args"
    done
    norm() { sed -e 's/"source": "[^"]*"/"source": R/g'; }
    "$CP_REF_CROSSPROOF" simulate $ARGS --csv "$T/ref.csv" > /dev/null; $CP simulate $ARGS --csv "$T/new.csv" > /dev/null
    normcsv() { norm | awk -F, -v OFS=, '!/^#/ && NR > 4 { $24 = "S" } { print }'; }
    check "one seed, CSV byte-identical to the reference build (seconds_of_pass masked)" \
        "normcsv < '$T/ref.csv' > '$T/ref.n'; normcsv < '$T/new.csv' > '$T/new.n'; cmp -s '$T/ref.n' '$T/new.n'"
fi
# seed errors
$CP simulate seed=1,1 > /dev/null 2> "$T/e1"
check "seed=1,1: exit 2, one line" "[ $? -eq 2 ] && [ \$(wc -l < '$T/e1') -eq 1 ] && grep -q 'seed' '$T/e1'"

# pair=alpha,beta: zipped lists
PARGS="model=ca2 L=50 T=2 alpha=0.2,0.25,0.3 beta=-0.2,-0.25,-0.3 prompts=2000"
$CP simulate $PARGS pair=alpha,beta --csv "$T/p.csv" > /dev/null
check "pair=alpha,beta: 3 rows, not 9" "[ \$(grep -v '^#' '$T/p.csv' | tail -n +2 | wc -l) -eq 3 ]"
check "pair=alpha,beta: the i-th alpha with the i-th beta" \
    "grep -v '^#' '$T/p.csv' | tail -n +2 | awk -F, '{ if (\$10 + \$11 != 0) bad = 1 } END { exit bad }'"
$CP simulate $PARGS --csv "$T/g.csv" > /dev/null
check "pair rows equal the matching rows of the full grid" \
    "grep -v '^#' '$T/g.csv' | tail -n +2 | awk -F, '\$10 + \$11 == 0' | cut -d, -f10,11,17,18 > '$T/g.r'; grep -v '^#' '$T/p.csv' | tail -n +2 | cut -d, -f10,11,17,18 > '$T/p.r'; cmp -s '$T/g.r' '$T/p.r'"
$CP simulate model=ca2 L=50,100 T=2,3 alpha=0.2,0.3 pair=L,T seed=4,5 --csv "$T/p2.csv" > /dev/null
check "pair=L,T with 2 alphas and 2 seeds: 2 x 2 x (2 + 1) rows, T follows L" \
    "[ \$(grep -v '^#' '$T/p2.csv' | tail -n +2 | awk -F, '(\$8 == 50 && \$9 == 2) || (\$8 == 100 && \$9 == 3)' | wc -l) -eq 12 ] && [ \$(grep -v '^#' '$T/p2.csv' | tail -n +2 | wc -l) -eq 12 ]"
$CP simulate model=ca2 L=50 T=2 alpha=0.2,0.25,0.3 beta=-0.2,-0.25 pair=alpha,beta > "$T/o" 2> "$T/e2"
rc=$?
check "pair of unequal lengths: exit 2, one line naming both keys, no output" \
    "[ $rc -eq 2 ] && [ \$(wc -l < '$T/e2') -eq 1 ] && grep -q 'alpha has 3 values and beta has 2' '$T/e2' && [ ! -s '$T/o' ]"
printf 'model = ca2\nalpha = 0.2,0.3\nbeta = -0.2\npair = alpha,beta\n' > "$T/p.conf"
$CP simulate --config "$T/p.conf" > /dev/null 2> "$T/e3"
check "pair error from --config names file:line" "[ $? -eq 2 ] && grep -q 'p.conf:4:' '$T/e3'"
$CP simulate pair=alpha > /dev/null 2> "$T/e4"
check "pair with one key: exit 2" "[ $? -eq 2 ] && grep -q 'two or more' '$T/e4'"
$CP simulate pair=alpha,seed > /dev/null 2> "$T/e5"
check "pair naming a non-list key: exit 2" "[ $? -eq 2 ] && [ \$(wc -l < '$T/e5') -eq 1 ]"
$CP simulate model=ca2 L=50 alpha=0.2,0.3 beta=-0.2,-0.3 pair=alpha,beta --csv "$T/bad.csv" prompts=-1 > /dev/null 2>&1
check "bad input writes no CSV" "[ ! -e '$T/bad.csv' ]"

# train seed=1..3: a row per seed, each equal to the run with that seed alone, and the mean
TA="model=ca2 T=3 steps=40 batch=128 test_prompts=2000"
$CP train $TA seed=1..3 --csv "$T/t.csv" > "$T/t.txt"
check "train seed=1..3 exits 0, CSV with 3 seed rows, mean and stderr rows" \
    "[ \$(grep -v '^#' '$T/t.csv' | tail -n +2 | wc -l) -eq 5 ] && grep -q '^# seeds are independent replicates' '$T/t.csv'"
for s in 1 3; do
    $CP train $TA seed=$s --json > "$T/t$s.json"
    check "train: seed $s row equals seed=$s alone" "awk -F, -v s=$s '\$1 == s { print \$2, \$3, \$5 }' '$T/t.csv' > '$T/t$s.a'; $PY -c \"import json; j = json.load(open('$T/t$s.json')); print('%.17g %.17g %.10g' % (j['theta'][0], j['theta'][1], j['risk']))\" > '$T/t$s.b'; cmp -s '$T/t$s.a' '$T/t$s.b'"
done
check "train CSV: mean row = mean of the seed rows, stderr row = sd/sqrt(n)" \
    "awk -F, '\$1 ~ /^[0-9]+\$/ { a[++k] = \$2; r[k] = \$5 } \$1 == \"mean\" { ma = \$2; mr = \$5 } \$1 == \"stderr\" { sa = \$2 }
        END { for (i = 1; i <= k; i++) { x += a[i] / k; y += r[i] / k } for (i = 1; i <= k; i++) v += (a[i] - x) ^ 2
              se = sqrt(v / (k - 1) / k); d = sa - se; if (d < 0) d = -d
              exit !(k == 3 && (ma - x) ^ 2 < 1e-24 && (mr - y) ^ 2 < 1e-20 && d < 1e-3 * se) }' '$T/t.csv'"
check "train text: mean row = mean of the printed seed rows" \
    "awk '\$1 ~ /^[0-9]+\$/ && NF == 7 { s += \$2; k++ } \$1 == \"mean\" { m = \$2 } END { exit !(k == 3 && (m - s / k) ^ 2 < 1e-16) }' '$T/t.txt'"
$CP train $TA seed=1,2 --json > "$T/tj.json"
check "train JSON: per-seed objects and an aggregate with n_seeds" \
    "$PY -c \"import json; a = json.load(open('$T/tj.json')); assert len(a) == 3 and a[2]['n_seeds'] == 2 and a[0]['seed'] == 1 and abs(a[2]['risk'] - (a[0]['risk'] + a[1]['risk']) / 2) < 1e-9\""
$CP train $TA seed=1,2 --checkpoint "$T/ck" > /dev/null 2> "$T/e6"
check "train: several seeds with --checkpoint is a one-line error, exit 2" "[ $? -eq 2 ] && [ \$(wc -l < '$T/e6') -eq 1 ] && [ ! -e '$T/ck' ]"
$CP train $TA seed=3..3 > "$T/t33.txt"; $CP train $TA seed=3 > "$T/t3.txt"
check "train: seed=3..3 prints what seed=3 prints" "sed 's/seed=3\.\.3/seed=3/' '$T/t33.txt' | cmp -s - '$T/t3.txt'"
if [ -n "${CP_REF_CROSSPROOF:-}" ]; then
    for args in "$TA seed=2" "$TA seed=2 --json" "model=lsa steps=30 batch=64 test_prompts=1000"; do
        check "train, one seed, byte-identical to the reference build: $args" "same_as_ref train $args"
    done
fi

finish
