#!/bin/sh
# make_figures.sh -- regenerates the paper-style figures of docs/figures/ (`make figures`).
#
#   sh docs/figures/make_figures.sh [CROSSPROOF] [DATADIR] [OUTDIR]
#
# Population curves (L = infinity) come from `crossproof eval` (certified
# enclosures; their midpoints are plotted).  Finite-L curves come from
# `crossproof simulate` (Monte Carlo estimates, 95% intervals drawn as error
# bars; never certified).  Data files go to DATADIR (default build/figures-data);
# the figures (SVG and PNG) to docs/figures/.
set -eu
CP=${1:-build/crossproof}
DATA=${2:-build/figures-data}
OUT=${3:-docs/figures}
# CP_FIG_SCALE=N divides every simulation's prompt count by N (tests: fast, noisier figures)
SCALE=${CP_FIG_SCALE:-1}
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
"$CP" simulate --quiet model=ca T=1,2,3,4,5,6,8,10,12,15,20,25,30 L=200,1000 prompts=$((100000 / SCALE)) seed=1 --csv "$DATA/ca_depth.csv" > /dev/null
"$CP" simulate --quiet model=lsa L=200,1000 prompts=$((100000 / SCALE)) seed=1 --csv "$DATA/lsa_L.csv" > /dev/null
"$CP" simulate --quiet model=ca d1=2 d2=2 alpha=0.15 T=2,10,100 L=12,16,20,30,50,100,200,500,1000,3000,10000 \
    prompts=$((50000 / SCALE)) seed=1 --csv "$DATA/ca_L.csv" > /dev/null
"$CP" simulate --quiet model=ols d1=2 d2=2 L=8,10,12,16,20,30,50,100,200,500,1000,3000,10000 prompts=$((50000 / SCALE)) seed=1 \
    --csv "$DATA/ols_L.csv" > /dev/null
BAYES4=$(mid bayes-risk d1=2 d2=2)

# CSV columns: model,d1,d2,m_lo,m_hi,prior,sigma,L,T,alpha,beta,gamma,sampler,query,prompts,seed,
#              risk,stderr,ci95_lo,ci95_hi,excess,excess_stderr,bayes_risk,seconds
for f in ca_depth lsa_L ca_L ols_L; do
    grep -v '^#' "$DATA/$f.csv" | tail -n +2 | tr ',' ' ' > "$DATA/$f.dat"
done

# one file per depth of the risk-vs-L sweep, so that each series is one connected line
for T in 2 10 100; do awk -v t=$T '$9 == t' "$DATA/ca_L.dat" > "$DATA/ca_L_T$T.dat"; done

LSA200=$(awk '$8 == 200 { print $21 }' "$DATA/lsa_L.dat")

# |beta_T/alpha_T + 1| from 40-digit enclosures (bc: doubles round it to 0 beyond T = 50)
: > "$DATA/ratio_dev.dat"
for T in 2 3 4 5 6 7 8 10 12 15 20 25 30 40 50 70 100; do
    R40=$("$CP" eval ratio-opt T=$T --digits 40 --json | sed -n 's/.*"mid": "\([^"]*\)".*/\1/p')
    DEV=$(echo "r = 1 + ($R40); if (r < 0) r = -r; r" | BC_LINE_LENGTH=0 bc -l)
    echo "$T $DEV" >> "$DATA/ratio_dev.dat"
done

# Column width (about 3.5 in): SVG at 72 units per inch with 8 pt fonts; PNG at
# 300 dpi (the same layout scaled by 300/72).  Every series differs by dash
# type and point type as well as by colour, so the figures read in grayscale.
for term in svg png; do
    case $term in
        svg) T_SET="set terminal svg size 252,W_H dynamic noenhanced font 'sans,8' linewidth 1"; EXT=svg ;;
        png) T_SET="set terminal pngcairo size 1050,W_HP noenhanced font 'sans,8' fontscale 3.1 linewidth 4.17 pointscale 3"; EXT=png ;;
    esac
    TERM_TALL=$(echo "$T_SET" | sed 's/W_HP/1125/; s/W_H/270/')
    TERM_2P=$(echo "$T_SET" | sed 's/W_HP/1500/; s/W_H/360/')
    gnuplot <<GP
set grid lc rgb "#c0c0c0"
set key noenhanced
# ---- 1. excess risk vs depth ----
$TERM_TALL
set output "$OUT/risk_vs_depth.$EXT"
set title "Excess risk vs depth T (d = 2, alpha = alpha*)"
set xlabel "depth T"
set ylabel "excess risk E - E_Bayes"
set logscale y
set format y "10^{%T}"
set format y "1e%T"
set xrange [0.8:31]
set yrange [1e-19:1]
set key outside below left Left reverse maxcols 1 samplen 4 spacing 1
plot "$DATA/pop.dat" using 1:3 with linespoints lw 1.5 dt 1 pt 7 ps 0.6 lc rgb "black" title "CA, L = inf (certified)", \
     "$DATA/ca_depth.dat" using (\$8==200?\$9:1/0):21:(1.96*\$22) with yerrorlines lw 1 dt 3 pt 4 ps 0.7 lc rgb "#1b9e77" title "CA, L = 200 (simulated, 95% CI)", \
     "$DATA/ca_depth.dat" using (\$8==1000?\$9:1/0):21:(1.96*\$22) with yerrorlines lw 1 dt 4 pt 8 ps 0.7 lc rgb "#7570b3" title "CA, L = 1000 (simulated, 95% CI)", \
     $LSAEX with lines lw 3 dt (12,6) lc rgb "#d95f02" title "LSA, best gamma, L = inf (certified)", \
     $LSA200 with lines lw 2.5 dt (3,3) lc rgb "#e7298a" title "LSA, best gamma, L = 200 (simulated)"
unset logscale y
set format y "%g"
set autoscale y
# ---- 2. alpha_T vs T ----
$TERM_TALL
set output "$OUT/alpha_T.$EXT"
set title "Optimal tied step alpha_T vs depth T (L = inf)"
set xlabel "depth T (log scale)"
set ylabel "alpha_T"
set logscale x
set xrange [0.9:110]
set key outside below left Left reverse maxcols 1 samplen 4
plot "$DATA/pop.dat" using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb "black" title "alpha_T (certified, midpoint)", \
     $ASTAR with lines lw 2 dt (12,6) lc rgb "#d95f02" title "alpha* = 2/(2 + m_lo + m_hi)", \
     $ASTAR - $RATE/x with lines lw 1.5 dt (3,3) lc rgb "#7570b3" title "alpha* - c_inf/T (derived rate)"
unset logscale x
# ---- 3. beta/alpha vs T: (a) the ratio, every T labelled; (b) |beta/alpha + 1| on a log axis ----
$TERM_2P
set output "$OUT/beta_over_alpha.$EXT"
set multiplot layout 2,1 title "Two-parameter optimum beta_T/alpha_T (L = inf)"
unset title
set xlabel "depth T"
set ylabel "beta_T / alpha_T"
set xrange [1.5:12.5]
set xtics 1
set yrange [-1.005:-0.925]
set ytics 0.02
set key inside top right samplen 3
set title "(a) the ratio; every T from 2 to 12"
plot "$DATA/pop.dat" using 1:4 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb "black" title "beta_T/alpha_T (certified)", \
     -1 with lines lw 1.5 dt (8,4) lc rgb "#d95f02" title "-1"
set xlabel "depth T (log scale)"
set ylabel "|beta_T/alpha_T + 1|"
set yrange [1e-31:1]
set logscale x
set logscale y
set format y "1e%T"
set xrange [1.8:110]
set xtics (2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70, 100)
set ytics 1e-30, 1e5
set title "(b) distance to -1, log axes; T = 2 to 100"
plot "$DATA/ratio_dev.dat" using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb "black" notitle
unset multiplot
unset logscale x
unset logscale y
set format y "%g"
set xtics autofreq
set ytics autofreq
# ---- 4. risk vs L (excess over the Bayes risk, log-log) ----
$TERM_TALL
set output "$OUT/risk_vs_L.$EXT"
set title "Excess risk vs context length L (d = 4, alpha = 0.15)"
set xlabel "context length L (log scale)"
set ylabel "excess risk E - E_Bayes"
set logscale x
set logscale y
set format y "1e%T"
set xrange [7:15000]
set yrange [1e-4:1]
set key outside below left Left reverse maxcols 1 samplen 4
plot "$DATA/ca_L_T2.dat" using 8:21:(1.96*\$22) with yerrorlines lw 1 dt 1 pt 5 ps 0.6 lc rgb "black" title "CA, T = 2 (simulated, 95% CI)", \
     "$DATA/ca_L_T10.dat" using 8:21:(1.96*\$22) with yerrorlines lw 1 dt 4 pt 9 ps 0.7 lc rgb "#1b9e77" title "CA, T = 10 (simulated)", \
     "$DATA/ca_L_T100.dat" using 8:(\$21 < 1 ? \$21 : 1/0):(1.96*\$22) with yerrorlines lw 1.5 dt 2 pt 2 ps 1.0 lc rgb "#d95f02" title "CA, T = 100 (simulated; L < 20 off scale)", \
     "$DATA/ols_L.dat" using 8:21:(1.96*\$22) with yerrorbars pt 6 ps 1.4 lc rgb "#7570b3" title "least squares (simulated)", \
     (x > 5.5 ? $BAYES4 * 4/(x - 5) : 1/0) with lines lw 1.5 dt (3,3) lc rgb "#7570b3" title "least squares, exact: E_Bayes d/(L-d-1)"
unset logscale x
unset logscale y
GP
done
echo "figures: wrote $OUT/risk_vs_depth, alpha_T, beta_over_alpha, risk_vs_L (.svg, .png)"
sh "$(dirname "$0")/make_finite_figures.sh" "$CP" "$DATA" "$OUT"
