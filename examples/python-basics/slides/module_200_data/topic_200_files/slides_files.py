# j2 from 'macros.j2' import header
# {{ header("Dateien lesen", "Reading Files") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Messwerte aus einer CSV-Datei
#
# Die Datei `data/temperatures.csv` enthält Tagestemperaturen.

# %% [markdown] lang="en" tags=["slide"]
#
# ## Measurements from a CSV file
#
# The file `data/temperatures.csv` holds daily temperatures.

# %%
# Read the file with the csv module
import csv

with open("data/temperatures.csv", encoding="utf-8", newline="") as stream:
    rows = list(csv.DictReader(stream))
rows[:2]

# %% [markdown] lang="de" tags=["subslide"]
#
# ## Auswerten mit einem Hilfsmodul
#
# `temperature_tools.py` liegt im selben Ordner wie die Folien.

# %% [markdown] lang="en" tags=["subslide"]
#
# ## Evaluating with a helper module
#
# `temperature_tools.py` sits in the same folder as the slides.

# %%
# Use the helper module
from temperature_tools import mean, warmest

celsius = [float(row["celsius"]) for row in rows]
round(mean(celsius), 2), warmest(rows)

# %% [markdown] lang="de" tags=["notes"]
#
# Zeigen Sie die CSV-Datei kurz im Editor. SENTINEL_NOTES_05

# %% [markdown] lang="en" tags=["notes"]
#
# Briefly show the CSV file in the editor. SENTINEL_NOTES_06

# %% [markdown] lang="de" tags=["slide"]
#
# Wie viele Tage lagen über 15 Grad?

# %% [markdown] lang="en" tags=["slide"]
#
# How many days were above 15 degrees?

# %% tags=["start"]
# Count the warm days
warm_days = ...

# %%
# Count the warm days
warm_days = sum(1 for value in celsius if value > 15)
warm_days

# %% tags=["alt"]
# Count with len and a list comprehension: SENTINEL_ALT_02
len([value for value in celsius if value > 15])

# j2 if format == "html"
# %% [markdown] lang="de"
#
# *Die Werte stammen aus einer fiktiven Wetterstation.*

# %% [markdown] lang="en"
#
# *The values come from a fictional weather station.*
# j2 endif
