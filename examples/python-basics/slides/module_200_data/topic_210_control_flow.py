# j2 from 'macros.j2' import header
# {{ header("Verzweigungen und Schleifen", "Branches and Loops") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## if, elif, else

# %% [markdown] lang="en" tags=["slide"]
#
# ## if, elif, else

# %%
# Classify a temperature
def describe(celsius):
    if celsius < 10:
        return "cold"
    elif celsius < 20:
        return "mild"
    else:
        return "warm"


[describe(t) for t in (5, 15, 25)]

# %% [markdown] lang="de" tags=["slide"]
#
# ## Schleifen
#
# `for` läuft über die Elemente einer Sammlung.

# %% [markdown] lang="en" tags=["slide"]
#
# ## Loops
#
# `for` runs over the items of a collection.

# %%
# Sum with a loop
total = 0
for number in range(1, 11):
    total += number
total

# %% [markdown] lang="de" tags=["subslide"]
#
# Was ist der Unterschied zwischen `break` und `continue`?

# %% [markdown] lang="en" tags=["subslide"]
#
# What is the difference between `break` and `continue`?

# %% [markdown] lang="de" tags=["answer"]
#
# `break` beendet die Schleife, `continue` springt zum nächsten Durchlauf.
# SENTINEL_ANSWER_03

# %% [markdown] lang="en" tags=["answer"]
#
# `break` ends the loop, `continue` jumps to the next round. SENTINEL_ANSWER_04

# %% tags=["del"]
# Old example, kept out of every output: SENTINEL_DEL_01
raise RuntimeError("SENTINEL_DEL_01 must never run")
