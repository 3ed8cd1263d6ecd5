# j2 from 'macros.j2' import header
# {{ header("Ausgabe mit print", "Output with print") }}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Von Werten zu Text
#
# ![Werte fließen durch print in die Ausgabe](img/print-flow.png)

# %% [markdown] lang="en" tags=["slide"]
#
# ## From values to text
#
# ![Values flow through print to the output](img/print-flow.png)

# %%
# Several arguments
print("Total:", 3, "items")

# %%
# f-strings
price = 4.5
print(f"Price: {price:.2f} EUR")

# %% [markdown] lang="de" tags=["subslide"]
#
# ## Trennzeichen
#
# `sep` und `end` steuern, was zwischen und nach den Werten steht.

# %% [markdown] lang="en" tags=["subslide"]
#
# ## Separators
#
# `sep` and `end` control what goes between and after the values.

# %% tags=["start"]
# Print the numbers 1 to 3 separated by " | "

# %%
# Separated output
print(1, 2, 3, sep=" | ")

# %% [markdown] lang="de" tags=["private"]
#
# Nur für Vortragende: hier gern `end=""` live vorführen. SENTINEL_PRIVATE_01
