#!/usr/bin/env bash
# The .deb: built with CPack from BUILD_DIR, its contents and control fields
# checked with dpkg-deb (binaries, unit, man pages, the conffile, maintainer
# scripts, dependencies from dpkg-shlibdeps). With --install, as root, and only
# when faxemu is not installed already, it is also installed on this machine
# and purged after: the user and spool are made, the unit's ExecStart runs by
# hand as user faxemu on a temporary spool and `faxctl ports` answers, SIGTERM
# stops it cleanly, and the installed faxctl(1) renders. Not root: that part
# is skipped, saying so.
# Usage: deb_test.sh BUILD_DIR [--install]
set -euo pipefail
build=$(cd "$1" && pwd)
install=${2:-}
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$build/package"
(cd "$build" && cpack --config CPackConfig.cmake >"$build/cpack.log" 2>&1) ||
  { tail -20 "$build/cpack.log" >&2; fail "cpack did not build the .deb (log: $build/cpack.log)"; }
deb=$(ls "$build"/package/faxemu_*.deb)
echo "built: $deb"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/sbin/faxd ./usr/bin/faxctl ./usr/bin/faxmodem ./etc/faxemu/faxd.toml \
         ./usr/lib/systemd/system/faxd.service ./usr/lib/sysusers.d/faxemu.conf \
         ./usr/lib/tmpfiles.d/faxemu.conf ./usr/share/man/man8/faxd.8.gz \
         ./usr/share/man/man1/faxctl.1.gz ./usr/share/man/man1/faxmodem.1.gz \
         ./usr/share/man/man5/faxd.toml.5.gz; do
  grep -qx -- "$f" <<<"$contents" || fail "$f is not in the .deb"
done
# Nothing outside /usr and /etc (a /usr/local or build path would mean the
# prefix leaked into the package).
stray=$(grep -v -e '^\./$' -e '^\./usr/' -e '^\./etc/' <<<"$contents" || true)
[ -z "$stray" ] || fail "unexpected paths in the .deb: $stray"
! grep -q '^\./usr/local' <<<"$contents" || fail "/usr/local in the .deb"

# (Listings are read whole before grep -q, which would otherwise cut the pipe
# and fail it under pipefail.)
control=$(dpkg-deb --ctrl-tarfile "$deb" | tar -tv)
grep -q ' \./conffiles$' <<<"$control" || fail "no conffiles"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/faxemu/faxd.toml ] ||
  fail "conffiles is not /etc/faxemu/faxd.toml"
for s in postinst prerm postrm; do
  grep -q "rwxr-xr-x .* \./$s$" <<<"$control" ||
    fail "maintainer script $s missing or not executable"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libspandsp2 libtiff6 libsqlite3-0 ghostscript; do
  grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
[ "$(dpkg-deb -f "$deb" Package)" = faxemu ] || fail "package name"
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/faxd.service)
grep -qx "ExecStart=/usr/sbin/faxd --config /etc/faxemu/faxd.toml" <<<"$unit" ||
  fail "the packaged unit's ExecStart is not /usr/sbin/faxd --config /etc/faxemu/faxd.toml"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' <<<"$unit" ||
  fail "the packaged unit has no ExecReload sending faxd SIGHUP"
echo "contents: ok"

[ "$install" = --install ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: the .deb is not installed (skipped)"
  exit 0
fi
if grep -q installed <<<"$(dpkg-query -W -f='${Status}' faxemu 2>/dev/null)"; then
  echo "faxemu is installed on this machine already: not replacing it (skipped)"
  exit 0
fi

# Undo everything after: the package, and the user and spool if they are new.
had_user=0; getent passwd faxemu >/dev/null && had_user=1
had_spool=0; [ -e /var/spool/faxemu ] && had_spool=1
work=$(mktemp -d)
chmod 755 "$work"
faxd_pid=
cleanup() {
  [ -n "$faxd_pid" ] && kill "$faxd_pid" 2>/dev/null || true
  apt-get purge -y -qq -o DPkg::Lock::Timeout=300 faxemu >/dev/null 2>&1 || true
  [ "$had_spool" = 1 ] || rm -rf /var/spool/faxemu
  [ "$had_user" = 1 ] || userdel faxemu 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# apt-get rather than dpkg -i: it waits for the dpkg lock (others may be
# installing) and would fetch a missing dependency from Debian.
apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$deb" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "the .deb did not install"; }
echo "installed"

getent passwd faxemu >/dev/null || fail "no user faxemu after install"
grep -qw dialout <<<"$(id -nG faxemu)" || fail "faxemu is not in group dialout"
[ "$(stat -c %U:%G:%a /var/spool/faxemu)" = faxemu:faxemu:750 ] ||
  fail "/var/spool/faxemu is $(stat -c %U:%G:%a /var/spool/faxemu), not faxemu:faxemu:750"
grep -q /etc/faxemu/faxd.toml <<<"$(dpkg-query -W -f='${Conffiles}' faxemu)" ||
  fail "/etc/faxemu/faxd.toml is not a conffile"

# The unit's ExecStart by hand, as systemd would run it (user faxemu), on a
# temporary spool and with no TCP listener (the machine's port 4575 may be taken).
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/faxd.service)
spool=$work/spool
install -d -o faxemu -g faxemu -m 0750 "$spool"
# shellcheck disable=SC2086 # ExecStart is words
runuser -u faxemu -- $exec_start --spool "$spool" --listen "" >"$work/faxd.log" 2>&1 &
faxd_pid=$!
deadline=$((SECONDS + 30))
until [ -S "$spool/faxd.sock" ]; do
  kill -0 "$faxd_pid" 2>/dev/null || { cat "$work/faxd.log" >&2; fail "faxd exited at start"; }
  [ $SECONDS -lt $deadline ] || { cat "$work/faxd.log" >&2; fail "no socket after 30 s"; }
  sleep 0.1
done
ports=$(runuser -u faxemu -- faxctl --server "unix:$spool/faxd.sock" ports) ||
  { cat "$work/faxd.log" >&2; fail "faxctl ports failed: $ports"; }
grep -q "Simulated port 1" <<<"$ports" || fail "faxctl ports: $ports"
echo "faxctl ports (as faxemu, on the unit's faxd):"
echo "$ports"
[ "$(stat -c %U "$spool/faxd.db")" = faxemu ] || fail "the spool's database is not faxemu's"

# SIGTERM to faxd itself (runuser's child; runuser, signalled, would end its
# session with 143 whatever faxd did): faxd stops cleanly, runuser passes on 0.
faxd_child=$(ps -o pid= --ppid "$faxd_pid" | tr -d ' ')
[ -n "$faxd_child" ] || fail "no faxd under runuser"
[ "$(ps -o comm= -p "$faxd_child")" = faxd ] || fail "runuser's child is not faxd"
kill -TERM "$faxd_child"
rc=0; wait "$faxd_pid" || rc=$?
faxd_pid=
[ "$rc" -eq 0 ] || { cat "$work/faxd.log" >&2; fail "faxd exited $rc on SIGTERM"; }
echo "faxd stopped on SIGTERM"

page=$(man -w faxctl) || fail "man -w faxctl finds no page"
[ "$page" = /usr/share/man/man1/faxctl.1.gz ] || fail "man faxctl finds $page"
grep -q "faxctl - control a faxd" <<<"$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null)" ||
  fail "faxctl(1) does not render"
echo "man faxctl: ok"
echo "install, run, purge: ok"
