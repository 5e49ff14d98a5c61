#!/usr/bin/env python3
"""Makes the seed programme's recordings: for each session listed below, a WebM (VP9) as long
as the session, showing its title, forum and a running clock, so a premiere joined late
visibly starts at the right minute. Needs ffmpeg (Debian: apt-get install ffmpeg); the files
are committed, so nothing builds or serves them at run time. Run from the repository root:
python3 programme/recordings/make.py
"""

import subprocess
import tempfile
import textwrap
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAMME = HERE.parent / "programme.toml"
FONTS = Path("/usr/share/fonts/truetype/dejavu")

# Sessions with a recording: the first day's summit, the law keynote, the webcasts and
# every micro-class.
RECORDED_KINDS = {"webcast", "micro_class"}
RECORDED_IDS = {"summit-opening", "summit-keynote-talent", "summit-keynote-innovation", "law-keynote"}


def minutes(hh_mm: str) -> int:
    hours, mins = hh_mm.split(":")
    return int(hours) * 60 + int(mins)


def make(session: dict, forum: str, out: Path) -> None:
    length = (minutes(session["end"]) - minutes(session["start"])) * 60
    with tempfile.TemporaryDirectory() as tmp:
        title = Path(tmp, "title.txt")
        title.write_text("\n".join(textwrap.wrap(session["title"], 40)))
        subtitle = Path(tmp, "subtitle.txt")
        subtitle.write_text(f"{forum} · National Cyber Security Week")
        total = f"{length // 60:02d}\\:{length % 60:02d}"
        clock = (
            "%{eif\\:floor(t/60)\\:d\\:2}\\:%{eif\\:mod(t\\,60)\\:d\\:2} / " + total
        )
        filters = ",".join([
            f"drawtext=fontfile={FONTS / 'DejaVuSans-Bold.ttf'}:textfile={title}:fontcolor=white:"
            "fontsize=20:line_spacing=8:x=(w-tw)/2:y=110-th/2",
            f"drawtext=fontfile={FONTS / 'DejaVuSans.ttf'}:textfile={subtitle}:fontcolor=0xc8d2e6:"
            "fontsize=14:x=(w-tw)/2:y=160",
            f"drawtext=fontfile={FONTS / 'DejaVuSansMono.ttf'}:text='{clock}':fontcolor=0xf0b040:"
            "fontsize=18:x=(w-tw)/2:y=200",
        ])
        subprocess.run([
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"color=c=0x1d2a44:s=512x288:r=1:d={length}",
            "-vf", filters,
            "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "50", "-g", "120",
            "-deadline", "good", "-cpu-used", "5",
            str(out),
        ], check=True)


def main() -> None:
    programme = tomllib.loads(PROGRAMME.read_text())
    forums = {f["id"]: f["title"] for f in programme["forums"]}
    for session in programme["sessions"]:
        if session["id"] in RECORDED_IDS or session["kind"] in RECORDED_KINDS:
            out = HERE / f"{session['id']}.webm"
            make(session, forums.get(session["forum"], ""), out)
            print(f"{out.name}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
