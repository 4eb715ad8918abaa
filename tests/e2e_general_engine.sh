#!/bin/sh
# tests/e2e_general_engine.sh -- simulate and train with the general latent
# factor model (k, tau1, tau2, split; docs/model.md sections 11 and 14).
#  - k = 1, tau1 = tau2 = 1 (any split) given explicitly prints the same bytes
#    as the defaults (text, JSON apart from the params echo, CSV rows), and
#    with CP_REF_CROSSPROOF=path the same text as that build;
#  - every bad key exits 2 with a one-line error naming it, and the samplers
#    and estimator that assume the isotropic k = 1 model are refused;
#  - the engine's Bayes risk by Monte Carlo (query=sampled) matches
#    `crossproof eval bayes-risk-general` within 4 standard errors, and does
#    not match the isotropic model's value;
#  - the JSON and CSV outputs echo the new keys.
# Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh

strip() { sed -e 's/"source": "[^"]*"//g; s/"seconds": [0-9.]*//g; s/"params": {[^}]*}//g' "$1"; }
# the text table without its timing column (prompts/s, the only number printed as N.NNNe+NN)
notime() { sed -E 's/ [0-9.]+e\+[0-9]+ +/ T /' "$1"; }

# 1. the k = 1 isotropic model is the old path, bit for bit
for args in "model=ca L=200 T=1,3 prompts=3000" "model=ca d1=3 d2=2 L=50 T=2 prompts=3000 sampler=wishart" \
            "model=lsa L=100 prompts=3000 sampler=direct" "model=bayes L=30 prompts=3000 query=sampled" \
            "model=ca2 L=40 T=2 prompts=3000 estimator=plain sigma=1/2" "model=ols d1=2 d2=2 L=20 prompts=3000 sampler=tilted"; do
    $CP simulate $args | notime /dev/stdin > "$T/a.txt"; $CP simulate $args k=1 tau1=1 tau2=1 split=1/3 | notime /dev/stdin > "$T/b.txt"
    $CP simulate $args --json | strip /dev/stdin > "$T/a.json"
    $CP simulate $args k=1 tau1=1 tau2=1 split=1/3 --json | strip /dev/stdin > "$T/b.json"
    $CP simulate $args --csv "$T/a.csv" > /dev/null; $CP simulate $args k=1 tau1=1 tau2=1 split=1/3 --csv "$T/b.csv" > /dev/null
    check "k=1 tau1=1 tau2=1 split=1/3 gives the default's bytes: simulate $args" \
        "cmp -s '$T/a.txt' '$T/b.txt' && cmp -s '$T/a.json' '$T/b.json' && [ -s '$T/a.json' ]"
    check "... and the same CSV numbers apart from the timing column: simulate $args" \
        "[ \$(cut -d, -f1-23,25- '$T/a.csv' | grep -v '^#' | md5sum | cut -c1-32) = \$(cut -d, -f1-23,25- '$T/b.csv' | grep -v '^#' | md5sum | cut -c1-32) ]"
done
for args in "steps=200 batch=128 test_prompts=2000" "model=lsa steps=100 test_prompts=2000 sigma=1/3 --json"; do
    $CP train $args | strip /dev/stdin > "$T/a.txt"; $CP train $args k=1 tau1=1 tau2=1 split=0 | strip /dev/stdin > "$T/b.txt"
    check "k=1 tau1=1 tau2=1 split=0 gives the default's bytes: train $args" "cmp -s '$T/a.txt' '$T/b.txt' && [ -s '$T/a.txt' ]"
done
# a general model changes the numbers (so the comparisons above can fail)
$CP simulate model=ca L=200 T=1 prompts=3000 | notime /dev/stdin > "$T/a.txt"
$CP simulate model=ca L=200 T=1 prompts=3000 tau2=5/4 | notime /dev/stdin > "$T/b.txt"
check "tau2=5/4 changes the estimate" "! cmp -s '$T/a.txt' '$T/b.txt'"
if [ -n "${CP_REF_CROSSPROOF:-}" ]; then
    for args in "model=ca L=200 T=1,3 prompts=3000" "model=lsa L=100 prompts=3000 sampler=direct"; do
        "$CP_REF_CROSSPROOF" simulate $args | notime /dev/stdin > "$T/r.txt"
        $CP simulate $args k=1 tau1=1 tau2=1 | notime /dev/stdin > "$T/n.txt"
        check "byte-identical to the reference build (timing column aside): simulate $args k=1 tau1=1 tau2=1" \
            "cmp -s '$T/r.txt' '$T/n.txt'"
    done
fi

# 2. bad keys: exit 2, one line naming the parameter
bad() {   # bad KEY ARGS...: exit 2, one line on stderr that names KEY
    key=$1; shift
    "$@" > "$T/o" 2> "$T/e"; rc=$?
    check "exit 2 naming $key: $*" "[ $rc -eq 2 ] && [ \$(wc -l < '$T/e') -eq 1 ] && grep -q 'parameter $key' '$T/e' && [ ! -s '$T/o' ]"
}
bad k $CP simulate k=0 prompts=100
bad k $CP simulate k=2 d1=1 d2=2 prompts=100
bad k $CP simulate k=x prompts=100
bad tau1 $CP simulate tau1=0 prompts=100
bad tau2 $CP simulate tau2=2000 prompts=100
bad tau2 $CP simulate tau2=-1 prompts=100
bad split $CP simulate split=3/2 prompts=100
bad sampler $CP simulate k=2 d1=2 d2=2 sampler=tridiag prompts=100
bad sampler $CP simulate tau2=2 sampler=tilted prompts=100
bad estimator $CP simulate tau1=2 estimator=conditional prompts=100
bad sampler $CP simulate k=2 d1=2 d2=2 sampler=wishart L=5 prompts=100
bad sampler $CP simulate k=2 d1=2 d2=2 sigma=1 sampler=wishart L=6 prompts=100
bad k $CP train k=0 steps=10
bad tau2 $CP train tau2=0 steps=10
bad finite_opt $CP train tau2=2 finite_opt=1 steps=10
printf 'k = 3\nd1 = 2\n' > "$T/g.conf"
$CP simulate --config "$T/g.conf" prompts=100 > "$T/o" 2> "$T/e"; rc=$?
check "a bad k in a --config file names file:line" "[ $rc -eq 2 ] && grep -q 'g.conf:1' '$T/e'"
$CP simulate k=2 d1=2 d2=2 sampler=wishart L=6 prompts=100 > /dev/null 2>&1
check "sampler=wishart at L = k + d runs (sigma = 0)" "[ $? -eq 0 ]"
$CP simulate k=2 d1=2 d2=2 tau2=2 L=5 prompts=100 --json > "$T/o" 2>&1
check "sampler=auto picks direct below L = k + d and the plain estimator" \
    "grep -q '\"sampler\": \"direct\"' '$T/o' && grep -q '\"estimator\": \"plain\"' '$T/o'"

# 3. the help lists the keys
for c in simulate train; do
    $CP $c --help > "$T/h"
    check "$c --help lists k, tau1, tau2, split" \
        "grep -q '^  k ' '$T/h' && grep -q '^  tau1 ' '$T/h' && grep -q '^  tau2 ' '$T/h' && grep -q '^  split ' '$T/h'"
done

# 4. the Bayes risk the engine estimates against the certified one
G="d1=2 d2=2 k=2 tau2=2 sigma=1/2"
$CP simulate $G model=bayes query=sampled L=50 prompts=400000 --json > "$T/b.json"
$CP eval bayes-risk-general $G --json > "$T/e.json"
$CP eval bayes-risk d1=2 d2=2 sigma=1/2 --json > "$T/i.json"
check "Bayes risk (k=2, tau2=2): Monte Carlo within 4 stderr of eval bayes-risk-general, and 2x the isotropic value is far" \
    "python3 - '$T/b.json' '$T/e.json' '$T/i.json' <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))[0] if open(sys.argv[1]).read().lstrip().startswith('[') else json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2])); i = json.load(open(sys.argv[3]))
v = (float(e['lower']) + float(e['upper'])) / 2
iso = 2 * (float(i['lower']) - 0.25) + 0.25
ok = abs(r['risk'] - v) < 4 * r['stderr'] and abs(r['risk'] - iso) > 10 * r['stderr']
print(r['risk'], r['stderr'], v, iso)
sys.exit(0 if ok else 1)
EOF"
check "the JSON params echo k and tau2" "grep -q '\"k\": \"2\"' '$T/b.json' && grep -q '\"tau2\": \"2\"' '$T/b.json'"
$CP simulate $G model=lsa L=1000 prompts=2000 --csv "$T/g.csv" > "$T/g.txt"
check "the CSV params line and the text header echo the general keys" \
    "grep -q '^# params: .*\"k\": \"2\"' '$T/g.csv' && grep -q 'k=2 tau1=1 tau2=2 split=0.5' '$T/g.txt'"
$CP train $G model=lsa steps=50 lr=1/100 test_prompts=2000 --json > "$T/t.json"
check "train --json echoes the general model" "grep -q '\"general\": {\"k\": 2, \"tau1\": 1, \"tau2\": 2' '$T/t.json'"
finish
