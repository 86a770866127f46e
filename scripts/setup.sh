#!/usr/bin/env bash
# Install what srt needs on Debian 12 (only the packages that are missing)
# and build it into ./build. With --tests, also the packages the test suite
# uses. Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(build-essential cmake pkg-config libjansson-dev libconfig-dev libseccomp-dev
      libnl-3-dev libnl-route-3-dev bubblewrap bash)
if [[ "${1:-}" == "--tests" ]]; then
  pkgs+=(libcunit1-dev clang libclang-rt-14-dev gcc-multilib curl socat python3 iproute2 openssl
         util-linux passwd procps git diffutils)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tests=OFF
[[ "${1:-}" == "--tests" ]] && tests=ON
cmake -S "$root" -B "$root/build" -DSRT_BUILD_TESTS=$tests -DSRT_WERROR=ON >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null
echo "setup: built $root/build/bin/srt"
