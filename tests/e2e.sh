#!/bin/sh
# tests/e2e.sh -- end-to-end tests of build/crossproof: eval, audit, list,
# bad input (exit 2, file:line, nothing written), the golden report.
# Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh
# expect CODE DESCRIPTION CMD... : runs CMD, checks the exit code
expect() {
    code=$1; what=$2; shift 2
    "$@" > "$T/out" 2> "$T/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok "$what"; else fail "$what (exit $rc, wanted $code)"; cat "$T/err"; fi
}
has()    { if grep -q -- "$2" "$1"; then ok "$3"; else fail "$3 (no '$2' in $1)"; cat "$1"; fi; }
hasnot() { if grep -q -- "$2" "$1"; then fail "$3 ('$2' in $1)"; cat "$1"; else ok "$3"; fi; }

# --- eval ---------------------------------------------------------------
expect 0 "eval alpha-star --json" $CP eval alpha-star m_lo=0.5 m_hi=4 --json
has "$T/out" '"lower": "0.3076923076923' "alpha-star lower bound encloses 4/13"
has "$T/out" '"upper": "0.3076923076923' "alpha-star upper bound encloses 4/13"
has "$T/out" '"ball": "' "eval --json carries the exact ball"
expect 0 "eval lsa-gap positive case" $CP eval lsa-gap m_lo=0.5 m_hi=4
has "$T/out" "certified  lsa-gap > 0" "lsa-gap certified positive for m_lo < m_hi"
expect 0 "eval lsa-gap at m_lo = m_hi" $CP eval lsa-gap m_lo=2 m_hi=2
hasnot "$T/out" "lsa-gap > 0" "no positive gap claimed at m_lo = m_hi"
expect 2 "m_lo > m_hi is rejected" $CP eval alpha-star m_lo=5 m_hi=4
has "$T/err" "m_lo" "the error names m_lo"
expect 2 "negative m_lo is rejected" $CP eval alpha-star m_lo=-1
expect 2 "negative sigma is rejected" $CP eval bayes-risk sigma=-0.1
expect 2 "NaN is rejected" $CP eval alpha-star m_lo=nan
has "$T/err" "m_lo" "the NaN error names the parameter"
expect 2 "T = 0 is rejected" $CP eval ca-excess T=0
has "$T/err" "T" "the T error names T"
expect 2 "unknown quantity is rejected" $CP eval no-such-thing
expect 2 "unknown key is rejected" $CP eval alpha-star foo=1
expect 2 "malformed --digits is rejected" $CP eval alpha-star --digits abc
expect 2 "unknown flag is rejected" $CP eval alpha-star --frobnicate
expect 0 "eval --help" $CP eval --help
has "$T/out" "lsa-gap" "eval --help lists quantities"
expect 0 "exact input: 0.1 is 1/10" $CP eval alpha-star m_lo=0.1 m_hi=0.1 --json
has "$T/out" '"lower": "0.909090909090909090909090909090909' "alpha* at m_lo = m_hi = 0.1 is 10/11 exactly (a double 0.1 would differ at digit 17)"

# --- version and list ---------------------------------------------------
expect 0 "--version" $CP --version
for dep in FLINT Arb MPFR GMP OpenBLAS; do has "$T/out" "$dep" "--version names $dep"; done
# the source revision the program was built from (issue 12): git describe of this checkout
if rev=$(git describe --always --dirty 2> /dev/null); then
    has "$T/out" "^source $rev\$" "--version records the source revision ($rev)"
else has "$T/out" "^source unknown\$" "--version says the source revision is unknown outside git"; fi
expect 0 "list" $CP list theorems/lsa_impossibility.md
has "$T/out" "lsa.gap.positive" "list shows claim ids"
expect 2 "unknown command" $CP frobnicate

# --- audit: bad theorem files --------------------------------------------
mk() { printf "$2" > "$T/$1"; }
mk unknown_key.md '# t\n\n```check\nid = a.b\ncheck = lsa_gap_bound\nfrobnicate = 1\n```\n'
mk bad_number.md '# t\n\n```check\nid = a.b\ncheck = lsa_gap_bound\nm_lo = 0.5.1\n```\n'
mk unknown_check.md '# t\n\ntext\n```check\nid = a.b\ncheck = no_such_check\n```\n'
mk unclosed.md '# t\n\n```check\nid = a.b\ncheck = lsa_gap_bound\n'
mk bad_range.md '# t\n\n```check\nid = a.b\ncheck = lsa_gap_bound\nm_lo = 5\nm_hi = 4\n```\n'
for f in unknown_key:6 bad_number:6 unknown_check:6 unclosed:3 bad_range:6; do
    file=${f%%:*}; line=${f##*:}
    expect 2 "audit rejects $file.md" $CP audit "$T/$file.md" --report "$T/$file.report.md"
    has "$T/err" "$T/$file.md:$line:" "$file.md error names file:line ($line)"
    if [ -e "$T/$file.report.md" ]; then fail "$file.md: no report written"; else ok "$file.md: no report written"; fi
done
[ "$(wc -l < "$T/err")" -eq 1 ] && ok "bad input gives a one-line error" || fail "bad input gives a one-line error"

# --- audit: a false claim is not certified -------------------------------
mk false.md '# t\n\n```check\nid = wrong.gap\ncheck = lsa_gap_bound\nm_lo = 0.5\nm_hi = 4\nbound = 0.1147\n```\n'
expect 1 "a false claim makes audit exit 1" $CP audit "$T/false.md" --report "$T/false.report.md"
has "$T/false.report.md" "REFUTED" "the false claim is REFUTED in the report"
hasnot "$T/false.report.md" "\*\*CERTIFIED\*\*" "the false claim is not CERTIFIED"
expect 2 "unwritable report path" $CP audit theorems/lsa_impossibility.md --report /nonexistent/dir/r.md
has "$T/err" "/nonexistent/dir/r.md" "the write error names the path"

# --- issue 8, finding 5: degenerate and extreme parameters ---------------
# two-point prior, T = 2: the exact minimiser alpha*/(1 - rho*^2), beta = -alpha*
# (at (0.013, 57): alpha* = 2/59.013, rho* = 56.987/59.013; by hand 0.50220410525...)
expect 0 "eval alpha-opt2 two-point T = 2 at an extreme support" $CP eval alpha-opt2 prior=twopoint m_lo=0.013 m_hi=57 T=2
has "$T/out" "0.50220410525240834666" "alpha-opt2 is alpha*/(1 - rho*^2)"
expect 0 "eval beta-opt two-point T = 2" $CP eval beta-opt prior=twopoint m_lo=0.013 m_hi=57 T=2
has "$T/out" "-0.03389083761205158185" "beta-opt is -alpha* = -2/59.013"
# one support point: the true values are exactly 0, so eval must say so
expect 0 "eval lsa-excess-minimax at m_lo = m_hi" $CP eval lsa-excess-minimax m_lo=2 m_hi=2
has "$T/out" "exact (radius 0)" "lsa-excess-minimax is exactly 0 at m_lo = m_hi"
expect 0 "eval rate at m_lo = m_hi" $CP eval rate m_lo=2 m_hi=2 T=10
has "$T/out" "exact (radius 0)" "rate is exactly 0 at m_lo = m_hi"
# a tiny Beta shape is refused at once, not integrated for minutes
expect 2 "Beta shape below 1/100 is bad input" timeout 20 $CP eval ca-excess prior=beta beta_a=0.001 beta_b=1 T=2
has "$T/err" "beta_a" "the error names beta_a"

# exact finite-(L, T) excess claims (issue 10): a wrong reference or a wrong minimiser is not certified
mk exact.md '# t [reconstructed]\n\n```check\nid = e.ref\nclaim = |ca-excess-finite - 370225.835| < 0.001\nd1 = 1\nd2 = 1\nm_lo = 4\nm_hi = 4\nL = 200\nT = 30\nalpha = 4/13\n```\n\n```check\nid = e.min\ncheck = fs_exact_minimum\nd1 = 1\nd2 = 1\nL = 200\nT = 6,7,8,9\nT_min = 7\n```\n'
expect 1 "exact-excess claims with a wrong value and a wrong minimiser" $CP audit "$T/exact.md" --report "$T/exact-r.md"
has "$T/out" "e.ref .*REFUTED" "a reference off by 1 from the exact excess is refuted"
has "$T/out" "e.min .*REFUTED" "T = 7 is not the minimiser among 6..9 (T = 8 is)"

# --- the report cites nothing a reader does not have (issue 12) ---------------
if grep -n '\.\./shared\|(issue [0-9]' theorems/*.md > "$T/refs"; then fail "theorem files (the report's text) cite files outside the repository or issue numbers"; cat "$T/refs"
else ok "theorem files cite no file outside the repository and no issue number"; fi

# the README's table of theorem files and theorems/ agree both ways
for f in theorems/*.md; do grep -q "^| $f |" README.md || { fail "README's table lists $f"; continue; }; done
ok "every theorem file is in the README's table"
for f in $(sed -n 's/^| \(theorems\/[a-z_]*\.md\) |.*/\1/p' README.md); do
    [ -f "$f" ] || fail "README's table names $f, which does not exist"
done
ok "every file in the README's table exists"

# --- audit --jobs: claims side by side, the same results in the same order ---
expect 0 "audit --jobs 1" $CP audit theorems/lsa_impossibility.md theorems/two_parameter.md --jobs 1 --report "$T/j1.md" --json "$T/j1.json"
grep -v "claims reached" "$T/out" | cut -c1-95 > "$T/j1.rows"
expect 0 "audit --jobs 3" $CP audit theorems/lsa_impossibility.md theorems/two_parameter.md --jobs 3 --report "$T/j3.md" --json "$T/j3.json"
grep -v "claims reached" "$T/out" | cut -c1-95 > "$T/j3.rows"
if cmp -s "$T/j1.rows" "$T/j3.rows"; then ok "the table is the same, in file order, for 1 and 3 jobs (seconds aside)"
else fail "the table is the same for 1 and 3 jobs"; diff "$T/j1.rows" "$T/j3.rows" | head; fi
if python3 -c "
import json, sys
def strip(x):
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k != 'seconds'}
    if isinstance(x, list): return [strip(v) for v in x]
    return x
a, b = (strip(json.load(open(f))['claims']) for f in sys.argv[1:3])
assert len(a) > 20 and a == b
" "$T/j1.json" "$T/j3.json" 2> "$T/pyerr"; then ok "the JSON results are the same for 1 and 3 jobs"
else fail "the JSON results are the same for 1 and 3 jobs"; cat "$T/pyerr"; fi
expect 2 "audit --jobs 0 is bad input" $CP audit theorems/lsa_impossibility.md --jobs 0 --report "$T/j0.md"
has "$T/err" "jobs" "the error names --jobs"
[ -e "$T/j0.md" ] && fail "nothing written on a bad --jobs" || ok "nothing written on a bad --jobs"
mk twobad.md '# t\n\n```check\nid = a.ok\nclaim = lsa-gap > 0\n```\n\n```check\nid = b.bad\ncheck = gf_alpha_opt\nT = 0\n```\n\n```check\nid = c.bad\ncheck = gf_alpha_opt\nT = -1\n```\n'
expect 2 "bad input in a parallel audit exits 2" $CP audit "$T/twobad.md" --jobs 3 --report "$T/twobad-r.md"
[ "$(wc -l < "$T/err")" -eq 1 ] && ok "one error line, not one per worker" || { fail "one error line"; cat "$T/err"; }
[ -e "$T/twobad-r.md" ] && fail "nothing written after bad input (jobs 3)" || ok "nothing written after bad input (jobs 3)"

# --- the claim language (issue 11): a user's file without C ---------------
expect 0 "a theorem file in the claim language only is audited" $CP audit docs/examples/claims.md --report "$T/claims.md" --json "$T/claims.json"
if python3 -c "
import json, sys
r = {x['id']: x for x in json.load(open(sys.argv[1]))['claims']}['user.gap.box']
c = r['claim']
assert c['statement'] == 'for all m_lo in [1/10, 1], m_hi in [2, 10]: lsa-gap > 0', c
# region claims start their boxes at 32 bits (docs/design.md); the claim's precision is the highest used
assert c['boxes'] >= 1 and c['prec_range'][0] == 32 and float(c['smallest_margin']) > 0, c
assert r['prec'] == c['prec_range'][1], (r['prec'], c)
" "$T/claims.json" 2> "$T/pyerr"; then ok "the JSON states the region claim, its boxes, precisions and margin"
else fail "the JSON states the region claim"; cat "$T/pyerr"; fi
has "$T/claims.md" "Certified for all m_lo in \[1/10, 1\], m_hi in \[2, 10\]: lsa-gap > 0" "the report states the region certified"
# the README quotes this sentence of the report (two lines there)
q=$(sed -n '/^and the report says what each certificate covers/,/m_hi in \[2, 10\]\."/p' README.md | tr '\n' ' ' | sed -e 's/.*"\(Certified[^"]*\)".*/\1/' -e 's/  */ /g')
if [ -n "$q" ] && tr '\n' ' ' < "$T/claims.md" | sed 's/  */ /g' | grep -qF "$q"; then ok "the README's quoted report sentence is the report's"
else fail "the README's quoted report sentence is the report's: '$q'"; fi
has "$T/claims.md" "Certified for all T in {1..50}: alpha-opt increasing in T" "the report states the quantifier"
mk typo.md '# t\n\n```check\nid = u.t\nclaim = lsa-gapp > 0\n```\n'
expect 2 "a claim with a typo is a parse error" $CP audit "$T/typo.md" --report "$T/typo-r.md"
has "$T/err" "typo.md:5: unknown word 'lsa-gapp'" "the error names file:line and the word"
[ -e "$T/typo-r.md" ] && fail "nothing written on a parse error" || ok "nothing written on a parse error"
mk unused.md '# t\n\n```check\nid = u.u\nclaim = lsa-gap > 0\nT = 5\n```\n'
expect 2 "a parameter the claim does not use is a parse error" $CP audit "$T/unused.md" --report "$T/unused-r.md"
has "$T/err" "unused.md:6: parameter 'T' is used by no quantity" "the error names the unused key"
mk false.md '# t\n\n```check\nid = u.f\nclaim = lsa-gap > 0\nm_lo = 0.5, 1, 4\nm_hi = 4\n```\n'
expect 1 "a false claim over a list is not certified" $CP audit "$T/false.md" --report "$T/false-r.md"
has "$T/out" "u.f .*REFUTED" "one instance (m_lo = m_hi = 4) refutes it"
has "$T/false-r.md" "m_lo = 4" "the report names the refuting instance"
mk widen.md '# t\n\n```check\nid = u.w\nclaim = lsa-gap > 0\nm_lo = [1/10, 1]\nm_hi = [2, 10]\nmutate = widen:m_lo:1/10:2\n```\n'
expect 0 "mutate widens a region claim across the diagonal" $CP mutate --verbose "$T/widen.md"
has "$T/out" "m_lo = \[1/10, 2\] .*caught" "the widened region is not certified"
# pair = T, ref: the i-th T with the i-th ref, not their product
P='# t\n\n```check\nid = u.p\nclaim = |alpha-opt - ref| <= 1/100000\nm_lo = 0.5\nm_hi = 4\n'
mk pair.md "$P"'T = 1, 2, 5\nref = 0.27000, 0.28136, 0.29392\npair = T, ref\n```\n'
expect 0 "paired lists: each T against its own reference value" $CP audit "$T/pair.md" --report "$T/pair-r.md"
has "$T/pair-r.md" "Certified for all (T, ref) in {(1, 0.27000), (2, 0.28136), (5, 0.29392)}" "the report states the paired quantifier"
has "$T/pair-r.md" "| (T = 2, ref = 0.28136) | \[0.28136129" "the report tabulates each instance with its enclosure"
mk nopair.md "$P"'T = 1, 2, 5\nref = 0.27000, 0.28136, 0.29392\n```\n'
expect 1 "without pair the lists multiply (T = 1 against 0.28136 is false)" $CP audit "$T/nopair.md" --report "$T/nopair-r.md"
mk pairbad.md "$P"'T = 1, 2, 5\nref = 0.27000, 0.28136, 0.29392\npair = T, ref, 0.29392\n```\n'
mk pair3.md "$P"'T = 1, 2, 5\nref = 0.27000, 0.28136\npair = T, ref\n```\n'
mk pairpt.md "$P"'T = 1, 2\nref = 0.27000\npair = T, ref\n```\n'
expect 2 "pair naming a value, not a parameter, is a parse error" $CP audit "$T/pairbad.md" --report "$T/pb-r.md"
has "$T/err" "pairbad.md:10: pair: '0.29392' is not a parameter of this block" "the error names pair's line and the word"
expect 2 "paired lists of different lengths are a parse error" $CP audit "$T/pair3.md" --report "$T/pb-r.md"
has "$T/err" "pair: T has 3 values and ref has 2" "the error gives both lengths"
expect 2 "pair of a list with a point is a parse error" $CP audit "$T/pairpt.md" --report "$T/pb-r.md"
has "$T/err" "pair: ref is not a list" "the error names the point parameter"
[ -e "$T/pb-r.md" ] && fail "nothing written on a pair error" || ok "nothing written on a pair error"
sed 's/0.28136/0.28140/' "$T/pair.md" > "$T/pairf.md"
expect 1 "a false paired instance is refuted" $CP audit "$T/pairf.md" --report "$T/pairf-r.md"
has "$T/pairf-r.md" "its negation is proved at (T = 2, ref = 0.28140)" "the refuting pair is named"
expect 0 "ranges on the command line" $CP simulate model=ca L=100 T=1..3 prompts=2000
has "$T/out" "     100      3 " "T = 1..3 gives the row T = 3"

# --- mutation suite (fast mode): no false variant of any claim certifies -----
# under ASan/UBSan (make sanitize) one theorem file exercises the same driver;
# the whole suite runs in the plain `make check` (it is the slowest e2e step)
if [ "${CP_SANITIZE:-0}" = 1 ]; then
    expect 0 "crossproof mutate --fast over theorems/lsa_impossibility.md (sanitizer build)" $CP mutate --fast theorems/lsa_impossibility.md
else
    expect 0 "crossproof mutate --fast over theorems/" $CP mutate --fast
fi
has "$T/out" " 0 uncaught" "every mutant caught"
# the driver itself can fail: an operator pointing the sound way is certified
mk weak.md '# t\n\n```check\nid = weak.gap\ncheck = lsa_gap_bound\nm_lo = 0.5\nm_hi = 4\nbound = 0.1\nmutate = lower:bound\n```\n'
expect 1 "mutate reports a mutant that certifies" $CP mutate "$T/weak.md"
has "$T/out" "UNCAUGHT" "the certified mutant is named"
mk unarmed.md '# t\n\n```check\nid = unarmed.gap\ncheck = lsa_gap_bound\nbound = 0.1\n```\n'
expect 1 "mutate fails a claim with no mutant" $CP mutate "$T/unarmed.md"
has "$T/out" "UNARMED" "the unarmed claim is named"
# issue 8: a mutant rejected as bad input (here the m_lo/m_hi swap) tests the
# parser, not the claim: it is counted apart and arms nothing
mk swaponly.md '# t\n\n```check\nid = swap.gap\ncheck = lsa_gap_bound\nm_lo = 0.5\nm_hi = 4\nbound = 0.1\n```\n'
expect 1 "mutate: a claim armed only by a bad-input mutant is unarmed" $CP mutate "$T/swaponly.md"
has "$T/out" "1 rejected as bad input" "bad-input mutants are counted apart"
has "$T/out" "0 caught" "a bad-input mutant is not counted as caught"
has "$T/out" "UNARMED" "the claim with only a bad-input mutant is named"
# a list key is mutated element by element past each instance's value
mk listref.md '# t\n\n```check\nid = list.ref\nclaim = |alpha-opt - ref| <= tol\nm_lo = 0.5\nm_hi = 4\nT = 1,2\nref = 0.27000,0.28136\ntol = 0.000005\npair = T, ref\nmutate = away:ref:tol\n```\n'
expect 0 "mutate: list-valued reference mutated per element" $CP mutate --fast --verbose "$T/listref.md"
has "$T/out" "away ref\[2\] (delta 1e-6) *REFUTED" "the second element's mutant reaches the check"

# issue 8, finding 4: every ball claim's table row names what its enclosure bounds
expect 0 "audit of the gradient-flow and two-parameter theorems" $CP audit theorems/gradient_flow.md theorems/two_parameter.md --report "$T/gf.md" --json "$T/gf.json"
has "$T/gf.md" "| claim | verdict | quantity | enclosure or interval | precision |" "the report table has a quantity column"
hasnot "$T/gf.md" "checked quantity" "every ball claim names the quantity of its enclosure"
has "$T/gf.json" '"quantity": "largest alpha_T over the listed T"' "the JSON names the quantity too"
# issue 12: the JSON records the defaults a block left unset, not only what it wrote
has "$T/gf.json" '"defaults": {.*"alpha_hi": "alpha\*"' "the audit JSON lists the defaults the check used"

# CI-native outputs (issue 12): JUnit XML and TAP, a failure for every claim short of its verdict
mk onefalse.md '# t [reconstructed]\n\n```check\nid = t.true\ncheck = lsa_gap_bound\nbound = 0.1\n```\n\n```check\nid = t.false<&>\ncheck = lsa_gap_bound\nbound = 0.2\n```\n'
expect 2 "a claim id with XML characters is still bad input" $CP audit "$T/onefalse.md" --report "$T/of.md"
mk onefalse.md '# t [reconstructed]\n\n```check\nid = t.true\ncheck = lsa_gap_bound\nbound = 0.1\n```\n\n```check\nid = t.false\ncheck = lsa_gap_bound\nbound = 0.2\n```\n'
expect 1 "audit with --junit and --tap exits 1 on a refuted claim" $CP audit "$T/onefalse.md" --report "$T/of.md" --junit "$T/of.xml" --tap "$T/of.tap"
has "$T/of.xml" '<testsuites name="crossproof audit" tests="2" failures="1">' "JUnit: two tests, one failure"
has "$T/of.xml" '<failure message="REFUTED"' "JUnit: the refuted claim is a failure named by its verdict"
has "$T/of.tap" '^1\.\.2$' "TAP: plan line"
has "$T/of.tap" '^ok 1 - t.true # CERTIFIED' "TAP: the true claim is ok"
has "$T/of.tap" '^not ok 2 - t.false # REFUTED' "TAP: the false claim is not ok"
if command -v python3 > /dev/null && python3 -c "import xml.dom.minidom as m; m.parse('$T/of.xml')" 2> "$T/xml.err"; then
    ok "JUnit output is well-formed XML"
elif ! command -v python3 > /dev/null; then echo "# skip: JUnit well-formedness (no python3 here)"
else fail "JUnit output is well-formed XML"; cat "$T/xml.err"; fi

# --- golden report --------------------------------------------------------
mask() { sed -E -e '/^- date: /d' -e '/^- versions: /d' -e '/^## Timings/,$d' "$1"; }
expect 0 "audit of the LSA theorem" $CP audit theorems/lsa_impossibility.md --report "$T/lsa.md" --json "$T/lsa.json"
mask "$T/lsa.md" > "$T/lsa.masked"
if diff -u tests/golden/lsa_report.md "$T/lsa.masked" > "$T/diff"; then ok "golden report matches"
else fail "golden report differs (timings, date and versions masked)"; head -60 "$T/diff"; fi
has "$T/lsa.json" '"verdict": "CERTIFIED"' "JSON carries verdicts"
# reproducible: the same command twice gives the same bytes, timings excepted
SOURCE_DATE_EPOCH=86400 $CP audit theorems/lsa_impossibility.md --report "$T/r1.md" --json "$T/r1.json" -q
SOURCE_DATE_EPOCH=86400 $CP audit theorems/lsa_impossibility.md --report "$T/r2.md" --json "$T/r2.json" -q
sed -e '/^## Timings/,$d' "$T/r1.md" > "$T/r1.cut"; sed -e '/^## Timings/,$d' "$T/r2.md" > "$T/r2.cut"
if cmp -s "$T/r1.cut" "$T/r2.cut"; then ok "report byte-identical across runs (timings excepted)"
else fail "report byte-identical across runs"; diff "$T/r1.cut" "$T/r2.cut" | head; fi
sed -E 's/"seconds": [0-9.e+-]+/"seconds": T/' "$T/r1.json" > "$T/j1"; sed -E 's/"seconds": [0-9.e+-]+/"seconds": T/' "$T/r2.json" > "$T/j2"
if cmp -s "$T/j1" "$T/j2"; then ok "JSON identical across runs (timing field excepted)"; else fail "JSON identical across runs"; fi
has "$T/r1.md" "1970-01-02" "SOURCE_DATE_EPOCH sets the report date"

# --- faults -------------------------------------------------------------------
# a file-size limit makes the write fail: clear error, exit 2, no report left
( ulimit -f 1; $CP audit theorems/lsa_impossibility.md --report "$T/big.md" -q ) > "$T/out" 2> "$T/err"
rc=$?
[ $rc -eq 2 ] && ok "a failed write exits 2" || fail "a failed write exits 2 (exit $rc)"
has "$T/err" "write failed" "a failed write is reported"
if ls "$T"/big.md* > /dev/null 2>&1; then fail "no report or temporary file after a failed write"; else ok "no report or temporary file after a failed write"; fi
# SIGINT during audit: exit status 130, the previous report untouched, no temporary file
echo OLD > "$T/sig.md"
$CP audit --report "$T/sig.md" -q > /dev/null 2>&1 &
pid=$!
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && ok "SIGINT stops audit with status 130" || fail "SIGINT stops audit with status 130 (got $rc)"
[ "$(cat "$T/sig.md")" = OLD ] && ok "SIGINT leaves the previous report untouched" || fail "SIGINT leaves the previous report untouched"
if ls "$T"/sig.md.tmp.* > /dev/null 2>&1; then fail "SIGINT leaves no temporary file"; else ok "SIGINT leaves no temporary file"; fi

# SIGINT during simulate: no CSV, no temporary file
$CP simulate model=ca d1=10 d2=10 L=200 T=20 prompts=1e9 sampler=direct --csv "$T/sim.csv" > /dev/null 2>&1 &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
[ $rc -ne 0 ] && ok "SIGINT stops simulate (status $rc)" || fail "SIGINT stops simulate"
if ls "$T"/sim.csv* > /dev/null 2>&1; then fail "SIGINT during simulate leaves no CSV or temporary file"; else ok "SIGINT during simulate leaves no CSV or temporary file"; fi

# --- install ----------------------------------------------------------------
if make -s install PREFIX="$T/prefix" BUILD="$BUILD" > "$T/install.log" 2>&1 \
   && [ -x "$T/prefix/bin/crossproof" ] && [ -f "$T/prefix/lib/libcrossproof.a" ] \
   && [ -f "$T/prefix/include/crossproof/lsa.h" ]; then ok "make install PREFIX=..."
else fail "make install PREFIX=..."; cat "$T/install.log"; fi
# the installed library links from its pkg-config file alone (issue 12):
# shared and static, no -D flag, no copy of the Makefile's library list
cat > "$T/use.c" <<'CEOF'
#include <stdio.h>
#include <string.h>
#include "crossproof/lsa.h"
#include "crossproof/quantity.h"
int main(void)
{
    cp_model_t m;
    fmpq_t a;
    cp_model_init(m);
    fmpq_init(a);
    fmpq_set_si(m->m_lo, 1, 2);
    fmpq_set_si(m->m_hi, 4, 1);
    cp_alpha_star(a, m);                 /* 2/(2 + 1/2 + 4) = 4/13 */
    const cp_quantity_def *q = cp_quantity_lookup("lsa-gap");
    char *s = fmpq_get_str(NULL, 10, a);
    printf("%s %s\n", s, q ? q->name : "missing");
    flint_free(s);
    fmpq_clear(a);
    cp_model_clear(m);
    return 0;
}
CEOF
PC="$T/prefix/lib/pkgconfig"
# under make sanitize the library carries ASan/UBSan: the program links the same runtime
SANLD=${LDFLAGS:-}
if command -v pkg-config > /dev/null 2>&1; then
    if cc $SANLD $(PKG_CONFIG_PATH="$PC" pkg-config --cflags crossproof) "$T/use.c" -o "$T/use" \
          $(PKG_CONFIG_PATH="$PC" pkg-config --libs crossproof) > "$T/cc.log" 2>&1 \
       && LD_LIBRARY_PATH="$T/prefix/lib" "$T/use" > "$T/use.out" && grep -q '^4/13 lsa-gap$' "$T/use.out"; then
        ok "a program links the installed shared library through pkg-config"
    else fail "a program links the installed shared library through pkg-config"; cat "$T/cc.log"; fi
    if cc $SANLD $(PKG_CONFIG_PATH="$PC" pkg-config --cflags crossproof) "$T/use.c" -o "$T/use-static" \
          $(PKG_CONFIG_PATH="$PC" pkg-config --static --libs crossproof | sed "s|-lcrossproof|$T/prefix/lib/libcrossproof.a|") \
          > "$T/cc.log" 2>&1 && "$T/use-static" | grep -q '^4/13 lsa-gap$'; then
        ok "a program links the installed static library (pkg-config --static)"
    else fail "a program links the installed static library (pkg-config --static)"; cat "$T/cc.log"; fi
else
    fail "pkg-config is missing (make check installs pkgconf)"
fi
[ -f "$T/prefix/share/man/man1/crossproof.1" ] && ok "make install installs the man page" || fail "make install installs the man page"
for c in audit eval list mutate flow simulate train; do
    grep -q "^\.B crossproof $c" docs/crossproof.1 || { fail "the man page names subcommand $c"; continue; }
    ok "the man page names subcommand $c"
done

echo "1..$n"
[ "$bad" -eq 0 ]
