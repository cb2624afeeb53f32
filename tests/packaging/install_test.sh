#!/usr/bin/env bash
# `cmake --install` into a temporary prefix lays out faxd (sbin), faxctl and
# faxmodem (bin), the config (etc/faxemu, made from fixtures/faxd.toml, which
# faxd must accept), the systemd unit naming the installed faxd and config,
# sysusers.d and tmpfiles.d files, and the four man pages, which render.
# The unit passes `systemd-analyze verify` (with its Documentation= pages found
# among the installed ones) where systemd-analyze exists; skipped otherwise.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }
for f in sbin/faxd bin/faxctl bin/faxmodem; do
  [ -x "$prefix/$f" ] || fail "$f not installed"
done
for f in etc/faxemu/faxd.toml lib/systemd/system/faxd.service lib/sysusers.d/faxemu.conf \
         lib/tmpfiles.d/faxemu.conf share/man/man8/faxd.8.gz share/man/man1/faxctl.1.gz \
         share/man/man1/faxmodem.1.gz share/man/man5/faxd.toml.5.gz; do
  [ -f "$prefix/$f" ] || fail "$f not installed"
done

# The installed config is valid and names the service's spool.
"$prefix/sbin/faxd" check-config "$prefix/etc/faxemu/faxd.toml" ||
  fail "faxd rejects the installed config"
grep -qx 'spool = "/var/spool/faxemu"' "$prefix/etc/faxemu/faxd.toml" ||
  fail "the installed config's spool is not /var/spool/faxemu"

unit=$prefix/lib/systemd/system/faxd.service
grep -qx "ExecStart=$prefix/sbin/faxd --config $prefix/etc/faxemu/faxd.toml" "$unit" ||
  fail "the unit's ExecStart does not name the installed faxd and config: $(grep ExecStart "$unit")"

# Each page renders without a groff warning (but for long words that cannot be
# broken, such as faxmodem's option syntax), and says what it documents.
for page in man8/faxd.8.gz man1/faxctl.1.gz man1/faxmodem.1.gz man5/faxd.toml.5.gz; do
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$prefix/share/man/$page" 2>&1 >/dev/null) ||
    fail "man -l $page failed: $out"
  out=$(grep -v -e "cannot adjust line" -e "can't break line" <<<"$out" || true)
  [ -z "$out" ] || fail "man -l $page warns: $out"
  name=$(basename "$page" .gz); name=${name%.*}
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$prefix/share/man/$page" 2>/dev/null)
  grep -q "^NAME" <<<"$text" || fail "$page has no NAME section"
  grep -q "^       $name - " <<<"$text" || fail "$page does not name $name"
done
# help2man read --version: the version is in the page's header.
grep -q "^\.TH FAXMODEM \"1\"" <<<"$(zcat "$prefix/share/man/man1/faxmodem.1.gz")" || fail "faxmodem.1 header"

if command -v systemd-analyze >/dev/null; then
  out=$(MANPATH=$prefix/share/man systemd-analyze verify "$unit" 2>&1) ||
    fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warns: $out"
  echo "systemd-analyze verify: ok"
else
  echo "systemd-analyze not found: unit not verified (skipped)"
fi
echo "install layout: ok"
