#!/usr/bin/env bash
# Builds the faxcom COM shim (in-proc DLL) and its Windows test client with
# MinGW-w64 (posix thread model: the client library needs std::thread/std::mutex),
# from the same sources for both bitnesses: 64-bit clients load the 64-bit DLL,
# 32-bit ones (VB6, 32-bit cscript, Office VBA, ASP pools) only a 32-bit DLL.
#   comshim/build.sh OUTDIR
# Output: OUTDIR/{faxemu_faxcom.dll,early_client.exe,faxcom.tlb,faxcom.h} (64-bit)
#         OUTDIR/win32/{faxemu_faxcom.dll,early_client.exe,faxcom.tlb,faxcom.h} (32-bit)
#         OUTDIR/faxemu-faxcom-setup.exe (the installer of both, with makensis)
# Needs: g++-mingw-w64-x86-64-posix g++-mingw-w64-i686-posix mingw-w64-tools (widl)
#        libwine-dev (oaidl.idl), wine (stdole2.tlb), nsis (the installer).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: comshim/build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"

# stdole2.tlb only names the types faxcom.idl imports (IDispatch, IUnknown):
# widl reads the 64-bit one for both bitnesses, as wine32 is not always there.
stdole=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
wine_idl=/usr/include/wine/wine/windows
[ -f "$stdole/stdole2.tlb" ] || { echo "comshim/build.sh: no $stdole/stdole2.tlb (install wine64)" >&2; exit 1; }
[ -f "$wine_idl/oaidl.idl" ] || { echo "comshim/build.sh: no $wine_idl/oaidl.idl (install libwine-dev)" >&2; exit 1; }

# Only Asio and nlohmann-json from /usr/include: never the whole of /usr/include.
mkdir -p inc
ln -sfn /usr/include/asio inc/asio
ln -sfn /usr/include/asio.hpp inc/asio.hpp
ln -sfn /usr/include/nlohmann inc/nlohmann

# stale OUTPUT INPUT...: true when OUTPUT is missing or older than an input
# (a directory input stands for every file in it).
stale() {
  local target=$1; shift
  [ -f "$target" ] || return 0
  [ -n "$(find "$@" "$top/comshim/build.sh" -newer "$target" -print -quit)" ]
}

# build_one TRIPLET WIDL_ARCH DIR: the DLL and the early client of one bitness in DIR.
build_one() {
  local triplet=$1 arch=$2 dir=$3
  local CXX=$triplet-g++-posix CC=$triplet-gcc-posix WIDL=$triplet-widl WINDRES=$triplet-windres
  local tool
  for tool in "$CXX" "$CC" "$WIDL" "$WINDRES"; do
    command -v "$tool" >/dev/null || { echo "comshim/build.sh: $tool is missing" >&2; return 1; }
  done
  mkdir -p "$dir"
  cd "$dir"
  local idl=$top/comshim/idl/faxcom.idl
  if stale faxcom_i.o "$idl" "$top/comshim/com/faxcom.rc"; then
    "$WIDL" "$arch" -I "$wine_idl" -L "$stdole" -t -o faxcom.tlb "$idl"
    "$WIDL" "$arch" -I "$wine_idl" -L "$stdole" -h -o faxcom.h "$idl"
    "$WIDL" "$arch" -I "$wine_idl" -L "$stdole" -u -o faxcom_i.c "$idl"
    "$WINDRES" -I . -i "$top/comshim/com/faxcom.rc" -o faxcom_res.o
    "$CC" -c -O2 -I . faxcom_i.c -o faxcom_i.o
  fi

  # FAXEMU_CLIENT_SCHANNEL: tls:// through Windows' own TLS (Schannel)
  local flags=(-std=c++20 -O2 -Wall -Wextra -DASIO_STANDALONE -D_WIN32_WINNT=0x0601 -DFAXEMU_CLIENT_SCHANNEL
               -DWIN32_LEAN_AND_MEAN -DNOMINMAX -I "$out/inc" -I "$dir" -I "$top")
  # The client library: rebuilt only when its sources are newer than the object.
  local pids=() f src obj p rc=0
  for f in json_rpc client base64 submit windows/schannel_tls; do
    src=$top/core/protocol/$f.cpp
    obj=proto_${f##*/}.o
    if stale "$obj" "$top/core/protocol"; then
      "$CXX" "${flags[@]}" -c "$src" -o "$obj" & pids+=($!)
    fi
  done
  if stale faxcom_shim.o "$top/comshim/com" faxcom.h "$top/core/protocol" "$top/core/refusal.hpp"; then
    "$CXX" "${flags[@]}" -c "$top/comshim/com/faxcom_shim.cpp" -o faxcom_shim.o & pids+=($!)
  fi
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc -eq 0 ] || { echo "comshim/build.sh: compilation failed ($triplet)" >&2; return 1; }

  # i686: the .def's plain names bind to the stdcall-decorated symbols (Name@N)
  local fixup=()
  [ "$arch" = --win32 ] && fixup=("-Wl,--enable-stdcall-fixup")
  "$CXX" -shared -s "${fixup[@]}" -o faxemu_faxcom.dll faxcom_shim.o proto_json_rpc.o proto_client.o proto_base64.o proto_submit.o proto_schannel_tls.o \
    faxcom_i.o faxcom_res.o "$top/comshim/com/faxcom.def" \
    -static -static-libgcc -static-libstdc++ -lole32 -loleaut32 -luuid -ladvapi32 -lws2_32 -lmswsock -lsecur32 -lcrypt32

  "$CXX" -std=c++20 -O2 -Wall -I "$dir" -s "$top/tests/comshim/early_client.cpp" faxcom_i.o \
    -o early_client.exe -static -lole32 -loleaut32 -luuid
  echo "built $dir/faxemu_faxcom.dll $dir/early_client.exe"
}

build_one x86_64-w64-mingw32 --win64 "$out"
build_one i686-w64-mingw32 --win32 "$out/win32"

# The Windows installer of both DLLs (NSIS; a 64-bit installer, as the 64-bit
# DLL must be registered from a 64-bit process)
if command -v makensis >/dev/null; then
  makensis -V2 -DOUTDIR="$out" "$top/comshim/installer/faxcom-setup.nsi" >/dev/null
  echo "built $out/faxemu-faxcom-setup.exe"
else
  echo "comshim/build.sh: makensis is missing (Debian package nsis): no installer" >&2
fi
