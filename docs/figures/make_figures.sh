#!/bin/sh
# make_figures.sh -- regenerates the paper-style figures of docs/figures/ (`make figures`).
#
#   sh docs/figures/make_figures.sh [CROSSPROOF] [DATADIR]
#
# Population curves (L = infinity) come from `crossproof eval` (certified
# enclosures; their midpoints are plotted).  Finite-L curves come from
# `crossproof simulate` (Monte Carlo estimates, 95% intervals drawn as error
# bars; never certified).  Data files go to DATADIR (default build/figures-data);
# the figures (SVG and PNG) to docs/figures/.
set -eu
CP=${1:-build/crossproof}
DATA=${2:-build/figures-data}
OUT=docs/figures
mkdir -p "$DATA" "$OUT"
command -v gnuplot >/dev/null || { echo "make figures needs gnuplot; as root: apt-get install -y gnuplot-nox"; exit 2; }

mid() { "$CP" eval "$@" --digits 12 --json | sed -n 's/.*"mid": "\([^"]*\)".*/\1/p'; }

echo "figures: population curves (crossproof eval)"
ASTAR=$(mid alpha-star)
BAYES=$(mid bayes-risk)
LSAEX=$(mid lsa-excess-avg)
RATE=$(mid rate-limit)
: > "$DATA/pop.dat"
for T in 1 2 3 4 5 6 7 8 10 12 15 20 25 30 40 50 70 100; do
    A=$(mid alpha-opt T=$T)
    EX=$(mid ca-excess T=$T alpha=$ASTAR beta=-$ASTAR)
    if [ "$T" -ge 2 ]; then R=$(mid ratio-opt T=$T); else R=NaN; fi
    echo "$T $A $EX $R" >> "$DATA/pop.dat"
done

echo "figures: simulations (crossproof simulate)"
"$CP" simulate --quiet model=ca T=1,2,3,4,5,6,8,10,12,15,20,25,30 L=200,1000 prompts=100000 seed=1 --csv "$DATA/ca_depth.csv" > /dev/null
"$CP" simulate --quiet model=lsa L=200,1000 prompts=100000 seed=1 --csv "$DATA/lsa_L.csv" > /dev/null
"$CP" simulate --quiet model=ca d1=2 d2=2 alpha=0.15 T=2,10,100 L=12,16,20,30,50,100,200,500,1000,3000,10000 \
    prompts=50000 seed=1 --csv "$DATA/ca_L.csv" > /dev/null
"$CP" simulate --quiet model=ols d1=2 d2=2 L=8,10,12,16,20,30,50,100,200,500,1000,3000,10000 prompts=50000 seed=1 \
    --csv "$DATA/ols_L.csv" > /dev/null
BAYES4=$(mid bayes-risk d1=2 d2=2)

# CSV columns: model,d1,d2,m_lo,m_hi,prior,sigma,L,T,alpha,beta,gamma,sampler,query,prompts,seed,
#              risk,stderr,ci95_lo,ci95_hi,excess,excess_stderr,bayes_risk,seconds
for f in ca_depth lsa_L ca_L ols_L; do
    grep -v '^#' "$DATA/$f.csv" | tail -n +2 | tr ',' ' ' > "$DATA/$f.dat"
done

LSA200=$(awk '$8 == 200 { print $21 }' "$DATA/lsa_L.dat")

for term in svg png; do
    case $term in
        svg) T_SET="set terminal svg size 720,480 dynamic noenhanced font 'sans,12'"; EXT=svg ;;
        png) T_SET="set terminal pngcairo size 720,480 noenhanced font 'sans,11'"; EXT=png ;;
    esac
    gnuplot <<GP
$T_SET
set grid
set key top right
# ---- 1. excess risk vs depth ----
set output "$OUT/risk_vs_depth.$EXT"
set title "Excess risk over the task-known Bayes risk vs depth T (d = 2, alpha = alpha*)"
set xlabel "depth T"
set ylabel "excess risk"
set logscale y
set format y "1e%T"
set xrange [0.8:31]
plot "$DATA/pop.dat" using 1:3 with linespoints lw 2 pt 7 title "CA, L = inf (certified enclosure)", \
     "$DATA/ca_depth.dat" using (\$8==200?\$9:1/0):21:(1.96*\$22) with yerrorlines pt 5 title "CA, L = 200 (simulated, 95% CI)", \
     "$DATA/ca_depth.dat" using (\$8==1000?\$9:1/0):21:(1.96*\$22) with yerrorlines pt 9 title "CA, L = 1000 (simulated)", \
     $LSAEX with lines lw 2 dt 2 title "one-layer LSA, best gamma, L = inf", \
     $LSA200 with lines lw 2 dt 4 title "one-layer LSA, best gamma, L = 200 (simulated)"
unset logscale y
set format y "%g"
# ---- 2. alpha_T vs T ----
set output "$OUT/alpha_T.$EXT"
set title "Optimal tied step alpha_T vs depth T (one-parameter CA, L = inf)"
set xlabel "depth T"
set ylabel "alpha_T"
set logscale x
set xrange [0.9:110]
set key bottom right
plot "$DATA/pop.dat" using 1:2 with linespoints lw 2 pt 7 title "alpha_T (certified enclosure, midpoint)", \
     $ASTAR with lines lw 2 dt 2 title "alpha* = 2/(2 + m_lo + m_hi)", \
     $ASTAR - $RATE/x with lines dt 3 title "alpha* - c_inf / T (derived rate)"
# ---- 3. beta/alpha vs T ----
set output "$OUT/beta_over_alpha.$EXT"
set title "Two-parameter optimum: beta_T / alpha_T vs depth T (L = inf; note the odd/even alternation)"
set ylabel "beta_T / alpha_T"
set xrange [1.8:110]
set yrange [-1.01:-0.9]
set key top right
plot "$DATA/pop.dat" using 1:4 with linespoints lw 2 pt 7 title "beta_T/alpha_T (certified enclosure, midpoint)", \
     -1 with lines lw 2 dt 2 title "-1"
set autoscale y
# ---- 4. risk vs L ----
set output "$OUT/risk_vs_L.$EXT"
set title "Risk vs context length L (d = 4, CA with alpha = 0.15; T = 100 off scale for L < 20: alpha lambda_max > 2 on rare prompts)" font ",10"
set xlabel "context length L"
set ylabel "risk"
set xrange [7:12000]
set yrange [0.3:1.2]
set key top right
plot "$DATA/ca_L.dat" using (\$9==2?\$8:1/0):17:(1.96*\$18) with yerrorlines pt 5 title "CA, T = 2 (simulated)", \
     "$DATA/ca_L.dat" using (\$9==10?\$8:1/0):17:(1.96*\$18) with yerrorlines pt 7 title "CA, T = 10", \
     "$DATA/ca_L.dat" using (\$9==100?\$8:1/0):17:(1.96*\$18) with yerrorlines pt 9 title "CA, T = 100", \
     "$DATA/ols_L.dat" using 8:17:(1.96*\$18) with yerrorbars pt 6 title "least squares (simulated)", \
     (x > 5.5 ? $BAYES4 * (x - 1)/(x - 5) : 1/0) with lines lw 2 dt 2 title "E[Var(y|x)] (L-1)/(L-d-1) (exact)", \
     $BAYES4 with lines lw 2 dt 3 title "Bayes risk (task known)"
GP
done
echo "figures: wrote $OUT/risk_vs_depth, alpha_T, beta_over_alpha, risk_vs_L (.svg, .png)"
sh "$(dirname "$0")/make_finite_figures.sh" "$CP" "$DATA"
