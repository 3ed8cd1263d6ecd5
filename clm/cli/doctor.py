"""``clm doctor``: every converter and kernel clm can use, or how to install it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from pathlib import Path

from clm.diagrams import tools
from clm.diagrams.errors import MissingTool
from clm.downloads import pinned

# The checks `clm doctor --install` (and `clm setup`) can satisfy by fetching a file.
FETCHED: dict[str, pinned.Pinned] = {
    "plantuml.jar": pinned.PLANTUML_JAR,
    "drawio viewer": pinned.DRAWIO_VIEWER,
}


@dataclass(frozen=True)
class Check:
    name: str
    purpose: str
    found: bool
    version: str | None = None
    path: str | None = None
    fix: str | None = None  # the command that installs what is missing
    # Missing, it only fails the decks that need it (another language's kernel):
    # listed with its fix, but the setup is not broken.
    optional: bool = False


def healthy(found: list[Check]) -> bool:
    """Whether everything clm needs is installed (optional kernels may be absent)."""
    return all(check.found or check.optional for check in found)


def _version_line(command: list[str]) -> str | None:
    return _run(command)[1]


def _run(command: list[str]) -> tuple[bool, str | None]:
    """Whether ``command`` ran and succeeded, and the first line it printed."""
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode == 0, lines[0].strip() if lines else None


def _tool(name: str, purpose: str, locate, version_command=None) -> Check:
    """The program ``locate`` finds, missing when its version command fails: macOS has a
    /usr/bin/java that only says no Java is installed."""
    try:
        path = locate()
    except MissingTool as missing:
        return Check(name, purpose, False, fix=str(missing))
    if version_command is None:
        return Check(name, purpose, True, None, str(path))
    ran, line = _run(version_command(str(path)))
    if not ran:
        fix = f"{path} does not run ({line or 'it says nothing'}): {tools.hint(name)}"
        return Check(name, purpose, False, path=str(path), fix=fix)
    return Check(name, purpose, True, line, str(path))


def _package(name: str, distribution: str, purpose: str, fix: str) -> Check:
    try:
        version = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return Check(name, purpose, False, fix=fix)
    files = metadata.distribution(distribution).locate_file("")
    return Check(name, purpose, True, version, str(files))


def checks() -> list[Check]:
    found = [
        _tool("java", "runs PlantUML", tools.java, lambda path: [path, "-version"]),
    ]
    dot = tools.dot()
    found.append(
        Check("dot", "graphviz layout for PlantUML", True, _version_line([dot, "-V"]), dot)
        if dot
        else Check(
            "dot",
            "graphviz's layout for PlantUML; without it PlantUML lays diagrams out with its "
            "own port of it, smetana, which can place a class diagram's boxes differently",
            False,
            fix=tools.hint("dot"),
            optional=True,
        )
    )
    try:
        jar = tools.plantuml_jar()
        found.append(Check("plantuml.jar", "PlantUML", True, tools.PLANTUML_VERSION, str(jar)))
    except MissingTool as missing:
        found.append(Check("plantuml.jar", "PlantUML", False, fix=str(missing)))
    # On Windows, Chrome and Edge open a window for --version rather than print it.
    version = None if sys.platform == "win32" else (lambda path: [path, "--version"])
    found.append(_tool("chromium", "draws draw.io diagrams", tools.chromium, version))
    found.append(
        _package(
            "playwright",
            "playwright",
            "drives Chromium",
            "pip install playwright (never `playwright install`: clm uses the system's browser)",
        )
    )
    try:
        viewer = tools.drawio_viewer()
        found.append(
            Check("drawio viewer", "draw.io's rendering code", True, _viewer_version(), str(viewer))
        )
    except MissingTool as missing:
        found.append(Check("drawio viewer", "draw.io's rendering code", False, fix=str(missing)))
    found.append(_tool("fonts", "draw.io labels", tools.font))
    found.extend(_kernels())
    found.extend(kernel_python_checks(Path.cwd()))
    return found


def _viewer_version() -> str | None:
    try:
        return metadata.version("jupyterlab_drawio_render_extension")
    except metadata.PackageNotFoundError:
        return tools.DRAWIO_VIEWER_VERSION  # the one `clm setup` fetched


def _kernels() -> list[Check]:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().get_all_specs()
    return [*kernel_checks(specs), *course_kernel_checks(Path.cwd(), set(specs))]


def course_kernel_checks(folder: Path, installed: set[str]) -> list[Check]:
    """The kernels the decks of each spec in ``folder`` run in that are not installed:
    optional for clm, they are needed by this course."""
    from clm import languages
    from clm.errors import CourseError
    from clm.spec import course_specs, load_spec

    checks = []
    for spec_file in course_specs(folder):
        try:
            spec = load_spec(spec_file)
        except CourseError:
            continue  # the kernel python check reports a spec that cannot be read
        needed: dict[str, languages.Language] = {}
        for ref in (ref for section in spec.sections for ref in section.topics):
            if ref.html and ref.evaluate:
                language = languages.by_name(ref.prog_lang or spec.prog_lang)
                needed.setdefault(ref.kernel or spec.kernel or language.kernel, language)
        for kernel, language in needed.items():
            if kernel not in installed:
                purpose = f"runs the {language.title} decks of {spec_file.name}"
                checks.append(Check(f"kernel {kernel}", purpose, False, fix=language.install))
    return checks


def kernel_checks(specs: dict[str, dict]) -> list[Check]:
    """The kernel of every deck language, then the other kernelspecs in ``specs``.

    ``specs`` is what KernelSpecManager.get_all_specs() returns: for each name,
    ``resource_dir`` and the ``spec`` (kernel.json). A language's kernel that is
    missing, or whose program is not found, comes with the language's install
    text; only Python's is needed by every course, the others are optional.
    """
    from clm.languages.table import LANGUAGES, PYTHON

    kernels = []
    for language in LANGUAGES.values():
        name, optional = f"kernel {language.kernel}", language is not PYTHON
        purpose = f"runs {language.title} decks"
        if optional:  # what a missing one reads as
            missing = Check(name, f"only needed for {language.title} decks", False, optional=True)
        else:
            missing = Check(name, purpose, False)
        found = specs.get(language.kernel)
        if found is None:
            kernels.append(replace(missing, fix=language.install))
            continue
        folder, spec = found["resource_dir"], found["spec"]
        if _kernel_program(spec.get("argv") or []) is None:
            runs = (spec.get("argv") or ["nothing"])[0]
            fix = f"{folder}/kernel.json runs {runs}, which is not found: {language.install}"
            kernels.append(replace(missing, fix=fix))
            continue
        kernels.append(Check(name, purpose, True, spec.get("display_name"), folder))
    known = {language.kernel for language in LANGUAGES.values()}
    for name, found in sorted(specs.items()):
        if name not in known:
            language = found["spec"].get("language", "?")
            purpose = f"runs {language} code; no deck language of clm's uses it"
            kernels.append(
                Check(
                    f"kernel {name}",
                    purpose,
                    True,
                    found["spec"].get("display_name"),
                    found["resource_dir"],
                )
            )
    return kernels


def _kernel_program(argv: list[str]) -> str | None:
    """The program a kernel.json starts, if it is found (``python`` is clm's own)."""
    import shutil

    if not argv:
        return None
    major, minor = sys.version_info[:2]
    if argv[0] in ("python", f"python{major}", f"python{major}.{minor}"):
        return sys.executable  # jupyter_client starts its own interpreter for these
    return shutil.which(argv[0])


def kernel_python_checks(folder: Path) -> list[Check]:
    """The Python that runs the decks of each spec of the course in ``folder``."""
    from clm.spec import course_specs

    specs = course_specs(folder)
    if not specs:
        version = sys.version.split()[0]
        purpose = "runs the decks (no course here): clm's own environment"
        return [Check("kernel python", purpose, True, version, sys.executable)]
    return [_kernel_python(spec_file) for spec_file in specs]


def _kernel_python(spec_file: Path) -> Check:
    from clm.errors import CourseError
    from clm.execute import interpreter
    from clm.spec import load_spec

    name, purpose = "kernel python", f"runs the decks of {spec_file.name}"
    try:
        spec = load_spec(spec_file)
        if spec.kernel_python is None:
            version = sys.version.split()[0]
            return Check(name, f"{purpose}: clm's own environment", True, version, sys.executable)
        python = interpreter.kernel_python(spec)
        described = interpreter.described(spec, python)
        interpreter.check_ipykernel(spec, python, described)
    except CourseError as error:
        return Check(name, purpose, False, fix=str(error))
    version = f"{described.version}, ipykernel {described.ipykernel}"
    return Check(name, f"{purpose}: kernel-python {spec.kernel_python}", True, version, python)


def report(found: list[Check]) -> str:
    lines = []
    for check in found:
        if check.found:
            version = f" {check.version}" if check.version else ""
            lines.append(f"ok       {check.name}{version} — {check.path} ({check.purpose})")
        elif check.optional:
            lines.append(f"absent   {check.name}: not installed ({check.purpose}); {check.fix}")
        else:
            lines.append(f"MISSING  {check.name} ({check.purpose}): {check.fix}")
    missing = sum(not check.found and not check.optional for check in found)
    absent = [check.name for check in found if not check.found and check.optional]
    if missing:
        lines.append(f"{missing} missing")
    elif absent:
        kernels = sum(name.startswith("kernel ") for name in absent)
        named = [f"{kernels} optional kernel{'s' if kernels > 1 else ''}"] if kernels else []
        named += [name for name in absent if not name.startswith("kernel ")]
        lines.append(f"everything clm needs is installed; {' and '.join(named)} not installed")
    else:
        lines.append("everything clm can use is installed")
    return "\n".join(lines)


def as_json(found: list[Check]) -> dict:
    return {"ok": healthy(found), "checks": [asdict(c) for c in found]}
