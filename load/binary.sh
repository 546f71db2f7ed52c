# Sourced by the load scripts: BIN = the native binary under test (EDGEGW_BINARY, else a fresh publish).
BIN=${EDGEGW_BINARY:-}
if [ -z "$BIN" ]; then
  dotnet publish src/EdgeGw -c Release -o out/publish >/dev/null
  BIN=out/publish/edgegw
fi
BIN=$(readlink -f "$BIN")
