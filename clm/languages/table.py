"""One record per language clm builds decks in.

The names a CLM course relies on are CLM's: the suffixes, the ``// j2``
prefix, the kernelspec names (``xcpp20``, ``.net-csharp``, ``java``, ``deno``,
``rust``), the code folders, Markdown decks for Rust. Python's notebook
metadata stays what clm always wrote, so Python outputs do not change.
"""

from __future__ import annotations

from clm.languages.model import CellSyntax, KernelErrors, Language

# ipykernel's kernelspec: the kernel of Python decks, the one that speaks IPC and the
# one a course's own interpreter (kernel-python) runs.
KERNEL_NAME = "python3"


def is_ipykernel(kernel: str) -> bool:
    """Whether ``kernel`` is ipykernel (its fingerprint is a Python environment's)."""
    return kernel == KERNEL_NAME


PYTHON = Language(
    name="python",
    title="Python",
    suffix=".py",
    cells=CellSyntax("percent", comment="#"),
    jinja_prefix="# j2",
    jupytext_format="py:percent",
    code_format="py:percent",
    kernel=KERNEL_NAME,
    kernel_display="Python 3 (ipykernel)",
    language_info={"name": "python"},
    code_folder="Python",
    install="python -m pip install ipykernel",
    errors=KernelErrors(line=r"Cell In\[\d+\], line (\d+)"),
    module_suffix=".py",
    imports=r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_][\w \t,.]*))",
)

JAVA = Language(
    name="java",
    title="Java",
    suffix=".java",
    cells=CellSyntax("percent", comment="//"),
    jinja_prefix="// j2",
    jupytext_format="java:percent",
    code_format="java:percent",
    kernel="java",
    kernel_display="Java",
    language_info={
        "name": "Java",
        "file_extension": ".java",
        "mimetype": "text/java",
        "codemirror_mode": "java",
        "pygments_lexer": "java",
    },
    code_folder="Java",
    templates="c-family",
    install=(
        "install the JJava kernel with `python -m pip install jjava==1.0a8` into clm's "
        "environment (it runs on a JDK, 11 or newer; clm's scripts/setup.sh does both)"
    ),
    # JShell quotes the snippet it rejected: "[snippet: [int y = "s";], status: REJECTED]".
    errors=KernelErrors(snippet=r"\[snippet: \[(.*)\], status: REJECTED\]", headline=True),
    # JJava's %load reads a sibling source file; code naming a class reads its file.
    module_suffix=".java",
    imports=r"^[ \t]*%load[ \t]+([A-Za-z_]\w*)\.java\b",
)

TYPESCRIPT = Language(
    name="typescript",
    title="TypeScript",
    suffix=".ts",
    cells=CellSyntax("percent", comment="//"),
    jinja_prefix="// j2",
    jupytext_format="ts:percent",
    code_format="ts:percent",
    kernel="deno",
    kernel_display="Deno",
    language_info={
        "name": "typescript",
        "file_extension": ".ts",
        "mimetype": "text/x.typescript",
        "codemirror_mode": "typescript",
        "pygments_lexer": "typescript",
    },
    code_folder="TypeScript",
    templates="c-family",
    install=(
        "install Deno's kernel with `python -m pip install deno==2.9.8` and "
        "`deno jupyter --install` (clm's scripts/setup.sh does both)"
    ),
    # The outermost frame of the cell's own code: "at <anonymous>:3:7".
    errors=KernelErrors(line=r"at <anonymous>:(\d+):\d+"),
)

CPP = Language(
    name="cpp",
    title="C++",
    suffix=".cpp",
    cells=CellSyntax("percent", comment="//"),
    jinja_prefix="// j2",
    jupytext_format="cpp:percent",
    code_format="cpp:percent",
    kernel="xcpp20",
    kernel_display="C++20",
    language_info={
        "name": "C++",
        "file_extension": ".cpp",
        "mimetype": "text/x-c++src",
        "codemirror_mode": "text/x-c++src",
        "pygments_lexer": "cpp",
        "version": "20",
    },
    code_folder="Cpp",
    templates="c-family",
    install=(
        "install xeus-cpp from conda-forge, e.g. `micromamba install -c conda-forge xeus-cpp`, "
        "in an environment whose share/jupyter/kernels Jupyter searches (it is not on PyPI)"
    ),
    errors=KernelErrors(line=r"input_line_\d+:(\d+):\d+"),
)

CSHARP = Language(
    name="csharp",
    title="C#",
    suffix=".cs",
    cells=CellSyntax("percent", comment="//"),
    jinja_prefix="// j2",
    jupytext_format="cs:percent",
    code_format="cs:percent",
    kernel=".net-csharp",
    kernel_display=".NET (C#)",
    language_info={
        "name": "C#",
        "file_extension": ".cs",
        "mimetype": "text/x-csharp",
        "pygments_lexer": "csharp",
        "version": "12.0",
    },
    code_folder="CSharp",
    templates="c-family",
    install=(
        "install .NET Interactive with `dotnet tool install -g Microsoft.dotnet-interactive` "
        "and `dotnet interactive jupyter install` (it needs the .NET SDK)"
    ),
    errors=KernelErrors(line=r"\((\d+),\d+\): error"),
)

RUST = Language(
    name="rust",
    title="Rust",
    suffix=".rs",
    cells=CellSyntax("markdown", fence="rust"),
    jinja_prefix="# j2",
    jupytext_format="md",
    # Its plain code is Rust with percent cells, not the Markdown of the deck.
    code_format="rs:percent",
    kernel="rust",
    kernel_display="Rust",
    language_info={
        "name": "Rust",
        "file_extension": ".rs",
        "mimetype": "text/rust",
        "codemirror_mode": "rust",
        "pygments_lexer": "rust",
    },
    code_folder="Rust",
    templates="markdown",
    more_templates=("rust",),
    install="install evcxr with `cargo install evcxr_jupyter` and `evcxr_jupyter --install`",
)

LANGUAGES: dict[str, Language] = {
    language.name: language for language in (PYTHON, CPP, CSHARP, JAVA, TYPESCRIPT, RUST)
}
BY_SUFFIX: dict[str, Language] = {language.suffix: language for language in LANGUAGES.values()}
