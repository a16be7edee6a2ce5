# Sourced by scripts/demo.sh and scripts/test.sh: make sure Debian's Pango (and a font with Arial's
# metrics) is installed, which WeasyPrint needs to render the board pack's PDF.
pango_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
ensure_pango() {
  if ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" \
    && fc-list 2>/dev/null | grep -qi "liberation sans"; then
    return
  fi
  echo "Installing Debian's Pango and Liberation fonts (the board pack's PDF)…"
  pango_as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive pango_as_root apt-get install -y -qq \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation >/dev/null
}
