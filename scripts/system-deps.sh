#!/usr/bin/env bash
# Installs what pip cannot: the ICU headers and pkg-config that PyICU (needed by
# followthemoney) compiles against. Debian/Ubuntu are handled here; other systems
# get instructions.
set -euo pipefail

if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-uc icu-i18n; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "casegraph needs the Debian packages libicu-dev and pkg-config; run as root: apt-get install libicu-dev pkg-config" >&2
      exit 1
    fi
  fi
  echo "Installing libicu-dev and pkg-config (needed to build PyICU)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libicu-dev pkg-config >/dev/null
  exit 0
fi

cat >&2 <<'MSG'
casegraph needs ICU (with its headers) and pkg-config to build PyICU:
  macOS:   brew install icu4c pkg-config
           export PKG_CONFIG_PATH="$(brew --prefix icu4c)/lib/pkgconfig"
  Fedora:  dnf install libicu-devel pkgconf-pkg-config gcc-c++ python3-devel
  Alpine:  apk add icu-dev pkgconf g++ python3-dev
Then run the make command again.
MSG
exit 1
