# simulate.gp -- plots any `crossproof simulate --csv` file.
#
#   gnuplot -e "file='x.csv'" docs/figures/simulate.gp
#   gnuplot -e "file='x.csv'; xcol='T'; ycol='excess'; by='L'; out='fig.png'" docs/figures/simulate.gp
#
# Variables (set with -e before the script):
#   file  the CSV written by `crossproof simulate ... --csv FILE` (required)
#   xcol  column on the horizontal axis                [L]
#   ycol  risk or excess (95% error bars from stderr or excess_stderr)  [risk]
#   by    column whose values make one series each     [T]
#   out   output file; .png gives PNG, anything else SVG  [file with .csv replaced by .svg]
#   logx, logy  1 for a log axis                       [logx: 1 when xcol is L; logy: 1 when ycol is excess]
#   title plot title                                   [the file name]
# Columns are found by header name (the CSV's first non-comment line), so the
# template survives new columns.  Figures are column width (3.5 in, 8 pt
# fonts); series differ by dash and point type, so they read in grayscale.
# Needs awk and grep (every Debian has them) to split the series.
if (!exists("file")) { print "simulate.gp: set file='x.csv' (gnuplot -e \"file='x.csv'\" simulate.gp)"; exit status 2 }
if (!exists("xcol")) xcol = "L"
if (!exists("ycol")) ycol = "risk"
if (!exists("by")) by = "T"
if (!exists("out")) out = (strstrt(file, ".csv") == strlen(file) - 3 ? file[1:strlen(file) - 4] : file) . ".svg"
if (!exists("logx")) logx = (xcol eq "L")
if (!exists("logy")) logy = (ycol eq "excess")
if (!exists("title")) title = file
if (ycol ne "risk" && ycol ne "excess") { print "simulate.gp: ycol must be risk or excess, got '" . ycol . "'"; exit status 2 }
err = (ycol eq "risk") ? "stderr" : "excess_stderr"

# the distinct values of the column `by`, in order of appearance
col_cmd = sprintf("grep -v '^#' '%s' | awk -F, -v n='%s' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } c && !s[$c]++ { printf \"%%s \", $c }'", file, by)
vals = system(col_cmd)
if (strlen(vals) == 0) { print "simulate.gp: no rows, or no column '" . by . "' in " . file; exit status 2 }
series(v) = sprintf("< grep -v '^#' '%s' | awk -F, -v n='%s' -v v='%s' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; print; next } $c == v'", file, by, v)

if (strstrt(out, ".png") == strlen(out) - 3 && strlen(out) > 4) {
    set terminal pngcairo size 1050,1125 noenhanced font "sans,8" fontscale 3.1 linewidth 4.17 pointscale 3
} else {
    set terminal svg size 252,270 dynamic noenhanced font "sans,8" linewidth 1
}
set output out
set datafile separator ","
set datafile columnheaders
set grid lc rgb "#c0c0c0"
set title title
set xlabel xcol . (logx ? " (log scale)" : "")
set ylabel (ycol eq "risk" ? "risk E(y_q - yhat)^2" : "excess risk E - E_Bayes") . " (95% CI)"
if (logx) set logscale x
if (logy) { set logscale y; set format y "1e%T" }
set key outside below left Left reverse maxcols 1 samplen 4
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
plot for [i = 1:words(vals)] series(word(vals, i)) using (column(xcol)):(column(ycol)):(1.96 * column(err)) \
     with yerrorlines lw 1 dt i pt (i % 13) + 1 ps 0.7 lc i title sprintf("%s = %s", by, word(vals, i))
