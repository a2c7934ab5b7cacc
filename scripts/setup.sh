#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine with Node and npm:
# the reference peers (libtorrent's Python binding, Transmission), ffmpeg for test videos,
# coturn and Chromium for the WebRTC tests, redis-server for the tracker cluster, nginx as a web seed (BEP 19),
# iproute2 for the loopback-only namespace, then
# the npm dependencies from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
/usr/bin/python3 -c 'import libtorrent' 2>/dev/null || need+=(python3-libtorrent)
command -v transmission-cli >/dev/null || need+=(transmission-cli)
command -v transmission-daemon >/dev/null || need+=(transmission-daemon)
command -v transmission-remote >/dev/null || need+=(transmission-daemon)
command -v aria2c >/dev/null || need+=(aria2)
command -v ip >/dev/null || need+=(iproute2)
command -v ffmpeg >/dev/null || need+=(ffmpeg)          # test videos for streaming
command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v turnserver >/dev/null || need+=(coturn)      # TURN relay for WebRTC tests
[ -x /usr/bin/chromium ] || need+=(chromium)            # browser tests (playwright-core drives it)
[ -x /usr/sbin/nginx ] || need+=(nginx)                 # web seed tests (started per test, own config)
command -v unshare >/dev/null || need+=(util-linux)
command -v redis-server >/dev/null || need+=(redis-server)  # shared swarm store for the tracker cluster tests
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
npm ci --ignore-scripts --no-audit --no-fund
