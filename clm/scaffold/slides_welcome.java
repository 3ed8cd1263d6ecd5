// j2 from 'macros.j2' import header
// {{ header("Willkommen", "Welcome") }}

// %% [markdown] lang="de" tags=["slide"]
//
// ## Worum es geht
//
// - Folien sind Notebooks im Percent-Format
// - Jede Zelle kann nur für eine Sprache gelten

// %% [markdown] lang="en" tags=["slide"]
//
// ## What this is about
//
// - Slides are notebooks in percent format
// - Each cell may belong to one language only

// %%
String greeting = "Hello";
greeting

// %% [markdown] lang="de" tags=["notes"]
//
// Nur für Vortragende sichtbar.

// %% [markdown] lang="en" tags=["notes"]
//
// Only the speaker sees this.

// %% [markdown] lang="de"
//
// Wie lang ist `greeting`?

// %% [markdown] lang="en"
//
// How long is `greeting`?

// %% tags=["start"]
// Your code here

// %%
greeting.length()
