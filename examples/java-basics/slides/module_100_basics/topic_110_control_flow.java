// j2 from 'macros.j2' import header
// {{ header("Verzweigungen und Schleifen", "Branches and Loops") }}

// %% [markdown] lang="de" tags=["slide"]
//
// ## if und else
//
// Die Bedingung steht in runden Klammern und ist immer ein `boolean`.

// %% [markdown] lang="en" tags=["slide"]
//
// ## if and else
//
// The condition stands in parentheses and is always a `boolean`.

// %% tags=["keep"]
int celsius = 17;

// %%
if (celsius < 10) {
    System.out.println("cold");
} else if (celsius < 20) {
    System.out.println("mild");
} else {
    System.out.println("warm");
}

// %% [markdown] lang="de" tags=["subslide"]
//
// ## switch als Ausdruck
//
// Seit Java 14 kann `switch` einen Wert liefern; mit `->` ist kein `break`
// nötig.

// %% [markdown] lang="en" tags=["subslide"]
//
// ## switch as an expression
//
// Since Java 14, `switch` can yield a value; with `->` no `break` is needed.

// %%
String weekday = "SATURDAY";
String kind = switch (weekday) {
    case "SATURDAY", "SUNDAY" -> "weekend";
    default -> "workday";
};
kind

// %% [markdown] lang="de" tags=["slide"]
//
// ## Die for-Schleife
//
// Startwert, Bedingung und Schritt stehen im Kopf der Schleife.

// %% [markdown] lang="en" tags=["slide"]
//
// ## The for loop
//
// Start value, condition and step stand in the head of the loop.

// %%
for (int i = 1; i <= 3; i++) {
    System.out.println("Round " + i);
}

// %% [markdown] lang="de" tags=["subslide"]
//
// Die erweiterte for-Schleife läuft über alle Elemente eines Arrays oder einer
// Liste.

// %% [markdown] lang="en" tags=["subslide"]
//
// The enhanced for loop runs over every element of an array or a list.

// %% tags=["keep"]
int[] temperatures = {12, 17, 21, 9, 15};

// %%
int warmest = temperatures[0];
for (int t : temperatures) {
    if (t > warmest) {
        warmest = t;
    }
}
warmest

// %% [markdown] lang="de" tags=["slide"]
//
// ## Übung: Quadratzahlen
//
// Berechnen Sie die Summe der Quadrate von 1 bis 10 mit einer Schleife.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Exercise: square numbers
//
// Compute the sum of the squares from 1 to 10 with a loop.

// %% tags=["start"]
int sumOfSquares = 0;
// Your loop here
sumOfSquares

// %%
int sumOfSquares = 0;
for (int n = 1; n <= 10; n++) {
    sumOfSquares += n * n;
}
sumOfSquares

// %% [markdown] lang="de" tags=["alt"]
//
// Dasselbe ohne Schleife, mit einem `IntStream`:

// %% [markdown] lang="en" tags=["alt"]
//
// The same without a loop, with an `IntStream`:

// %% tags=["alt"]
java.util.stream.IntStream.rangeClosed(1, 10).map(n -> n * n).sum()

// %% [markdown] lang="de" tags=["notes"]
//
// Die Lösung ist 385. Wer schnell fertig ist, kann die Summe mit der Formel
// n(n+1)(2n+1)/6 prüfen.

// %% [markdown] lang="en" tags=["notes"]
//
// The answer is 385. Whoever finishes early can check it with the formula
// n(n+1)(2n+1)/6.

// %% [markdown] lang="de" tags=["slide"]
//
// ## while und do-while
//
// Worin unterscheiden sich die beiden Schleifen?

// %% [markdown] lang="en" tags=["slide"]
//
// ## while and do-while
//
// How do the two loops differ?

// %% [markdown] lang="de" tags=["answer"]
//
// `while` prüft die Bedingung vor jedem Durchlauf und läuft vielleicht gar
// nicht. `do-while` prüft sie danach und läuft mindestens einmal.

// %% [markdown] lang="en" tags=["answer"]
//
// `while` checks its condition before each round and may not run at all.
// `do-while` checks it afterwards and runs at least once.

// %% [markdown] lang="de" tags=["subslide"]
//
// Die Collatz-Folge: Eine gerade Zahl wird halbiert, eine ungerade zu `3n + 1`.
// Wie viele Schritte braucht die 27 bis zur 1?

// %% [markdown] lang="en" tags=["subslide"]
//
// The Collatz sequence: an even number is halved, an odd one becomes `3n + 1`.
// How many steps does 27 take to reach 1?

// %%
int steps = 0;
int value = 27;
while (value != 1) {
    value = value % 2 == 0 ? value / 2 : 3 * value + 1;
    steps++;
}
steps
