"""Each system's converters and fonts found where its installers put them, and each missing
one named with that system's install command. macOS and Windows are simulated: sys.platform
set, and a temporary folder tree standing in for their install places."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clm.diagrams import platforms, tools
from clm.diagrams.errors import MissingTool
from clm.diagrams.platforms import Machine


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    path.chmod(0o755)
    return path


@pytest.fixture
def bare(monkeypatch, tmp_path) -> Path:
    """Nothing on PATH, a home of the test's own, no browser chosen by variable."""
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(tools.CHROMIUM_VARIABLE, raising=False)
    for variable in ("ProgramFiles", "ProgramFiles(x86)", "LocalAppData", "WINDIR"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("platform", "java", "dot", "chromium"),
    [
        ("linux", "apt-get install default-jre-headless", "apt-get install graphviz", "apt-get"),
        ("darwin", "brew install --cask temurin", "brew install graphviz", "brew install"),
        ("win32", "winget install EclipseAdoptium", "winget install Graphviz", "winget install"),
        ("freebsd14", "https://adoptium.net", "https://graphviz.org", "https://www.google.com"),
    ],
)
def test_a_missing_tool_is_named_with_this_systems_install_command(
    monkeypatch, bare, platform, java, dot, chromium
):
    monkeypatch.setattr("sys.platform", platform)
    touch(bare / "bin" / "apt-get")  # a Linux with apt: Debian or Ubuntu
    with pytest.raises(MissingTool) as raised:
        tools.java()
    assert java in str(raised.value)
    with pytest.raises(MissingTool) as raised:
        tools.chromium()
    assert chromium in str(raised.value) and tools.CHROMIUM_VARIABLE in str(raised.value)
    assert tools.dot() is None and dot in tools.hint("dot")


def test_a_linux_without_apt_is_sent_to_the_download_pages(monkeypatch, bare):
    monkeypatch.setattr("sys.platform", "linux")
    assert platforms.current() is platforms.ELSEWHERE
    assert "https://graphviz.org" in tools.hint("dot")


@pytest.mark.parametrize(
    "name", ["chromium", "google-chrome-stable", "microsoft-edge", "microsoft-edge-stable"]
)
def test_linux_finds_a_browser_on_path_by_any_of_its_names(monkeypatch, bare, name):
    monkeypatch.setattr("sys.platform", "linux")
    browser = touch(bare / "bin" / name)
    assert tools.chromium() == str(browser)


def test_macos_finds_a_browser_in_the_applications_folders(bare):
    mac = Machine({"PATH": str(bare / "bin")}, bare / "home", root=bare)
    edge = touch(bare / "home/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge")
    assert platforms.find("chromium", platforms.MACOS, mac) == str(edge)
    chrome = touch(bare / "Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
    assert platforms.find("chromium", platforms.MACOS, mac) == str(chrome)


def test_macos_finds_a_browser_in_the_users_applications(monkeypatch, bare):
    monkeypatch.setattr("sys.platform", "darwin")
    chromium = touch(bare / "home/Applications/Chromium.app/Contents/MacOS/Chromium")
    assert tools.chromium() == str(chromium)


def test_windows_finds_chrome_before_edge_in_the_program_folders(monkeypatch, bare):
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setenv("ProgramFiles", str(bare / "Program Files"))
    monkeypatch.setenv("ProgramFiles(x86)", str(bare / "Program Files (x86)"))
    monkeypatch.setenv("LocalAppData", str(bare / "AppData/Local"))
    edge = touch(bare / "Program Files (x86)/Microsoft/Edge/Application/msedge.exe")
    assert tools.chromium() == str(edge)
    chrome = touch(bare / "AppData/Local/Google/Chrome/Application/chrome.exe")
    assert tools.chromium() == str(chrome)


def test_windows_finds_graphviz_off_path(monkeypatch, bare):
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setenv("PROGRAMFILES", str(bare / "Program Files"))  # read case-blind
    assert tools.dot() is None
    dot = touch(bare / "Program Files/Graphviz/bin/dot.exe")
    assert tools.dot() == str(dot)


def test_the_chromium_variable_wins_over_every_place(monkeypatch, bare):
    monkeypatch.setattr("sys.platform", "linux")
    touch(bare / "bin" / "chromium")
    chosen = touch(bare / "elsewhere" / "chrome")
    monkeypatch.setenv(tools.CHROMIUM_VARIABLE, str(chosen))
    assert tools.chromium() == str(chosen)


def test_a_missing_label_font_is_named_then_found_in_the_users_font_folder(monkeypatch, bare):
    monkeypatch.setattr("sys.platform", "darwin")
    with pytest.raises(MissingTool) as raised:
        tools.font()
    assert str(raised.value) == (
        "Helvetica or Arial is not installed: "
        "Helvetica and Arial ship with macOS: restore them in the Font Book app"
    )
    arial = touch(bare / "home/Library/Fonts/Arial.ttf")
    assert tools.font() == arial


def test_linux_finds_liberation_sans_anywhere_below_its_font_folders(bare):
    linux = Machine({}, bare / "home", root=bare)
    assert platforms.find_font(platforms.LINUX, linux) is None
    liberation = touch(bare / "usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
    assert platforms.find_font(platforms.LINUX, linux) == liberation


def test_macos_and_windows_have_the_originals_in_their_system_font_folders(monkeypatch, bare):
    helvetica = touch(bare / "System/Library/Fonts/Helvetica.ttc")
    assert platforms.find_font(platforms.MACOS, Machine({}, bare / "home", bare)) == helvetica
    windir = bare / "Windows"
    arial = touch(windir / "Fonts" / "ARIAL.TTF")  # Windows does not mind the case
    windows = Machine({"windir": str(windir)}, bare / "home")
    assert platforms.find_font(platforms.WINDOWS, windows) == arial
    assert platforms.find_font(platforms.WINDOWS, Machine({}, bare / "home")) is None


def test_a_place_starts_with_a_root_the_table_knows():
    with pytest.raises(ValueError, match="starts with none of"):
        Machine({}, Path("/home")).path("Applications/x")


def test_the_install_commands_cover_every_tool_on_every_system():
    wanted = set(platforms.LINUX.install)
    for system in (*platforms.SYSTEMS.values(), platforms.ELSEWHERE):
        assert set(system.install) == wanted, system.name


def test_this_machine_finds_its_own_chromium():
    if not any(shutil.which(name) for name in ("chromium", "google-chrome")):
        pytest.skip("no browser on this machine")
    assert Path(tools.chromium()).is_file()


def test_a_missing_viewer_names_clm_setup_and_is_then_found_where_it_put_it(tmp_path):
    """In an environment uv made (no pip, no viewer), pip's command would not run: uv's
    does; the folder `clm setup` fetched serves as well as an installed one."""
    import subprocess

    from clm.downloads import npm, pinned, pypi
    from tests.e2e.helpers import _env
    from tests.venvs import make_venv

    python = make_venv(tmp_path / "venv")
    env = {**_env(), npm.CACHE_VARIABLE: str(tmp_path / "cache")}
    probe = "from clm.diagrams import tools\ntry: print(tools.drawio_viewer())\nexcept Exception as e: print(e)"

    def viewer() -> str:
        run = [python, "-c", probe]
        said = subprocess.run(run, capture_output=True, text=True, env=env, timeout=300)
        return said.stdout.strip() or said.stderr

    fetched = pypi.place(pinned.DRAWIO_VIEWER, tmp_path / "cache")
    assert viewer() == (
        f"draw.io's viewer is not installed: run `clm setup` (it fetches "
        f"{pinned.DRAWIO_VIEWER.label} from PyPI into {fetched.parent}), or uv pip install "
        f"--python {python} --no-deps "
        f"jupyterlab_drawio_render_extension=={tools.DRAWIO_VIEWER_VERSION}"
    )
    touch(fetched / "viewer-static.min.js")
    assert viewer() == str(fetched)
