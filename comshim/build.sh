#!/usr/bin/env bash
# Builds the faxcom COM shim (64-bit in-proc DLL) and its Windows test client with
# MinGW-w64 (posix thread model: the client library needs std::thread/std::mutex).
#   comshim/build.sh OUTDIR
# Output: OUTDIR/faxemu_faxcom.dll, OUTDIR/early_client.exe, OUTDIR/faxcom.tlb, OUTDIR/faxcom.h
# Needs: g++-mingw-w64-x86-64-posix mingw-w64-tools (widl) libwine-dev (oaidl.idl), wine (stdole2.tlb).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: comshim/build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"

CXX=x86_64-w64-mingw32-g++-posix
CC=x86_64-w64-mingw32-gcc-posix
WIDL=x86_64-w64-mingw32-widl
WINDRES=x86_64-w64-mingw32-windres
stdole=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
wine_idl=/usr/include/wine/wine/windows
for tool in "$CXX" "$CC" "$WIDL" "$WINDRES"; do
  command -v "$tool" >/dev/null || { echo "comshim/build.sh: $tool is missing" >&2; exit 1; }
done
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

idl=$top/comshim/idl/faxcom.idl
if stale faxcom_i.o "$idl" "$top/comshim/com/faxcom.rc"; then
  "$WIDL" --win64 -I "$wine_idl" -L "$stdole" -t -o faxcom.tlb "$idl"
  "$WIDL" --win64 -I "$wine_idl" -L "$stdole" -h -o faxcom.h "$idl"
  "$WIDL" --win64 -I "$wine_idl" -L "$stdole" -u -o faxcom_i.c "$idl"
  "$WINDRES" -I . -i "$top/comshim/com/faxcom.rc" -o faxcom_res.o
  "$CC" -c -O2 -I . faxcom_i.c -o faxcom_i.o
fi

flags=(-std=c++20 -O2 -Wall -Wextra -DASIO_STANDALONE -D_WIN32_WINNT=0x0601
       -DWIN32_LEAN_AND_MEAN -DNOMINMAX -I "$out/inc" -I "$out" -I "$top")
# The client library: rebuilt only when its sources are newer than the object.
pids=()
for f in json_rpc client base64 submit; do
  src=$top/core/protocol/$f.cpp
  obj=proto_$f.o
  if stale "$obj" "$top/core/protocol"; then
    "$CXX" "${flags[@]}" -c "$src" -o "$obj" & pids+=($!)
  fi
done
if stale faxcom_shim.o "$top/comshim/com/faxcom_shim.cpp" faxcom.h "$top/core/protocol"; then
  "$CXX" "${flags[@]}" -c "$top/comshim/com/faxcom_shim.cpp" -o faxcom_shim.o & pids+=($!)
fi
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
[ $rc -eq 0 ] || { echo "comshim/build.sh: compilation failed" >&2; exit 1; }

"$CXX" -shared -s -o faxemu_faxcom.dll faxcom_shim.o proto_json_rpc.o proto_client.o proto_base64.o proto_submit.o \
  faxcom_i.o faxcom_res.o "$top/comshim/com/faxcom.def" \
  -static -static-libgcc -static-libstdc++ -lole32 -loleaut32 -luuid -ladvapi32 -lws2_32 -lmswsock

"$CXX" -std=c++20 -O2 -Wall -I "$out" -s "$top/tests/comshim/early_client.cpp" faxcom_i.o \
  -o early_client.exe -static -lole32 -loleaut32 -luuid
echo "built $out/faxemu_faxcom.dll $out/early_client.exe"
