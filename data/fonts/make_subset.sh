#!/usr/bin/env bash
# Rebuild data/fonts/xiaoneng-cjk.ttf: WenQuanYi Micro Hei (Apache-2.0,
# from Debian's fonts-wqy-microhei) cut to ASCII, CJK punctuation and the
# 3 755 characters of GB2312 level 1 plus every CJK character of the demo
# and the report templates, so reports and charts show Chinese without
# any font installed. Needs root for apt-get; installs fonttools in a venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei
fi
venv="${TMPDIR:-/tmp}/xiaoneng-fonttools"
[ -x "$venv/bin/pyftsubset" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q fonttools; }
python3 - "$repo" > "$venv/chars.txt" <<'PY'
import pathlib, sys
repo = pathlib.Path(sys.argv[1])
chars = set(chr(c) for c in range(0x20, 0x7f))
chars |= set("，。、；：？！“”‘’（）《》【】—…·％")
for hi in range(0xB0, 0xD8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for path in list((repo / "src").rglob("*.rs")) + list((repo / "data").rglob("*.csv")):
    chars |= {c for c in path.read_text(encoding="utf-8") if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"}
print("".join(sorted(chars)))
PY
"$venv/bin/pyftsubset" /usr/share/fonts/truetype/wqy/wqy-microhei.ttc --font-number=0 \
  --text-file="$venv/chars.txt" --output-file="$here/xiaoneng-cjk.ttf" --no-hinting --desubroutinize
cp /usr/share/doc/fonts-wqy-microhei/copyright "$here/LICENSE-wqy-microhei.txt"
ls -l "$here/xiaoneng-cjk.ttf"
