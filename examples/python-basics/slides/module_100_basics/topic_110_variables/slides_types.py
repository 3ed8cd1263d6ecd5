# j2 from 'macros.j2' import header
# {{ header("Datentypen", "Data Types") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Jeder Wert hat einen Typ
#
# `type()` verrät ihn.

# %% [markdown] lang="en" tags=["slide"]
#
# ## Every value has a type
#
# `type()` tells it.

# %%
# Types of literals
[type(42).__name__, type(3.14).__name__, type("text").__name__, type(True).__name__]

# %% [markdown] lang="de" tags=["subslide"]
#
# ## Umwandeln
#
# Typen werden mit ihrem Namen umgewandelt:

# %% [markdown] lang="en" tags=["subslide"]
#
# ## Converting
#
# Types are converted with their name:

# %%
# Conversions
int("17") + float("0.5")

# %% [markdown] lang="de"
#
# Was ergibt `int("3.5")`?

# %% [markdown] lang="en"
#
# What does `int("3.5")` give?

# %% [markdown] lang="de" tags=["answer"]
#
# Einen `ValueError`: `int()` liest nur ganze Zahlen. SENTINEL_ANSWER_01

# %% [markdown] lang="en" tags=["answer"]
#
# A `ValueError`: `int()` only reads whole numbers. SENTINEL_ANSWER_02

# %% tags=["raises-exception"]
# Converting a decimal string to int fails
int("3.5")
