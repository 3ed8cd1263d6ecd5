# j2 from 'macros.j2' import header
# {{ header("Funktionen", "Functions") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Code wiederverwenden
#
# Funktionen bündeln Code unter einem Namen. Das Modul `greetings.py` liegt
# neben dieser Folie.

# %% [markdown] lang="en" tags=["slide"]
#
# ## Reusing code
#
# Functions bundle code under a name. The module `greetings.py` sits next to
# these slides.

# %%
# Import a sibling module
from greetings import greet

greet("Ada")

# %% [markdown] lang="de" tags=["subslide"]
#
# ## Eigene Funktionen

# %% [markdown] lang="en" tags=["subslide"]
#
# ## Your own functions

# %%
# Define a function
def shout(text):
    return text.upper() + "!"


shout("hello")

# %% [markdown] lang="de" tags=["slide"]
#
# ## Daten aus einer Datei
#
# Die Namen stehen in `greetings.txt`:

# %% [markdown] lang="en" tags=["slide"]
#
# ## Data from a file
#
# The names are in `greetings.txt`:

# %%
# Greet everyone listed in the file
with open("greetings.txt", encoding="utf-8") as names:
    for line in names:
        print(greet(line.strip()))

# %% tags=["private"]
# Speaker check: the file must list three names. SENTINEL_PRIVATE_02
with open("greetings.txt", encoding="utf-8") as names:
    assert len(names.read().split()) == 3
