#!/usr/bin/env bash
# The Wine tests of the faxcom COM shim, headless:
#   comshim/test.sh [BUILD_DIR]      (default: build; needs BUILD_DIR/release built)
#   comshim/test.sh --bench [BUILD_DIR]   also time property gets through the shim
# Builds the DLLs (comshim/build.sh: 64-bit and 32-bit), starts a faxd on a free
# port with an admin and a viewer, registers both DLLs in one Wine prefix under
# BUILD_DIR, and runs steps 1-3 once per bitness: with system32's cscript and the
# 64-bit early_client, then with syswow64's cscript and the 32-bit one (only
# where Wine can run 32-bit programs: wine32:i386 installed and a kernel with
# ia32 emulation; otherwise the 32-bit leg is reported as SKIP):
#  1. late_admin.vbs (admin): ports, Rings/Csid, routing, send 5551002, poll;
#     then the received fax is fetched with faxctl and compared pixel for pixel;
#  1d. late_faxtiff.vbs: FaxTiff.FaxTiff reads that received fax's file (CSID,
#     page count, receive time, ...) and matches what faxd reports for it;
#  1b. late_documents.vbs (admin): FaxDoc.Send of a .pdf and a .txt, and a
#     file faxd cannot fax;
#  1c. late_personal_cover.vbs (admin): a cover page from the client's own .svg
#     (ServerCoverpage = False), refused when the server's ServerCoverpage is on;
#  1e. late_jobids.vbs: 40 sends each kept with CInt(doc.Send), ids 32766,
#     32767, then wrapping round to the id of a job faxd purged (the harness
#     sets faxd's last id and back-dates a job with sqlite3 while faxd is
#     stopped); a job deleted with SetStatus JC_DELETE stays deleted
#     (ERROR_NOT_FOUND naming the job);
#  1f. late_nofreeid.vbs: every id held (copies of a deleted job, made with
#     sqlite3): Send fails with ERROR_NO_MORE_ITEMS, nothing queued;
#  1g. late_archive.vbs: ArchiveDirectory/RoutingData as a Windows path is
#     refused (ERROR_BAD_PATHNAME) by a faxd without a drive map; with the
#     harness's [faxcom] drive_map (C:\faxarchive = <run>/archive) it is
#     stored as the Linux folder and the archived fax lands there;
#  2. late_viewer.vbs (viewer): access denied and bad arguments; faxd unchanged;
#     (1-3, with 1e-1g, are the leg run once per bitness: what a machine with
#     32-bit Wine runs again under syswow64's cscript)
#  3. early_client.exe: CoCreateInstance + vtable calls with the real IIDs;
#  4. uncaught.vbs: a negative control that the harness must see as failed;
#  3b. late_reconnect.vbs (64-bit): faxd restarts under the script's objects,
#     stays away past ReconnectTimeout, then refuses the login (one attempt);
#  3c. late_tls.vbs (64-bit): tls:// through Schannel with the test CA; another
#     CA and another host name are refused;
#  5. regsvr32 /u of one bitness leaves the other registered and working (the
#     TypeLib key is shared between the registry views);
#  6. faxemu-faxcom-setup.exe /S (64-bit): installs, registers, stores the
#     server and user (DPAPI password); late_installed.vbs sends with no other
#     setup; uninstall.exe /S leaves nothing registered.
# A VBScript passes only if cscript exits 0 AND its last line is "N passed,
# 0 failed" (Wine 8's cscript exits 0 on uncaught errors). Ends with
# "N passed, M failed"; exit 1 on any failure.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=0
if [ "${1:-}" = "--bench" ]; then bench=1; shift; fi
build=$(cd "${1:-$top/build}" && pwd)
out=$build/comshim
faxd=$build/release/tools/faxd/faxd
faxctl=$build/release/tools/faxctl/faxctl
fixture=$top/fixtures/documents/letter-fine-mmr.tif
t_start=$(date +%s.%N)

for f in "$faxd" "$faxctl"; do
  [ -x "$f" ] || { echo "comshim/test.sh: $f is missing (build the release preset first)" >&2; exit 1; }
done
command -v wine >/dev/null || { echo "comshim/test.sh: wine is not installed" >&2; exit 1; }
# The 64-bit loader: Debian's `wine` runs the 32-bit one whenever wine32 is
# installed, and a 32-bit process sees C:\windows\system32 as syswow64, so the
# 64-bit leg would run 32-bit cscript, regsvr32 and reg. The 64-bit loader
# starts 32-bit programs (syswow64's) in 32-bit processes by itself.
wine=wine
[ -x /usr/lib/wine/wine64 ] && wine=/usr/lib/wine/wine64

"$top/comshim/build.sh" "$out" || { echo "comshim/test.sh: build failed"; echo "0 passed, 1 failed"; exit 1; }
t_built=$(date +%s.%N)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# ---- the DLLs of both bitnesses, checked even where the 32-bit one cannot run:
# the five COM entry points exported by their plain names (not i686's Name@N),
# and no MinGW runtime DLL (libstdc++, libgcc, winpthread) to ship beside them
for pe in "$out/faxemu_faxcom.dll:pei-x86-64" "$out/win32/faxemu_faxcom.dll:pei-i386"; do
  f=${pe%%:*} fmt=${pe##*:}
  dump=$(x86_64-w64-mingw32-objdump -p "$f" 2>&1)
  exports=$(grep -cE '\] (DllGetClassObject|DllCanUnloadNow|DllRegisterServer|DllUnregisterServer|DllInstall)$' <<<"$dump")
  runtime=$(grep -ciE 'DLL Name: *(libstdc|libgcc|libwinpthread)' <<<"$dump")
  if grep -q "file format $fmt" <<<"$dump" && [ "$exports" -eq 5 ] && [ "$runtime" -eq 0 ]; then
    pass "${f#"$out"/} is $fmt, exports the 5 COM entry points, needs no MinGW runtime DLL"
  else
    fail "${f#"$out"/}: format $(grep -o 'file format [a-z0-9-]*' <<<"$dump"), $exports of 5 entry points, $runtime runtime DLLs"
  fi
done

tmp=$(mktemp -d "$build/comshim-run.XXXXXX")
faxd_pid=""
export WINEPREFIX=$build/comshim-wineprefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
  [ -n "$faxd_pid" ] && kill "$faxd_pid" 2>/dev/null && wait "$faxd_pid" 2>/dev/null
  wineserver -k >/dev/null 2>&1
  wineserver -w >/dev/null 2>&1
  if [ "$failed" -eq 0 ]; then rm -rf "$tmp"; else echo "kept $tmp (faxd.log, outputs)"; fi
}
trap cleanup EXIT

# ---- the Wine prefix: reused while the Wine version is the same
# (wine32 too: a prefix made without it has an empty syswow64)
stamp="wine $(dpkg-query -W -f='${Version}' wine64 2>/dev/null) wine32 $(dpkg-query -W -f='${Version}' wine32:i386 2>/dev/null)"
if [ "$(cat "$WINEPREFIX/.faxemu-stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$WINEPREFIX"
  timeout 180 "$wine" wineboot -i </dev/null >/dev/null 2>&1
  timeout 120 wineserver -w </dev/null >/dev/null 2>&1
  echo "$stamp" >"$WINEPREFIX/.faxemu-stamp"
fi
# Warm-up with every descriptor on /dev/null, so that captured calls later do
# not wait for the wineserver to exit (pitfall 3).
wineserver -p </dev/null >/dev/null 2>&1
timeout 120 "$wine" cmd /c exit 0 </dev/null >/dev/null 2>&1
t_prefix=$(date +%s.%N)

w() { timeout 180 "$wine" "$@" </dev/null 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }
winpath() { local p=$1; echo "Z:${p//\//\\}"; }

# ---- faxd on a free port
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
printf 'admin-secret\n' | "$faxd" hash-password >"$tmp/admin.hash" || { fail "faxd hash-password"; exit 1; }
printf 'viewer-secret\n' | "$faxd" hash-password >"$tmp/viewer.hash" || { fail "faxd hash-password"; exit 1; }
cat >"$tmp/users.json" <<EOF
{"users": {
  "admin":  {"role": "admin",  "password_hash": "$(cat "$tmp/admin.hash")"},
  "viewer": {"role": "viewer", "password_hash": "$(cat "$tmp/viewer.hash")"}
}}
EOF
chmod 600 "$tmp/users.json"
# TLS: a test CA, faxd's certificate from it for "localhost", and another CA
# that signed nothing of faxd's (RSA: what Wine's crypt32 checks everywhere)
(
  cd "$tmp" || exit 1
  ossl() { openssl "$@" >/dev/null 2>&1; }
  ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=faxemu test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
  ossl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" &&
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext &&
  ossl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext &&
  ossl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=another CA"
) || { fail "openssl: test certificates"; exit 1; }
tport=""
# faxd's [faxcom] drive_map (TOML inline-table entries; "" for none): the
# Windows folder C:\faxarchive is the archive folder of this run
drive_map="'C:\faxarchive' = \"$tmp/archive\""
start_faxd() {
  local port=$1
  cat >"$tmp/faxd.toml" <<EOF
[server]
spool = "$tmp/spool"
log_file = "$tmp/faxd.log"
log_level = "info"
# the received fax is compared whole with tiffcmp: no header band stamped
branding = false
[control]
listen = "127.0.0.1:$port"
tls_listen = "127.0.0.1:$tport"
tls_cert = "$tmp/server.pem"
tls_key = "$tmp/server.key"
socket = "$tmp/faxd.sock"
users = "$tmp/users.json"
$([ -n "$drive_map" ] && printf '[faxcom]\ndrive_map = { %s }\n' "$drive_map")
[line]
# 20 times real time: a 3-page fax takes a second or two, long enough for
# late_admin.vbs's polls to see the port sending (unpaced, it could finish
# between two polls and fail the test)
speed = 20
[[port]]
name = "Port A"
kind = "simulated"
number = "5551001"
send = true
receive = false
[[port]]
name = "Port B"
kind = "simulated"
number = "5551002"
rings = 2
send = false
receive = true
[[port.routing]]
guid = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}"
enabled = false
data = ""
EOF
  "$faxd" --config "$tmp/faxd.toml" </dev/null >>"$tmp/faxd.out" 2>&1 &
  faxd_pid=$!
  for _ in $(seq 100); do
    kill -0 "$faxd_pid" 2>/dev/null || { faxd_pid=""; return 1; }
    port_in_use "$port" && return 0
    sleep 0.1
  done
  return 1
}
stop_faxd() { kill "$faxd_pid" 2>/dev/null; wait "$faxd_pid" 2>/dev/null; faxd_pid=""; }
fport=""
for _ in $(seq 20); do
  p=$((20000 + RANDOM % 40000))
  tport=$((20000 + RANDOM % 40000))
  port_in_use "$p" && continue
  port_in_use "$tport" && continue
  [ "$p" = "$tport" ] && continue
  if start_faxd "$p"; then fport=$p; break; fi
  [ -n "$faxd_pid" ] && kill "$faxd_pid" 2>/dev/null; faxd_pid=""
done
[ -n "$fport" ] && pass "faxd listening on 127.0.0.1:$fport and tls://127.0.0.1:$tport" || { fail "faxd did not start"; cat "$tmp/faxd.out" "$tmp/faxd.log" 2>/dev/null | tail -20; echo "$passed passed, $failed failed"; exit 1; }
addr=127.0.0.1:$fport
ctl() { FAXEMU_USER=admin FAXEMU_PASSWORD=admin-secret "$faxctl" --server "$addr" "$@"; }

# ---- the bitnesses: per bitness its DLL, its early client and its system folder
# (regsvr32.exe and cscript.exe of that bitness)
declare -A dll_of=([64]="$out/faxemu_faxcom.dll" [32]="$out/win32/faxemu_faxcom.dll")
declare -A client_of=([64]="$out/early_client.exe" [32]="$out/win32/early_client.exe")
declare -A sys_of=([64]='C:\windows\system32' [32]='C:\windows\syswow64')
bitnesses=(64)
if [ ! -x /usr/lib/wine/wine ]; then
  echo "SKIP the 32-bit leg: wine32:i386 is not installed (tools/run installs it where the kernel runs 32-bit programs)"
elif [ ! -f "$WINEPREFIX/drive_c/windows/syswow64/cscript.exe" ]; then
  echo "SKIP the 32-bit leg: the Wine prefix has no syswow64\\cscript.exe"
else
  bitnesses+=(32)
fi
regsvr() { # regsvr BITS [/u]: registers (or unregisters) that bitness's DLL
  local bits=$1; shift
  w "${sys_of[$bits]}\\regsvr32.exe" /s "$@" "$(winpath "${dll_of[$bits]}")"
}
# ---- register
for bits in "${bitnesses[@]}"; do
  if regsvr "$bits" >"$tmp/regsvr32.out"; then pass "regsvr32 /s faxemu_faxcom.dll ($bits-bit)"
  else fail "regsvr32 $bits-bit (rc $?)"; cat "$tmp/regsvr32.out"; fi
done
cscript='C:\windows\system32\cscript.exe'
bits=64

# run_vbs NAME EXPECT(pass|fail) USER PASSWORD ARGS...
run_vbs() {
  local name=$1 expect=$2 user=$3 password=$4; shift 4
  local log=$tmp/${name%.vbs}$bits.out rc last t0 t1 label="[$bits] $name${1:+ $1}"
  t0=$(date +%s.%N)
  FAXEMU_USER=$user FAXEMU_PASSWORD=$password w "$cscript" //nologo "$(winpath "$top/tests/comshim/$name")" "$@" >"$log"
  rc=$?
  t1=$(date +%s.%N)
  last=$(grep -v '^[[:space:]]*$' "$log" | tail -n1)
  local ok=0
  [ "$rc" -eq 0 ] && [[ $last =~ ^[0-9]+\ passed,\ 0\ failed$ ]] && ok=1
  sed 's/^/    /' "$log"
  local took; took=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  if [ "$expect" = pass ]; then
    [ $ok -eq 1 ] && pass "$label ($last; ${took}s)" || fail "$label (rc $rc, last line: ${last:-none})"
  else
    [ $ok -eq 0 ] && pass "$name is reported as failed, as it must be (rc $rc, last line: ${last:-none})" \
                  || fail "$name passed but it must fail: the guard does not work"
  fi
}

snapshot() { ctl --json ports >"$1.ports" 2>&1; ctl --json server >"$1.server" 2>&1; ctl --json jobs >"$1.jobs" 2>&1; }

# leg BITS: steps 1-3 with that bitness's cscript and early client
leg() {
bits=$1
cscript="${sys_of[$bits]}\\cscript.exe"
local inbox=$tmp/inbox$bits last t0 job rid before
mkdir -p "$inbox"
before=$(ctl --json received 2>/dev/null | grep -o '"id": *[0-9]*' | tail -n1 | grep -o '[0-9]*$')
# ---- 1. admin: configure, send, poll
run_vbs late_admin.vbs pass admin admin-secret "$addr" "$(winpath "$fixture")" "$inbox"
job=$(sed -n 's/^JOBID=\([0-9]*\)$/\1/p' "$tmp/late_admin$bits.out" | tail -n1)
# The received fax: fetched through faxd and compared pixel for pixel with the sent TIFF.
rid=""
for _ in $(seq 100); do
  rid=$(ctl --json received 2>/dev/null | grep -o '"id": *[0-9]*' | tail -n1 | grep -o '[0-9]*$')
  [ -n "$rid" ] && [ "$rid" != "$before" ] && break
  rid=""
  sleep 0.1
done
if [ -n "$rid" ] && ctl received --fetch "$rid" -o "$tmp/received$bits.tif" >/dev/null 2>&1; then
  if tiffcmp -t "$fixture" "$tmp/received$bits.tif" >"$tmp/tiffcmp.out" 2>&1; then
    pass "[$bits] received fax $rid (job ${job:-?}) equals the sent TIFF pixel for pixel"
  else
    fail "[$bits] received fax $rid differs from the sent TIFF: $(head -3 "$tmp/tiffcmp.out")"
  fi
else
  fail "[$bits] no received fax to fetch from faxd"
fi
# ---- 1d. FaxTiff.FaxTiff on that received fax, against what faxd reports for it
# (the list is in id order and the fax just fetched is the last one)
if [ -n "$rid" ] && [ -f "$tmp/received$bits.tif" ]; then
  ctl --json received >"$tmp/received$bits.json" 2>&1
  last_of() { grep -o "\"$1\": *\"\{0,1\}[^\",}]*" "$tmp/received$bits.json" | tail -n1 | sed 's/^[^:]*: *"\{0,1\}//'; }
  start=$(last_of start)
  epoch=$(date -u -d "$start" +%s 2>/dev/null)
  run_vbs late_faxtiff.vbs pass "" "" "$(winpath "$tmp/received$bits.tif")" "$(last_of csid)" \
    "$(last_of pages)" "${epoch:-0}" "$(date -d "@${epoch:-0}" '+%Y-%m-%d %H:%M:%S')" 5551002 "$(last_of caller_id)"
else
  fail "[$bits] FaxTiff: no received fax to read"
fi
for _ in $(seq 100); do ls "$inbox"/* >/dev/null 2>&1 && break; sleep 0.1; done
if ls "$inbox"/* >/dev/null 2>&1; then pass "[$bits] Store-in-folder routing (enabled through the shim) wrote $(ls "$inbox" | head -1)"
else fail "[$bits] nothing in the routing folder $inbox"; fi

# ---- 1b. documents as people fax them (FaxDoc.Send uploads the file; faxd converts):
# a PDF and a text file complete; a file faxd cannot fax fails Send, naming it
printf 'Dear Port B,\n\n\tThis note went out from a VBScript through FaxDoc.Send.\n\fPage two.\n' >"$tmp/notes.txt"
printf '\001\002\003\004 not a document \000\377' >"$tmp/noise.bin"
run_vbs late_documents.vbs pass admin admin-secret "$addr" \
  "$(winpath "$top/fixtures/documents/rects-letter.pdf")" "$(winpath "$tmp/notes.txt")" \
  "$(winpath "$tmp/noise.bin")"
# ---- 1c. a cover page of the client's own (FaxDoc.ServerCoverpage = False, a local .svg)
cat >"$tmp/mine.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="612" height="792">
  <rect x="72" y="72" width="144" height="144" fill="black"/>
  <text x="72" y="300" font-size="24">{{subject}}</text>
</svg>
SVG
printf 'One page after my own cover page.\n' >"$tmp/short.txt"
run_vbs late_personal_cover.vbs pass admin admin-secret "$addr" \
  "$(winpath "$tmp/mine.svg")" "$(winpath "$tmp/short.txt")"

# ---- 1e. job ids as legacy scripts keep them, deleted jobs (late_jobids.vbs).
# faxd is stopped, its last issued job id set to 32765 and its oldest finished
# job (with any of an earlier leg above 32765) back-dated past DirtyDays, so
# that faxd's own purge at start removes it: the script's sends must get
# 32766, 32767, then that purged id again (wrapping round), all through CInt.
db=$tmp/spool/faxd.db
stop_faxd
reused=$(sqlite3 "$db" "SELECT min(id) FROM jobs WHERE finished IS NOT NULL" 2>&1)
if [[ $reused =~ ^[0-9]+$ ]] &&
   sqlite3 "$db" "UPDATE jobs SET finished = 1 WHERE id = $reused OR id > 32765; UPDATE job_ids SET last = 32765" &&
   start_faxd "$fport"; then
  # faxd purges at start, right after it listens
  for _ in $(seq 100); do [ -z "$(sqlite3 "$db" "SELECT id FROM jobs WHERE id = $reused")" ] && break; sleep 0.1; done
  [ -z "$(sqlite3 "$db" "SELECT id FROM jobs WHERE id = $reused")" ] && pass "[$bits] faxd purged job $reused at start (back-dated past DirtyDays)" \
    || fail "[$bits] faxd did not purge job $reused"
  run_vbs late_jobids.vbs pass admin admin-secret "$addr" "$(winpath "$fixture")" 40 32766 "$reused"
else
  fail "[$bits] could not prepare faxd's job ids (sqlite3: ${reused:-nothing}; faxd restarted: ${faxd_pid:-no})"
  [ -z "$faxd_pid" ] && start_faxd "$fport"
fi
# ---- 1f. no free job id (late_nofreeid.vbs): every id 1..32767 held by a
# deleted job of the history (copies of one, made while faxd is stopped):
# Send fails with ERROR_NO_MORE_ITEMS and nothing is queued; then the copies go.
stop_faxd
cols=$(sqlite3 "$db" "SELECT group_concat(name) FROM pragma_table_info('jobs') WHERE name <> 'id'")
seed=$(sqlite3 "$db" "SELECT max(id) FROM jobs WHERE state = 'cancelled'")
kept=$(sqlite3 "$db" "SELECT group_concat(id) FROM jobs")
if [ -n "$cols" ] && [ -n "$seed" ] && [ -n "$kept" ] &&
   sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32767)
                  INSERT INTO jobs (id, $cols) SELECT i, $cols FROM n, (SELECT * FROM jobs WHERE id = $seed)
                  WHERE i NOT IN (SELECT id FROM jobs)" && start_faxd "$fport"; then
  run_vbs late_nofreeid.vbs pass admin admin-secret "$addr" "$(winpath "$fixture")"
else
  fail "[$bits] could not fill faxd's job ids (seed job ${seed:-none})"
fi
stop_faxd
sqlite3 "$db" "DELETE FROM jobs WHERE id NOT IN (${kept:-0})" || fail "[$bits] could not remove the copies"
start_faxd "$fport" || fail "[$bits] faxd did not start again on $fport"
# ---- 1g. Windows folders (late_archive.vbs): refused by a faxd without a
# drive map; with [faxcom] drive_map, ArchiveDirectory C:\faxarchive\out is
# stored as $tmp/archive/out, and the archived fax lands there, never in a
# folder named "C:\..." (faxd's working directory is this one's, and its spool)
saved_map=$drive_map
drive_map=""
stop_faxd
start_faxd "$fport" || fail "[$bits] faxd without a drive map did not start"
run_vbs late_archive.vbs pass admin admin-secret "$addr" nomap "$(winpath "$fixture")"
drive_map=$saved_map
stop_faxd
start_faxd "$fport" || fail "[$bits] faxd with the drive map did not start again"
rm -rf "$tmp/archive"
run_vbs late_archive.vbs pass admin admin-secret "$addr" map "$(winpath "$fixture")" 'C:\faxarchive\out' "$tmp/archive/out"
archived=$(sed -n 's/^ARCHIVED=\([0-9]*\)$/\1/p' "$tmp/late_archive$bits.out" | tail -n1)
for _ in $(seq 100); do [ -f "$tmp/archive/out/job-$archived.tif" ] && break; sleep 0.1; done
[ -n "$archived" ] && [ -f "$tmp/archive/out/job-$archived.tif" ] &&
  pass "[$bits] job $archived archived in the mapped folder: archive/out/job-$archived.tif" ||
  fail "[$bits] no archive/out/job-${archived:-?}.tif in the mapped folder ($(ls -R "$tmp/archive" 2>&1 | tr '\n' ' '))"
literal=$(find "$PWD" "$tmp" -maxdepth 2 -name 'C:*' 2>/dev/null | head -3)
[ -z "$literal" ] && pass "[$bits] no folder named \"C:...\" made in faxd's working directory or spool" \
  || fail "[$bits] a literal Windows folder was made: $literal"

# ---- 2. viewer: refusals and bad arguments leave faxd unchanged
snapshot "$tmp/before"
run_vbs late_viewer.vbs pass viewer viewer-secret "$addr" "$(winpath "$fixture")"
snapshot "$tmp/after"
same=1
for k in ports server jobs; do cmp -s "$tmp/before.$k" "$tmp/after.$k" || { same=0; diff "$tmp/before.$k" "$tmp/after.$k" | head -10; }; done
[ $same -eq 1 ] && pass "[$bits] faxd unchanged by the viewer's script (ports, server, jobs)" || fail "the viewer's script changed faxd"

# ---- 2b. connecting: no login, a wrong password, no server
run_vbs late_auth.vbs pass "" "" nologin "$addr"
run_vbs late_auth.vbs pass admin wrong-password badpassword "$addr"
closed=""
for _ in $(seq 20); do p=$((20000 + RANDOM % 40000)); port_in_use "$p" || { closed=$p; break; }; done
run_vbs late_auth.vbs pass "" "" noserver "127.0.0.1:$closed"

# ---- 3. early binding
t0=$(date +%s.%N)
if FAXEMU_USER=admin FAXEMU_PASSWORD=admin-secret w "$(winpath "${client_of[$bits]}")" "$addr" "$(winpath "$fixture")" >"$tmp/early$bits.out"; then
  last=$(grep -v '^[[:space:]]*$' "$tmp/early$bits.out" | tail -n1)
  sed 's/^/    /' "$tmp/early$bits.out"
  if [[ $last =~ ^[0-9]+\ passed,\ 0\ failed$ ]]; then pass "[$bits] early_client.exe ($last; $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')s)"
  else fail "[$bits] early_client.exe: last line ${last:-none}"; fi
else
  sed 's/^/    /' "$tmp/early$bits.out"; fail "[$bits] early_client.exe exited non-zero"
fi
}
for b in "${bitnesses[@]}"; do leg "$b"; done
bits=64
cscript="${sys_of[64]}\\cscript.exe"

# ---- 3b. re-connecting (64-bit): late_reconnect.vbs keeps its objects while this
# harness restarts faxd, stops it past ReconnectTimeout, then starts it with
# another admin password. The script and the harness hand over through files.
sig=$tmp/signals
mkdir -p "$sig"
wait_file() { # wait_file PATH: up to 60 s, while the script runs
  for _ in $(seq 600); do [ -e "$1" ] && return 0; kill -0 "$vbs_pid" 2>/dev/null || return 1; sleep 0.1; done
  return 1
}
settings='HKCU\Software\faxemu\FaxServer'
run_vbs late_reconnect.vbs pass admin admin-secret "$addr" "$(winpath "$fixture")" "$(winpath "$sig")" \
  >"$tmp/reconnect.report" &
vbs_pid=$!
step_ok=1
if wait_file "$sig/ready1"; then
  stop_faxd
  start_faxd "$fport" || { step_ok=0; echo "    faxd did not start again on $fport"; }
  touch "$sig/go1"
else step_ok=0; fi
if [ $step_ok -eq 1 ] && wait_file "$sig/ready2"; then
  w reg add "$settings" /v ReconnectTimeout /t REG_DWORD /d 3 /f >/dev/null
  stop_faxd
  touch "$sig/go2"
else step_ok=0; fi
if [ $step_ok -eq 1 ] && wait_file "$sig/ready3"; then
  w reg delete "$settings" /v ReconnectTimeout /f >/dev/null
  cp "$tmp/users.json" "$tmp/users.saved"
  printf 'another-secret\n' | "$faxd" hash-password >"$tmp/another.hash"
  sed -i "s|$(cat "$tmp/admin.hash")|$(cat "$tmp/another.hash")|" "$tmp/users.json"
  lines=$(cat "$tmp/faxd.log" 2>/dev/null | wc -l)
  start_faxd "$fport" || { step_ok=0; echo "    faxd did not start with the other password"; }
  touch "$sig/go3"
else step_ok=0; fi
wait "$vbs_pid"
while IFS= read -r line; do
  case $line in PASS*) passed=$((passed + 1)) ;; FAIL*) failed=$((failed + 1)) ;; esac
  echo "$line"
done <"$tmp/reconnect.report"
[ $step_ok -eq 1 ] || fail "[64] late_reconnect.vbs: the harness's steps did not all run"
if [ $step_ok -eq 1 ]; then
  logins=$(tail -n +"$((lines + 1))" "$tmp/faxd.log" | grep -c 'failed login as')
  [ "$logins" -eq 1 ] && pass "[64] a refused re-connect logged in once, not again (faxd saw $logins failed login)" \
                      || fail "[64] faxd saw $logins failed logins after the password changed (want 1)"
fi
# faxd as before, for what follows
[ -f "$tmp/users.saved" ] && mv "$tmp/users.saved" "$tmp/users.json"
stop_faxd
start_faxd "$fport" || fail "faxd did not start again on $fport"

# ---- 3c. tls:// through Schannel (64-bit): faxd's certificate chains to the CA
# in FAXEMU_TLS_CA (the TlsCaFile value does the same from the registry); a CA
# that did not sign it, or another host name, is refused
FAXEMU_TLS_CA=$(winpath "$tmp/ca.pem") run_vbs late_tls.vbs pass admin admin-secret send "tls://localhost:$tport" "$(winpath "$fixture")"
w reg add "$settings" /v TlsCaFile /d "$(winpath "$tmp/other.pem")" /f >/dev/null
run_vbs late_tls.vbs pass admin admin-secret refused "tls://localhost:$tport" "does not chain to the CA in"
w reg delete "$settings" /v TlsCaFile /f >/dev/null
FAXEMU_TLS_CA=$(winpath "$tmp/ca.pem") run_vbs late_tls.vbs pass admin admin-secret refused "tls://127.0.0.1:$tport" "is not for"

# ---- 4. negative control
run_vbs uncaught.vbs fail admin admin-secret

# ---- optional benchmark
if [ $bench -eq 1 ]; then
  FAXEMU_USER=admin FAXEMU_PASSWORD=admin-secret w cscript //nologo "$(winpath "$top/tests/comshim/bench.vbs")" "$addr" | sed 's/^/bench: /'
fi

# ---- 5. regsvr32 /u of one bitness leaves the other registered and working.
# TypeLib is one key for both views (one path per SYSKIND under it); CLSIDs are per view.
clsid='{D73733C8-CC80-11D0-B225-00C04FB6C2F5}'
lib='HKCR\TypeLib\{87099223-C7AF-11D0-B225-00C04FB6C2F5}'
have() { w reg query "$@" >/dev/null; }   # have KEY [/reg:32|/reg:64]: the key exists
declare -A view_of=([64]=/reg:64 [32]=/reg:32) syskind_of=([64]=win64 [32]=win32)
# left_alone GONE OTHER: after GONE's /u, OTHER's registration is whole and GONE's is not
left_alone() {
  local gone=$1 other=$2 ok=1 k
  for k in "HKCR\\CLSID\\$clsid\\InprocServer32" 'HKCR\FaxServer.FaxServer\CLSID' 'HKCR\FaxServer.FaxServer.1\CLSID'; do
    have "$k" "${view_of[$other]}" || { ok=0; echo "    $other-bit view lost $k"; }
  done
  have "$lib\\1.0\\0\\${syskind_of[$other]}" || { ok=0; echo "    lost $lib\\1.0\\0\\${syskind_of[$other]}"; }
  have "$lib\\1.0\\0\\${syskind_of[$gone]}" && { ok=0; echo "    $lib\\1.0\\0\\${syskind_of[$gone]} is still there"; }
  have "HKCR\\CLSID\\$clsid" "${view_of[$gone]}" && { ok=0; echo "    the $gone-bit view still has CLSID $clsid"; }
  [ $ok -eq 1 ] && pass "regsvr32 /u ($gone-bit) left the $other-bit registration (CLSID, ProgIDs, TypeLib ${syskind_of[$other]})" \
                || fail "regsvr32 /u ($gone-bit) damaged the $other-bit registration"
}
if [ ${#bitnesses[@]} -eq 2 ]; then
  for gone in 32 64; do
    other=$((96 - gone))
    regsvr "$gone" /u >/dev/null || fail "regsvr32 /u ($gone-bit)"
    left_alone "$gone" "$other"
    bits=$other; cscript="${sys_of[$other]}\\cscript.exe"
    run_vbs late_auth.vbs pass "" "" nologin "$addr"
    [ "$gone" = 32 ] && { regsvr 32 >/dev/null || fail "regsvr32 (32-bit) again"; }
  done
  regsvr 32 /u >/dev/null && pass "regsvr32 /u (32-bit, the last one)" || fail "regsvr32 /u (32-bit, the last one)"
  have "$lib" && fail "$lib is left after both regsvr32 /u" || pass "no $lib left after the last regsvr32 /u"
else
  # No 32-bit Wine: the 32-bit registration is written as a 32-bit regsvr32
  # writes it (into the 32-bit view), so that the 64-bit /u is still checked.
  p32=$(winpath "${dll_of[32]}")
  for k in "HKCR\\CLSID\\$clsid\\InprocServer32" "HKCR\\FaxServer.FaxServer\\CLSID" "HKCR\\FaxServer.FaxServer.1\\CLSID"; do
    case $k in *InprocServer32) v=$p32 ;; *) v=$clsid ;; esac
    w reg add "$k" /ve /d "$v" /reg:32 /f >/dev/null
  done
  w reg add "$lib\\1.0\\0\\win32" /ve /d "$p32" /reg:32 /f >/dev/null
  if regsvr 64 /u >/dev/null; then pass "regsvr32 /u (64-bit)"; else fail "regsvr32 /u (64-bit)"; fi
  echo "    (the 32-bit registration below was written with reg add /reg:32: no 32-bit Wine here)"
  left_alone 64 32
  for k in "HKCR\\CLSID\\$clsid" 'HKCR\FaxServer.FaxServer' 'HKCR\FaxServer.FaxServer.1' \
           'HKCR\FaxTiff.FaxTiff' 'HKCR\FaxTiff.FaxTiff.1'; do w reg delete "$k" /reg:32 /f >/dev/null; done
  w reg delete "$lib" /f >/dev/null
fi

# ---- 6. the installer (64-bit prefix): silent install with a server and a user,
# a client script with no other setup, no plain password in the registry,
# silent uninstall, nothing of the shim left registered
setup=$out/faxemu-faxcom-setup.exe
if [ ! -f "$setup" ]; then
  fail "no $setup (makensis missing?)"
else
  instdir="$WINEPREFIX/drive_c/Program Files/faxemu/faxcom"
  if w "$(winpath "$setup")" /S "/SERVER=$addr" /USER=admin /PASSWORD=admin-secret >"$tmp/setup.out"; then
    pass "faxemu-faxcom-setup.exe /S /SERVER=$addr /USER=admin /PASSWORD=..."
  else
    fail "faxemu-faxcom-setup.exe /S: exit $?"; sed 's/^/    /' "$tmp/setup.out"
  fi
  inproc=$(w reg query "HKCR\\CLSID\\$clsid\\InprocServer32" /ve 2>/dev/null | grep -i 'REG_SZ')
  [[ $inproc == *'Program Files\faxemu\faxcom\faxemu_faxcom.dll'* ]] && pass "the installer registered the installed 64-bit DLL" \
    || fail "FaxServer's InprocServer32 after the installer: ${inproc:-none}"
  [ -f "$WINEPREFIX/drive_c/Program Files (x86)/faxemu/faxcom/faxemu_faxcom.dll" ] && pass "the 32-bit DLL is installed in Program Files (x86)" \
    || fail "no 32-bit DLL in Program Files (x86)"
  w reg query "$settings" >"$tmp/settings.out"
  sed 's/^/    /' "$tmp/settings.out"
  hexpw=$(printf 'admin-secret' | od -An -tx1 | tr -d ' \n')
  hexpw16=$(printf 'admin-secret' | iconv -t UTF-16LE | od -An -tx1 | tr -d ' \n')
  flat=$(tr -d ' \n' <"$tmp/settings.out" | tr 'A-F' 'a-f')
  if grep -q 'Password.*REG_BINARY' "$tmp/settings.out" && ! grep -qi 'admin-secret' "$tmp/settings.out" &&
     [[ $flat != *"$hexpw"* && $flat != *"$hexpw16"* ]]; then
    pass "the password is stored encrypted (REG_BINARY, DPAPI), not in plain text"
  else
    fail "the password in the registry is not encrypted"
  fi
  run_vbs late_installed.vbs pass "" "" "$(winpath "$fixture")"
  w "$(winpath "$instdir/uninstall.exe")" /S >"$tmp/uninstall.out" ||
    { fail "uninstall.exe /S: exit $?"; sed 's/^/    /' "$tmp/uninstall.out"; }
  # NSIS's uninstaller runs on from a copy of itself: wait until it is done
  for _ in $(seq 300); do [ -e "$WINEPREFIX/drive_c/Program Files/faxemu" ] || break; sleep 0.1; done
  left=""
  [ -e "$WINEPREFIX/drive_c/Program Files/faxemu" ] && left+=" Program Files/faxemu"
  [ -e "$WINEPREFIX/drive_c/Program Files (x86)/faxemu" ] && left+=" Program Files (x86)/faxemu"
  for k in "HKCR\\CLSID\\$clsid" "HKCR\\CLSID\\{87099231-C7AF-11D0-B225-00C04FB6C2F5}" 'HKCR\FaxServer.FaxServer' \
           'HKCR\FaxTiff.FaxTiff' "$lib" "$settings" \
           'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\faxemu-faxcom'; do
    have "$k" && left+=" $k"
  done
  [ -z "$left" ] && pass "uninstall.exe /S removed the files, the CLSIDs, ProgIDs, TypeLib and settings" \
                 || fail "left after uninstalling:$left"
fi

t_end=$(date +%s.%N)
awk -v a="$t_start" -v b="$t_built" -v c="$t_prefix" -v d="$t_end" \
  'BEGIN{printf "comshim timings: build %.1fs, wine prefix+warm-up %.1fs, tests %.1fs, total %.1fs\n", b-a, c-b, d-c, d-a}'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
