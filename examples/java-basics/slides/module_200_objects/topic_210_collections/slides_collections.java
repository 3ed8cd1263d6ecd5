// j2 from 'macros.j2' import header
// {{ header("Listen und Maps", "Lists and Maps") }}

// %% [markdown] lang="de" tags=["slide"]
//
// ## Listen
//
// `List.of` erzeugt eine unveränderliche Liste, `ArrayList` eine, die wachsen
// kann.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Lists
//
// `List.of` creates an immutable list, `ArrayList` one that can grow.

// %% tags=["keep"]
import java.util.*;

// %%
List<String> fruits = new ArrayList<>(List.of("apple", "pear"));
fruits.add("fig");
fruits

// %%
fruits.size() + " " + fruits.get(0)

// %% [markdown] lang="de" tags=["subslide"]
//
// ## Maps
//
// Eine Map ordnet Schlüsseln Werte zu. `TreeMap` hält die Schlüssel sortiert;
// `merge` verknüpft einen neuen Wert mit dem vorhandenen.

// %% [markdown] lang="en" tags=["subslide"]
//
// ## Maps
//
// A map assigns values to keys. `TreeMap` keeps its keys sorted; `merge`
// combines a new value with the one already there.

// %%
Map<String, Integer> stock = new TreeMap<>();
stock.put("pear", 4);
stock.put("apple", 7);
stock.merge("apple", 3, Integer::sum);
stock

// %%
stock.getOrDefault("fig", 0)

// %% [markdown] lang="de" tags=["slide"]
//
// ## Daten aus einer CSV-Datei
//
// Die Datei `cities.csv` liegt neben diesen Folien; sie enthält gerundete
// Einwohnerzahlen.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Data from a CSV file
//
// The file `cities.csv` sits next to these slides; it holds rounded population
// figures.

// %% tags=["keep"]
import java.nio.file.Files;
import java.nio.file.Path;

List<String> lines = Files.readAllLines(Path.of("cities.csv"));
System.out.println(lines.get(0));
System.out.println(lines.size() - 1 + " cities");

// %% [markdown] lang="de" tags=["subslide"]
//
// Ein Record pro Zeile macht aus Text typisierte Daten.

// %% [markdown] lang="en" tags=["subslide"]
//
// One record per line turns text into typed data.

// %% tags=["keep"]
record City(String name, String country, int population) {
    static City parse(String line) {
        String[] fields = line.split(",");
        return new City(fields[0], fields[1], Integer.parseInt(fields[2]));
    }
}

// %%
List<City> cities = new ArrayList<>();
for (String line : lines.subList(1, lines.size())) {
    cities.add(City.parse(line));
}
cities.get(0)

// %% [markdown] lang="de" tags=["subslide"]
//
// Sortieren mit einem `Comparator`: die drei größten Städte.

// %% [markdown] lang="en" tags=["subslide"]
//
// Sorting with a `Comparator`: the three largest cities.

// %%
cities.sort(Comparator.comparingInt(City::population).reversed());
for (City city : cities.subList(0, 3)) {
    System.out.println(city.name() + ": " + city.population());
}

// %% [markdown] lang="de" tags=["notes"]
//
// Zeigen Sie die CSV-Datei kurz im Editor und weisen Sie darauf hin, dass
// `split` bei Feldern mit Kommas nicht reicht.

// %% [markdown] lang="en" tags=["notes"]
//
// Briefly show the CSV file in the editor and point out that `split` is not
// enough for fields that contain commas.

// %% [markdown] lang="de" tags=["slide"]
//
// ## Übung: Einwohner pro Land
//
// Summieren Sie für jedes Land die Einwohnerzahlen seiner Städte in einer Map.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Exercise: population per country
//
// For each country, add up the population of its cities in a map.

// %% tags=["start"]
Map<String, Integer> byCountry = new TreeMap<>();
// Your loop here
byCountry

// %%
Map<String, Integer> byCountry = new TreeMap<>();
for (City city : cities) {
    byCountry.merge(city.country(), city.population(), Integer::sum);
}
byCountry

// %% [markdown] lang="de" tags=["alt"]
//
// Mit Streams geht es auch ohne Schleife:

// %% [markdown] lang="en" tags=["alt"]
//
// Streams do it without a loop:

// %% tags=["alt"]
import java.util.stream.Collectors;

cities.stream()
    .collect(Collectors.groupingBy(
        City::country, TreeMap::new, Collectors.summingInt(City::population)))

// %% [markdown] lang="de" tags=["subslide"]
//
// Warum schlägt `List.of("a").add("b")` fehl?

// %% [markdown] lang="en" tags=["subslide"]
//
// Why does `List.of("a").add("b")` fail?

// %% [markdown] lang="de" tags=["answer"]
//
// `List.of` liefert eine unveränderliche Liste: `add` wirft eine
// `UnsupportedOperationException`.

// %% [markdown] lang="en" tags=["answer"]
//
// `List.of` returns an immutable list: `add` throws an
// `UnsupportedOperationException`.

// %% tags=["raises-exception"]
List.of("a").add("b")
