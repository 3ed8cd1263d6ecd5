# j2 from 'macros.j2' import header
# {{ header("Rundgang durch alle Tags", "A Tour of Every Tag") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Listen sortieren
#
# Diese Folien zeigen jedes Tag, das clm kennt.

# %% [markdown] lang="en" tags=["slide"]
#
# ## Sorting lists
#
# These slides show every tag clm knows.

# %%
# Plain code: emptied in code-along
numbers = [5, 3, 8, 1]
sorted(numbers)

# %% tags=["keep"]
# Keep: stays in code-along
words = ["pear", "apple", "fig"]

# %% [markdown] lang="de" tags=["subslide"]
#
# Sortieren Sie `words` nach der Länge.

# %% [markdown] lang="en" tags=["subslide"]
#
# Sort `words` by length.

# %% tags=["start"]
# Start: only in code-along
by_length = ...

# %%
# Solution to the start cell
by_length = sorted(words, key=len)
by_length

# %% tags=["alt"]
# Alt: another solution, not in code-along (SENTINEL_ALT_03)
sorted(words, key=lambda word: len(word))

# %% [markdown] lang="de" tags=["alt"]
#
# Alternative: `words.sort(key=len)` sortiert die Liste selbst. SENTINEL_ALT_04

# %% [markdown] lang="en" tags=["alt"]
#
# Alternatively, `words.sort(key=len)` sorts the list in place. SENTINEL_ALT_05

# %% [markdown] lang="de" tags=["notes"]
#
# Betonen Sie, dass `sorted` eine neue Liste liefert. SENTINEL_NOTES_07

# %% [markdown] lang="en" tags=["notes"]
#
# Stress that `sorted` returns a new list. SENTINEL_NOTES_08

# %% [markdown] lang="de" tags=["slide"]
#
# Ist `sorted` stabil?

# %% [markdown] lang="en" tags=["slide"]
#
# Is `sorted` stable?

# %% [markdown] lang="de" tags=["answer"]
#
# Ja: gleiche Schlüssel behalten ihre Reihenfolge. SENTINEL_ANSWER_05

# %% [markdown] lang="en" tags=["answer"]
#
# Yes: equal keys keep their order. SENTINEL_ANSWER_06

# %% [markdown] tags=["del"]
#
# An outdated remark that no audience sees. SENTINEL_DEL_02

# %% tags=["del"]
# Del: never executed (SENTINEL_DEL_03)
raise RuntimeError("SENTINEL_DEL_03 must never run")

# %% [markdown] lang="de" tags=["private"]
#
# Nur für Vortragende: Zeit für Fragen einplanen. SENTINEL_PRIVATE_03

# %% [markdown] lang="en" tags=["private"]
#
# Speaker only: leave time for questions. SENTINEL_PRIVATE_04

# %% tags=["private"]
# Private: the speaker's own check (SENTINEL_PRIVATE_05)
assert by_length == ["fig", "pear", "apple"]

# %% [markdown] lang="de" tags=["subslide"]
#
# Gemischte Typen lassen sich nicht sortieren:

# %% [markdown] lang="en" tags=["subslide"]
#
# Mixed types cannot be sorted:

# %% tags=["raises-exception"]
# Raises: the traceback is shown
sorted([3, "three"])

