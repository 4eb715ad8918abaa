#!/bin/sh
# tests/e2e_audit_json.sh -- statistical claims in the audit JSON carry their
# interval as numbers (issue 12, item 4): "lower", "upper", "estimate",
# "stderr" (numbers, null where the check has none) and "interval_of" beside
# the text "interval"; ball claims keep their decimal-string bounds.  The
# numbers are checked against an independent `crossproof simulate` run of the
# same point (same seed, prompts and sampler: tridiag, the check's default)
# and against interval = estimate +- z stderr.  Prints "ok N - what" per case; exits 1 if any case failed.
. tests/testlib.sh
if ! command -v python3 > /dev/null 2>&1; then echo "SKIP e2e_audit_json: no python3"; exit 0; fi

cat > "$T/small.md" <<'MD'
# Small statistical claims (test)

```check
id      = t.excess
check   = ca_large_L_excess
T       = 1,3
L       = 1000
prompts = 20000
seed    = 7
z       = 3
mutate  = inc:ref_T_offset
```

```check
id      = t.least-squares
check   = ca_least_squares_limit
T       = 60
L       = 200,1000
prompts = 4000
seed    = 3
mutate  = inc:ref_d_offset
```
MD
$CP audit "$T/small.md" --json "$T/s.json" --report "$T/s.md" -q > /dev/null 2> "$T/err"
check "audit of a small statistical theorem writes JSON" "[ -s '$T/s.json' ]" || cat "$T/err"
$CP simulate model=ca L=1000 T=1,3 prompts=20000 seed=7 sampler=tridiag --json > "$T/sim.json"
check "the numbers are numbers, the estimate and stderr those of simulate at the reported point, interval = estimate +- 3 stderr" \
    "python3 - '$T/s.json' '$T/sim.json' <<'PY'
import json, re, sys
claims = {c['id']: c for c in json.load(open(sys.argv[1]))['claims']}
sim = json.load(open(sys.argv[2]))
c = claims['t.excess']
for k in ('lower', 'upper', 'estimate', 'stderr'):
    assert isinstance(c[k], float), (k, c[k])
assert isinstance(c['interval'], str) and isinstance(c['interval_of'], str)
T = int(re.search(r'T = (\d+)', c['interval_of']).group(1))
row = [r for r in sim if r['resolved']['T'] == T][0]
assert abs(c['estimate'] - row['excess']) <= 1e-9 * row['excess'], (c['estimate'], row['excess'])
assert abs(c['stderr'] - row['excess_stderr']) <= 1e-3 * row['excess_stderr'], (c['stderr'], row['excess_stderr'])
assert abs(c['upper'] - (c['estimate'] + 3 * c['stderr'])) <= 1e-9 * c['upper']
assert c['lower'] <= c['estimate'] <= c['upper']
PY"
check "a second statistical check (risk vs the least-squares formula): numbers, lower <= estimate <= upper" \
    "python3 -c \"
import json
c = [c for c in json.load(open('$T/s.json'))['claims'] if c['id'] == 't.least-squares'][0]
assert c['kind'] == 'statistical'
assert all(isinstance(c[k], float) for k in ('lower', 'upper', 'estimate', 'stderr'))
assert c['lower'] <= c['estimate'] <= c['upper'] and c['stderr'] > 0
\""
$CP audit theorems/lsa_impossibility.md --json "$T/l.json" --report "$T/l.md" -q > /dev/null 2>&1
check "ball claims keep string bounds and no interval_of; the optimizer cross-check has numbers, null stderr" \
    "python3 -c \"
import json
cl = json.load(open('$T/l.json'))['claims']
balls = [c for c in cl if c['kind'] == 'ball']
stats = [c for c in cl if c['kind'] == 'statistical']
assert balls and stats
assert all(isinstance(c['lower'], str) and 'interval_of' not in c for c in balls)
for c in stats:
    assert isinstance(c['lower'], float) and c['stderr'] is None and 'interval_of' in c
\""
finish
