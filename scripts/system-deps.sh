#!/bin/sh
# Install the Debian libraries Qt (offscreen) and the PDF checks need, when missing.
# Does nothing when everything is present; needs root (or sudo) otherwise.
set -e
missing=""
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libEGL.so.1 || missing="$missing libegl1"
have_lib libGL.so.1 || missing="$missing libgl1"
have_lib libfontconfig.so.1 || missing="$missing libfontconfig1"
have_lib libxkbcommon.so.0 || missing="$missing libxkbcommon0"
have_lib libdbus-1.so.3 || missing="$missing libdbus-1-3"
have_lib libglib-2.0.so.0 || missing="$missing libglib2.0-0"
# A real display (make run) uses Qt's xcb plugin, which needs these.
for pair in libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 \
    libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0 \
    libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-render-util.so.0:libxcb-render-util0 \
    libxcb-xinerama.so.0:libxcb-xinerama0 libxcb-shape.so.0:libxcb-shape0 \
    libxcb-randr.so.0:libxcb-randr0 libxcb-xkb.so.1:libxcb-xkb1; do
    have_lib "${pair%%:*}" || missing="$missing ${pair##*:}"
done
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
# The 1280x800 layout test starts its own X server.
command -v Xvfb >/dev/null 2>&1 || missing="$missing xvfb"
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
[ -z "$missing" ] && exit 0
echo "Installing system packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
