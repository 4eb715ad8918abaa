#!/bin/sh
# tests/e2e_figures.sh -- the figure scripts run: docs/figures/make_figures.sh
# (which runs make_finite_figures.sh) writes every figure, SVG and PNG, into a
# scratch directory (never docs/figures/), and the template
# docs/figures/simulate.gp plots simulate CSVs to SVG and PNG.  Without
# gnuplot it prints SKIP and passes (make check runs it either way).
# Prints "ok N - what" per case; exits 1 if any case failed.
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "SKIP e2e_figures: gnuplot is not installed (apt-get install -y gnuplot-nox)"
    exit 0
fi
. tests/testlib.sh
# an SVG file: non-empty and an <svg> element closed; a PNG: non-empty with the PNG signature
is_svg() { [ -s "$1" ] && grep -q '<svg' "$1" && grep -q '</svg>' "$1"; }
is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

# 1. the paper figures (simulations with 1/40 of the prompts: fast, noisier)
before=$(cd docs/figures && ls -l --time-style=+%s.%N *.svg *.png 2>/dev/null | md5sum)
if CP_FIG_SCALE=40 sh docs/figures/make_figures.sh "$CP" "$T/data" "$T/out" > "$T/fig.log" 2>&1; then
    ok "make_figures.sh exits 0"
else
    fail "make_figures.sh exits 0"; tail -20 "$T/fig.log"
fi
for f in risk_vs_depth alpha_T beta_over_alpha risk_vs_L finite_excess_vs_T phase_plane; do
    check "$f.svg is a non-empty SVG" "is_svg '$T/out/$f.svg'"
    check "$f.png is a non-empty PNG" "is_png '$T/out/$f.png'"
done
after=$(cd docs/figures && ls -l --time-style=+%s.%N *.svg *.png 2>/dev/null | md5sum)
check "the scratch run left docs/figures/ untouched" "[ '$before' = '$after' ]"
# gnuplot warnings (a bad range, a missing column) mean a broken figure; the
# SVG terminal's estimate of text widths ("difficulty fitting plot titles into
# key") is the one tolerated warning: the legends are drawn in full
check "no gnuplot warnings or errors" "! grep -i 'warning\|error' '$T/fig.log' | grep -v 'difficulty fitting plot titles' | grep -q ."
# the T = 100 series of risk_vs_L has points in range (L >= 20)
check "risk_vs_L: T = 100 has points below the top of the axis" \
    "[ \$(awk '\$8 >= 20 && \$21 < 1' '$T/data/ca_L_T100.dat' | wc -l) -ge 5 ]"
# beta_over_alpha: |beta/alpha + 1| is positive at every T (a log axis needs it) and falls by decades
check "beta_over_alpha: |beta/alpha + 1| positive at every T, below 1e-20 at T = 100" \
    "awk '\$2 <= 0 { bad = 1 } \$1 == 100 && \$2 < 1e-20 { low = 1 } END { exit bad || !low }' '$T/data/ratio_dev.dat'"

# 2. the template on simulate CSVs
"$CP" simulate --quiet model=ca L=20,50,200 T=1,3 prompts=2000 seed=1 --csv "$T/s.csv" > /dev/null
(cd "$T" && gnuplot -e "file='s.csv'" "$OLDPWD/docs/figures/simulate.gp") > "$T/gp1.log" 2>&1
check "simulate.gp: default output s.svg next to the CSV" "is_svg '$T/s.svg'"
check "simulate.gp: one series per T (2 legend entries)" \
    "[ \$(grep -c '>T = [13]<' '$T/s.svg') -eq 2 ]"
gnuplot -e "file='$T/s.csv'; xcol='T'; by='L'; ycol='excess'; out='$T/s.png'" docs/figures/simulate.gp > "$T/gp2.log" 2>&1
check "simulate.gp: PNG output, other axes" "is_png '$T/s.png'"
check "simulate.gp: no warnings" "! grep -qi 'warning\|error' '$T/gp1.log' '$T/gp2.log'"
if gnuplot docs/figures/simulate.gp > "$T/gp3.log" 2>&1; then
    fail "simulate.gp without file= fails"
else
    check "simulate.gp without file= fails with a usage line" "grep -q \"file='x.csv'\" '$T/gp3.log'"
fi
if gnuplot -e "file='$T/s.csv'; ycol='seconds'" docs/figures/simulate.gp > "$T/gp4.log" 2>&1; then
    fail "simulate.gp rejects ycol other than risk/excess"
else
    ok "simulate.gp rejects ycol other than risk/excess"
fi

finish
