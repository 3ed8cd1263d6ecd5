// j2 from 'macros.j2' import header
// {{ header("Ein Blick auf TypeScript", "A Glimpse of TypeScript") }}

// %% [markdown] lang="de" tags=["slide"]
//
// ## Typen für JavaScript
//
// TypeScript ergänzt JavaScript um statische Typen. Diese Folien laufen in
// Deno, das TypeScript direkt ausführt.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Types for JavaScript
//
// TypeScript adds static types to JavaScript. These slides run in Deno, which
// runs TypeScript directly.

// %% tags=["keep"]
console.log("Hello from TypeScript!");

// %% [markdown] lang="de" tags=["subslide"]
//
// ## Interfaces statt Records
//
// Ein Objekt passt zu einem Interface, wenn es die richtigen Felder hat; eine
// Klasse ist nicht nötig.

// %% [markdown] lang="en" tags=["subslide"]
//
// ## Interfaces instead of records
//
// An object fits an interface when it has the right fields; no class is
// needed.

// %% tags=["keep"]
interface City {
  name: string;
  population: number;
}

const cities: City[] = [
  { name: "Berlin", population: 3_755_000 },
  { name: "Wien", population: 2_006_000 },
  { name: "Zürich", population: 428_000 },
];

// %%
cities.map((city) => city.name).join(", ")

// %% [markdown] lang="de" tags=["notes"]
//
// Vergleichen Sie mit dem Record `City` aus der Java-Einheit: Dort prüft der
// Compiler den Namen des Typs, hier nur seine Form.

// %% [markdown] lang="en" tags=["notes"]
//
// Compare with the record `City` of the Java unit: there the compiler checks
// the type's name, here only its shape.

// %% [markdown] lang="de" tags=["slide"]
//
// ## Übung: Gesamtzahl
//
// Berechnen Sie, wie viele Menschen in den drei Städten leben.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Exercise: the total
//
// Compute how many people live in the three cities.

// %% tags=["start"]
let total = 0;
// Your loop here
total

// %%
let total = 0;
for (const city of cities) {
  total += city.population;
}
total

// %% [markdown] lang="de" tags=["alt"]
//
// Mit `reduce` genügt ein einziger Ausdruck:

// %% [markdown] lang="en" tags=["alt"]
//
// With `reduce`, a single expression is enough:

// %% tags=["alt"]
cities.reduce((sum, city) => sum + city.population, 0)
