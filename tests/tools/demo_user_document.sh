#!/usr/bin/env bash
# The demo with a document of the user's own: a 2-page letter rendered by
# ghostscript's tiffg4 device (1734 pels wide, so faxemu crops it to 1728) must
# come back identical (below the page header Branding stamps), and a file that is not a TIFF must be refused by name.
set -euo pipefail
demo=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/mine.ps" <<'PS'
%!PS
/Times-Roman findfont 16 scalefont setfont
72 720 moveto (A document of my own, page one.) show
72 690 moveto (It was made with ghostscript's tiffg4 device.) show
newpath 72 300 moveto 540 300 lineto 540 600 lineto 72 600 lineto closepath stroke
showpage
/Helvetica-Bold findfont 24 scalefont setfont
72 720 moveto (Page two) show
0 1 20 { 20 mul 72 add 100 moveto 0 400 rlineto stroke } for
showpage
PS
gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=tiffg4 -sPAPERSIZE=letter \
   -sOutputFile="$work/mine.tif" "$work/mine.ps"

"$demo" --spool "$work/spool" "$work/mine.tif" > "$work/out.txt"
cat "$work/out.txt"
grep -q '^received: ' "$work/out.txt"
grep -q '^compare: identical' "$work/out.txt"
received=$(sed -n 's/^received: //p' "$work/out.txt")
[ -s "$received" ]

echo "this is not a fax" > "$work/notes.tif"
if "$demo" --spool "$work/spool2" "$work/notes.tif" > "$work/bad.txt" 2>&1; then
  echo "FAIL: the demo accepted a text file"; exit 1
fi
cat "$work/bad.txt"
grep -q "notes.tif" "$work/bad.txt"
echo "1 passed, 0 failed"
