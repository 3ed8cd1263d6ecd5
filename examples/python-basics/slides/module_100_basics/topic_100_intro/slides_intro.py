# j2 from 'macros.j2' import header
# {{ header("Einführung in Python", "Introduction to Python") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Warum Python?
#
# <img src="img/python-logo.png" alt="Python" style="float: right; width: 30%">
#
# - Lesbare Syntax, wenig Zeremonie
# - Riesige Standardbibliothek
# - Von Skripten bis zu großen Anwendungen

# %% [markdown] lang="en" tags=["slide"]
#
# ## Why Python?
#
# <img src="img/python-logo.png" alt="Python" style="float: right; width: 30%">
#
# - Readable syntax, little ceremony
# - A huge standard library
# - From scripts to large applications

# %% [markdown] lang="de" tags=["notes"]
#
# Fragen Sie, wer schon programmiert hat. SENTINEL_NOTES_01

# %% [markdown] lang="en" tags=["notes"]
#
# Ask who has programmed before. SENTINEL_NOTES_02

# %% [markdown] lang="de" tags=["slide"]
#
# ## Ein erstes Programm
#
# Python rechnet direkt im Notebook:

# %% [markdown] lang="en" tags=["slide"]
#
# ## A first program
#
# Python computes right in the notebook:

# %%
# First program
6 * 7

# %% lang="de"
print("Hallo, Welt!")

# %% lang="en"
print("Hello, world!")

# %% [markdown] lang="de" tags=["slide"]
#
# ## Wie ein Programm läuft
#
# <img src="img/program_flow.png" alt="Ablauf eines Programms">

# %% [markdown] lang="en" tags=["slide"]
#
# ## How a program runs
#
# <img src="img/program_flow.png" alt="How a program runs">

# %% [markdown] lang="de" tags=["subslide"]
#
# Welche Version von Python läuft hier?

# %% [markdown] lang="en" tags=["subslide"]
#
# Which version of Python runs here?

# %% tags=["keep"]
# Version check
import sys

sys.version_info.major
