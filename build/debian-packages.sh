#!/bin/sh
# Installs the Debian packages Qt WebEngine needs (DESIGN.md, "Known facts"), when missing,
# and the PDF tools the report tests check with (poppler-utils: pdftotext, pdftoppm; qpdf).
# As root it installs them; otherwise it prints the exact command and fails.
# Not a Debian system (no dpkg-query): nothing to do here, say so and go on.
set -eu
PACKAGES="libnss3 libnspr4 libxkbcommon0 libxkbcommon-x11-0 libxkbfile1 libxcomposite1
libxdamage1 libxrandr2 libxtst6 libxrender1 libxext6 libxfixes3 libx11-xcb1 libxcb-cursor0
libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-shape0
libxcb-xkb1 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 libxcb-dri3-0 libgbm1 libdrm2 libegl1
libgl1 libasound2 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 fonts-dejavu-core
poppler-utils qpdf
${EXTRA_DEBIAN_PACKAGES:-}"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "debian-packages: not a Debian system; install Qt WebEngine's libraries yourself." >&2
    exit 0
fi
missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "Qt WebEngine needs Debian packages that are missing. Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
echo "debian-packages: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
