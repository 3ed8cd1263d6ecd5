# j2 from 'macros.j2' import header
# {{ header("Python einrichten", "Setting up Python") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Installation
#
# 1. Python 3.11 oder neuer installieren
# 2. Eine virtuelle Umgebung anlegen: `python -m venv .venv`
# 3. Jupyter installieren: `pip install jupyterlab`

# %% [markdown] lang="en" tags=["slide"]
#
# ## Installation
#
# 1. Install Python 3.11 or newer
# 2. Create a virtual environment: `python -m venv .venv`
# 3. Install Jupyter: `pip install jupyterlab`

# %% [markdown] lang="de" tags=["notes"]
#
# Windows-Nutzer brauchen oft `py` statt `python`. SENTINEL_NOTES_03

# %% [markdown] lang="en" tags=["notes"]
#
# Windows users often need `py` instead of `python`. SENTINEL_NOTES_04

# %% tags=["keep"]
# Check your installation
import sys

sys.version_info >= (3, 11)
