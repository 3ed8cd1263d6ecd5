"""Time diagram rendering: 30 PlantUML and 30 draw.io sources, cold, cached, warm and no-op.

    python benchmarks/diagrams.py

The course (six topics, five sources of each kind per topic, decks without
HTML so no kernel runs) is generated under benchmarks/work/diagrams/.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import quote

WORK = Path(__file__).resolve().parent / "work" / "diagrams"
TOPICS = 6
PER_KIND = 5  # sources of each kind per topic
TARGETS = {"cold, all 60": 15.0, "no-op": 0.5}

PLANTUML = [
    "@startuml\nAlice -> Bob: request {n}\nBob --> Alice: answer {n}\n@enduml\n",
    "@startuml\nclass Course{n} {{\n  +name: str\n}}\nclass Deck{n}\nCourse{n} *-- Deck{n}\n@enduml\n",
    "@startuml\nstart\n:step {n};\nif (ok?) then (yes)\n  :go on;\nelse (no)\n  :stop;\nendif\nstop\n@enduml\n",
    "@startuml\n[*] --> Idle{n}\nIdle{n} --> Busy : work\nBusy --> Idle{n} : done\n@enduml\n",
    "@startuml\nactor User{n}\nUser{n} --> (Build course)\n(Build course) .> (Render) : include\n@enduml\n",
]


def _drawio_model(n: int) -> str:
    return (
        '<mxGraphModel dx="800" dy="400" grid="1"><root><mxCell id="0"/>'
        '<mxCell id="1" parent="0"/>'
        f'<mxCell id="a" value="Name {n}" style="rounded=1;whiteSpace=wrap;html=1;'
        'fillColor=#dae8fc;strokeColor=#6c8ebf;" vertex="1" parent="1">'
        '<mxGeometry x="40" y="40" width="120" height="50" as="geometry"/></mxCell>'
        f'<mxCell id="b" value="Object {n}" style="ellipse;whiteSpace=wrap;html=1;'
        'fillColor=#fff2cc;strokeColor=#d6b656;" vertex="1" parent="1">'
        '<mxGeometry x="260" y="30" width="130" height="70" as="geometry"/></mxCell>'
        '<mxCell id="e" value="refers to" style="endArrow=classic;html=1;" edge="1" '
        'parent="1" source="a" target="b"><mxGeometry relative="1" as="geometry"/></mxCell>'
        "</root></mxGraphModel>"
    )


def _drawio(n: int) -> str:
    model = _drawio_model(n)
    if n % 2:  # every other file compressed, as draw.io desktop saves by default
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = deflate.compress(quote(model, safe="").encode()) + deflate.flush()
        model = base64.b64encode(packed).decode()
    return f'<mxfile><diagram id="p{n}" name="Page {n}">{model}</diagram></mxfile>\n'


def generate(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    lines = ["name: {de: Diagramme, en: Diagrams}", "sections:"]
    for t in range(TOPICS):
        topic = root / "slides" / "module_100_diagrams" / f"topic_{t:03d}_diagrams_{t}"
        (topic / "pu").mkdir(parents=True)
        (topic / "drawio").mkdir()
        (topic / f"slides_diagrams_{t}.py").write_text(
            f'# j2 from \'macros.j2\' import header\n# {{{{ header("Bilder {t}", "Pictures {t}") }}}}\n'
            '\n# %% [markdown]\n# <img src="img/uml_0.png">\n',
            encoding="utf-8",
        )
        for k in range(PER_KIND):
            n = t * PER_KIND + k
            (topic / "pu" / f"uml_{n}.puml").write_text(PLANTUML[k].format(n=n))
            (topic / "drawio" / f"boxes_{n}.drawio").write_text(_drawio(n))
        lines.append(f"  - name: {{de: Teil {t}, en: Part {t}}}")
        lines.append(f"    topics: [{{id: diagrams_{t}, html: false}}]")
    (root / "course.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "dodo.py").write_text(
        'from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks("course.yaml")\n'
    )


def doit(root: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "doit"], cwd=root, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stdout[-3000:] + result.stderr[-3000:])
    summary = next(line for line in result.stdout.splitlines() if line.startswith("clm: "))
    return seconds, summary


def warm_per_diagram(root: Path) -> tuple[float, float]:
    """Seconds per diagram through an already started converter, in this process."""
    from clm.diagrams.drawio import DrawioRenderer
    from clm.diagrams.plantuml import PlantUml

    sources = sorted(root.glob("slides/*/*/pu/*.puml")), sorted(root.glob("slides/*/*/drawio/*"))
    figures = []
    for converter, files in zip((PlantUml(), DrawioRenderer()), sources, strict=True):
        try:
            converter.render(str(files[0]), files[0].read_bytes(), ("png",))  # start it
            start = time.perf_counter()
            for path in files:
                converter.render(str(path), path.read_bytes(), ("png",))
            figures.append((time.perf_counter() - start) / len(files))
        finally:
            converter.close()
    return figures[0], figures[1]


def main() -> None:
    generate(WORK)
    diagrams = TOPICS * PER_KIND * 2
    cold, cold_summary = doit(WORK)
    noop, _ = doit(WORK)
    shutil.rmtree(WORK / "output")
    (WORK / ".clm" / "state.sqlite").unlink()
    cached, cached_summary = doit(WORK)
    plantuml, drawio = warm_per_diagram(WORK)
    rows = [
        ("cold, all 60", cold),
        ("cold, per diagram", cold / diagrams),
        ("from the cache (no state, no outputs)", cached),
        ("no-op", noop),
        ("warm, per PlantUML diagram (PNG)", plantuml),
        ("warm, per draw.io page (PNG)", drawio),
    ]
    print(f"{diagrams} diagrams ({diagrams // 2} PlantUML, {diagrams // 2} draw.io)")
    print(f"cold build:  {re.sub(r'^clm: ', '', cold_summary)}")
    print(f"from cache:  {re.sub(r'^clm: ', '', cached_summary)}\n")
    print(f"| {'measure':<40} | {'seconds':>8} | {'target':>7} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 9}|")
    for name, seconds in rows:
        target = TARGETS.get(name)
        mark = f"< {target:g}" if target else ""
        print(f"| {name:<40} | {seconds:8.3f} | {mark:>7} |")


if __name__ == "__main__":
    main()
