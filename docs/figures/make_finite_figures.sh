#!/bin/sh
# make_finite_figures.sh -- the finite-size figures of docs/figures/ (issue 10),
# run by make_figures.sh (`make figures`).
#
#   sh docs/figures/make_finite_figures.sh [CROSSPROOF] [DATADIR] [OUTDIR]
#
# 1. finite_excess_vs_T: the EXACT expected excess of the tied CA at alpha*
#    (d = 2, uniform prior on [1/2, 4]; `crossproof eval ca-excess-finite`,
#    docs/model.md section 8; midpoints of certified enclosures) against depth T
#    at several L, on a log scale, with each L's least-squares level and the
#    depth T = kappa* L of the phase boundary; simulated points (tilted sampler,
#    95% intervals) at L = 200.
# 2. phase_plane: the line T = kappa* L in the (L, T) plane over the exact
#    ratio excess / least-squares level at d = 2 on a grid.
set -eu
CP=${1:-build/crossproof}
DATA=${2:-build/figures-data}
OUT=${3:-docs/figures}
# CP_FIG_SCALE=N divides every simulation's prompt count by N (tests: fast, noisier figures)
SCALE=${CP_FIG_SCALE:-1}
mkdir -p "$DATA" "$OUT"
command -v gnuplot >/dev/null || { echo "make figures needs gnuplot; as root: apt-get install -y gnuplot-nox"; exit 2; }
mid() { "$CP" eval "$@" --digits 10 --json | sed -n 's/.*"mid": "\([^"]*\)".*/\1/p'; }

echo "figures: exact finite-L excess (crossproof eval ca-excess-finite)"
KSTAR=$(mid kappa-star)
BAYES=$(mid bayes-risk)
: > "$DATA/finite_T.dat"
for L in 50 100 200 400; do
    for T in 1 2 3 4 5 6 8 10 12 15 20 25 30 40 50 60; do
        echo "$L $T $(mid ca-excess-finite d1=1 d2=1 L=$L T=$T)" >> "$DATA/finite_T.dat"
    done
    echo >> "$DATA/finite_T.dat"; echo >> "$DATA/finite_T.dat"
done
"$CP" simulate --quiet model=ca d1=1 d2=1 L=200 T=2,5,10,15,20,25,30 sampler=tilted prompts=$((200000 / SCALE)) seed=1 \
    --csv "$DATA/finite_sim.csv" > /dev/null
# columns by header name: L, T, excess, excess_stderr
grep -v '^#' "$DATA/finite_sim.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { print $c["L"], $c["T"], $c["excess"], $c["excess_stderr"] }' > "$DATA/finite_sim.dat"

echo "figures: phase plane (exact ratio to least squares on a grid)"
: > "$DATA/phase.dat"
for L in 20 40 80 160 320; do
    for T in 1 2 4 6 8 12 16 24 32 48; do
        EX=$(mid ca-excess-finite d1=1 d2=1 L=$L T=$T)
        echo "$L $T $EX" | awk -v b="$BAYES" '{ ls = b * 2 / ($1 - 3); r = $3 / ls; print $1, $2, log(r) / log(10) }' >> "$DATA/phase.dat"
    done
done

# Column width (3.5 in, 8 pt fonts; PNG at 300 dpi), as make_figures.sh;
# the series differ by dash and point type, the map is a one-hue gray scale.
for term in svg png; do
    case $term in
        svg) T_SET="set terminal svg size 252,W_H dynamic noenhanced font 'sans,8' linewidth 1"; EXT=svg ;;
        png) T_SET="set terminal pngcairo size 1050,W_HP noenhanced font 'sans,8' fontscale 3.1 linewidth 4.17 pointscale 3"; EXT=png ;;
    esac
    TERM_EXC=$(echo "$T_SET" | sed 's/W_HP/1375/; s/W_H/330/')
    TERM_PH=$(echo "$T_SET" | sed 's/W_HP/1000/; s/W_H/240/')
    gnuplot <<GP
set grid lc rgb "#c0c0c0"
# ---- exact excess vs T ----
$TERM_EXC
set output "$OUT/finite_excess_vs_T.$EXT"
set title "Tied CA at alpha*, d = 2: exact excess vs T"
set xlabel "depth T"
set ylabel "expected excess E - E_Bayes (exact)"
set logscale y
set format y "1e%T"
set xrange [0.5:62]
set yrange [1e-3:1e30]
set ytics 1e-3, 1e6
set key outside below left Left reverse maxcols 1 samplen 4
ls(L) = $BAYES * 2 / (L - 3)
set label 1 "dotted verticals: T = kappa* L" at graph 0.03, graph 0.94
set arrow 1 from $KSTAR*50, graph 0 to $KSTAR*50, graph 1 nohead dt 3 lc rgb "black"
set arrow 2 from $KSTAR*100, graph 0 to $KSTAR*100, graph 1 nohead dt 3 lc rgb "#1b9e77"
set arrow 3 from $KSTAR*200, graph 0 to $KSTAR*200, graph 1 nohead dt 3 lc rgb "#d95f02"
set arrow 4 from $KSTAR*400, graph 0 to $KSTAR*400, graph 1 nohead dt 3 lc rgb "#7570b3"
plot "$DATA/finite_T.dat" index 0 using 2:3 with linespoints lw 1.5 dt 1 pt 7 ps 0.6 lc rgb "black" title "L = 50 (exact)", \
     "$DATA/finite_T.dat" index 1 using 2:3 with linespoints lw 1.5 dt 2 pt 5 ps 0.6 lc rgb "#1b9e77" title "L = 100 (exact)", \
     "$DATA/finite_T.dat" index 2 using 2:3 with linespoints lw 1.5 dt 4 pt 9 ps 0.7 lc rgb "#d95f02" title "L = 200 (exact)", \
     "$DATA/finite_T.dat" index 3 using 2:3 with linespoints lw 1.5 dt 5 pt 13 ps 0.7 lc rgb "#7570b3" title "L = 400 (exact)", \
     "$DATA/finite_sim.dat" using 2:3:(1.96*\$4) with yerrorbars pt 6 ps 1.2 lc rgb "black" title "L = 200 simulated (tilted sampler, 95% CI)", \
     ls(200) with lines lw 1 dt (2,4) lc rgb "#d95f02" title "least-squares level, L = 200", \
     ls(50) with lines lw 1 dt (8,4) lc rgb "black" title "least-squares level, L = 50"
unset arrow
unset label 1
unset logscale y
set format y "%g"
set ytics autofreq
# ---- phase plane ----
$TERM_PH
set output "$OUT/phase_plane.$EXT"
set title "log10(exact excess / least-squares level), d = 2"
set xlabel "context length L (log scale)"
set ylabel "depth T"
set logscale x
set xrange [15:400]
set xtics (20, 40, 80, 160, 320)
set yrange [0:52]
set cblabel "log10 ratio"
set palette defined (0 "#f7f7f7", 1 "#bdbdbd", 3 "#636363", 6 "#000000")
set cbrange [-0.5:6]
set key outside below left Left reverse samplen 4
plot "$DATA/phase.dat" using 1:2:3 with points pt 5 ps 1.6 palette notitle, \
     $KSTAR * x with lines lw 2.5 dt 2 lc rgb "#d95f02" title sprintf("T = kappa* L, kappa* = %.5f (certified)", $KSTAR)
GP
done
echo "figures: wrote $OUT/finite_excess_vs_T, phase_plane (.svg, .png)"
