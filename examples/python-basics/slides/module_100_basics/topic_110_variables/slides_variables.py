# j2 from 'macros.j2' import header
# j2 from 'exercises.j2' import exercise
# {{ header("Variablen", "Variables") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Namen für Werte
#
# - Eine Variable ist ein Name, der auf ein Objekt verweist
# - Die Zuweisung `=` bindet den Namen

# %% [markdown] lang="en" tags=["slide"]
#
# ## Names for values
#
# - A variable is a name that refers to an object
# - Assignment `=` binds the name

# %%
# Bind a name
answer = 42
answer

# %%
answer = answer + 1
answer

# %% [markdown] lang="de" tags=["slide"]
#
# ## Namen und Objekte
#
# <img src="img/name_binding.png" alt="Ein Name verweist auf ein Objekt">

# %% [markdown] lang="en" tags=["slide"]
#
# ## Names and objects
#
# <img src="img/name_binding.png" alt="A name refers to an object">

# {{ exercise("Tauschen", "Swapping") }}

# %% [markdown] lang="de"
#
# Vertauschen Sie die Werte von `a` und `b`.

# %% [markdown] lang="en"
#
# Swap the values of `a` and `b`.

# %% tags=["keep"]
# Starting values
a, b = 1, 2

# %%
# Swap with tuple assignment
a, b = b, a
a, b

# %% tags=["alt"]
# Swap with a helper variable: SENTINEL_ALT_01
a, b = 1, 2
helper = a
a = b
b = helper
a, b
