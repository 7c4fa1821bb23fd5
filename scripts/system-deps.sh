#!/usr/bin/env bash
# Installs what pip cannot: the ICU headers and pkg-config that PyICU (needed by
# followthemoney) compiles against, Pango, which WeasyPrint (PDF case files) draws
# text with, Tesseract with its English and German language packs (OCR of scans) and
# catdoc (Word and PowerPoint 97-2003 files); with "test", also Debian's chromium for
# the browser tests. Debian/Ubuntu are handled here; other systems get instructions.
set -euo pipefail

missing=()
if [ "${1:-}" = "test" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if ! (command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-uc icu-i18n); then
  missing+=(libicu-dev pkg-config)
fi
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || [ -n "$(find /usr/lib /usr/local/lib /lib -name "$1*" 2>/dev/null | head -1)" ]; }
if ! has_lib libpango-1.0.so.0 || ! has_lib libpangoft2-1.0.so.0; then
  missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fi
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
for lang in eng deu; do
  [ -e "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" ] \
    || [ -n "$(find /usr/share/tesseract-ocr /usr/share/tessdata -name "$lang.traineddata" 2>/dev/null | head -1)" ] \
    || missing+=("tesseract-ocr-$lang")
done
command -v catdoc >/dev/null 2>&1 || missing+=(catdoc)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "casegraph needs the Debian packages ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "Installing ${missing[*]} (PyICU's build, WeasyPrint's text rendering, OCR, .doc/.ppt)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<'MSG'
casegraph needs ICU (with its headers) and pkg-config to build PyICU, Pango for
WeasyPrint (PDF case files), Tesseract with its English and German data (OCR) and
catdoc (.doc and .ppt files); the browser tests (make test) drive a Chromium at
/usr/bin/chromium (set it up with your package manager):
  macOS:   brew install icu4c pkg-config pango tesseract tesseract-lang catdoc
           export PKG_CONFIG_PATH="$(brew --prefix icu4c)/lib/pkgconfig"
  Fedora:  dnf install libicu-devel pkgconf-pkg-config gcc-c++ python3-devel pango \
           tesseract tesseract-langpack-deu catdoc
  Alpine:  apk add icu-dev pkgconf g++ python3-dev pango tesseract-ocr \
           tesseract-ocr-data-deu catdoc
Then run the make command again.
MSG
exit 1
