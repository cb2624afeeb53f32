#!/bin/sh
# Unpacks Debian's HylaFAX (hylafax-server, hylafax-client) into a private root for
# the interop tests, without installing it: hylafax-server conflicts with the
# mgetty-fax the efax/sendfax tests need, and its /usr/sbin wrappers bind-mount over
# the system spool. See /work/shared/reference/hylafax-peer.md, section 7.
#
#   hylafax_root.sh DIR    ->  DIR/root/usr/sbin/faxq, ... ; exit 0
#                              exit 77 when the .debs cannot be had (the tests skip)
#
# Written outside DIR, each only when missing or different, as the packages would
# install them (no package owns these paths unless HylaFAX is installed, and then
# they hold these very files):
# - /usr/lib/hylafax/libhylafax-6.0.so.7: the binaries' RUNPATH, and faxq runs its
#   helpers as uucp, which drops LD_LIBRARY_PATH;
# - /etc/hylafax/typerules and /etc/hylafax/pagesizes: sendfax reads them from
#   these compiled-in paths, with no option or setting to look elsewhere.
set -eu

dir=${1:?usage: hylafax_root.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
lib=libhylafax-6.0.so.7

exec 9>"$dir/.lock"
flock 9  # ctest runs tests in parallel: one unpacks, the others wait

if [ ! -f "$dir/root/.unpacked" ]; then
  rm -rf "$dir/debs" "$dir/root"
  mkdir -p "$dir/debs"
  download() { (cd "$dir/debs" && apt-get download -q hylafax-server hylafax-client) >>"$dir/download.log" 2>&1; }
  : >"$dir/download.log"
  # apt's package lists may be missing (a fresh container): fetch them once, as root.
  if ! download && ! { [ "$(id -u)" -eq 0 ] && apt-get update -qq >>"$dir/download.log" 2>&1 && download; }; then
    echo "cannot download hylafax-server/hylafax-client with apt-get download (see $dir/download.log)" >&2
    exit 77
  fi
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  touch "$dir/root/.unpacked"
fi

place() {  # place FROM TO
  cmp -s "$1" "$2" && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "HylaFAX's programs read $2: run once as root to put it there" >&2
    exit 77
  fi
  install -D -m 0644 "$1" "$2"
}
place "$dir/root/usr/lib/hylafax/$lib" "/usr/lib/hylafax/$lib"
place "$dir/root/etc/hylafax/typerules" /etc/hylafax/typerules
place "$dir/root/usr/share/hylafax/pagesizes" /etc/hylafax/pagesizes
