// j2 from 'macros.j2' import header
// {{ header("Einführung in Java", "Introduction to Java") }}

// %% [markdown] lang="de" tags=["slide"]
//
// ## Warum Java?
//
// - Läuft überall, wo es eine Java Virtual Machine (JVM) gibt
// - Statische Typen: Der Compiler findet viele Fehler vor dem Start
// - Eine große Standardbibliothek und viele Werkzeuge

// %% [markdown] lang="en" tags=["slide"]
//
// ## Why Java?
//
// - Runs wherever there is a Java Virtual Machine (JVM)
// - Static types: the compiler finds many mistakes before the program starts
// - A large standard library and plenty of tools

// %% [markdown] lang="de" tags=["notes"]
//
// Fragen Sie, wer schon mit Python oder C# gearbeitet hat: Die Syntax von Java
// wird vielen vertraut vorkommen.

// %% [markdown] lang="en" tags=["notes"]
//
// Ask who has worked with Python or C# before: Java's syntax will look familiar
// to many.

// %% [markdown] lang="de" tags=["slide"]
//
// ## Ein erstes Programm
//
// Im Notebook läuft Java in JShell: Anweisungen dürfen ohne Klasse und ohne
// `main`-Methode stehen.

// %% [markdown] lang="en" tags=["slide"]
//
// ## A first program
//
// In the notebook, Java runs in JShell: statements may stand on their own,
// without a class or a `main` method.

// %% tags=["keep"] lang="de"
System.out.println("Hallo, Welt!");

// %% tags=["keep"] lang="en"
System.out.println("Hello, world!");

// %% [markdown] lang="de" tags=["subslide"]
//
// ## Ausdrücke
//
// Steht am Ende einer Zelle ein Ausdruck ohne Semikolon, zeigt das Notebook
// seinen Wert.

// %% [markdown] lang="en" tags=["subslide"]
//
// ## Expressions
//
// When a cell ends in an expression without a semicolon, the notebook shows its
// value.

// %%
6 * 7

// %%
"Java".length()

// %% [markdown] lang="de" tags=["slide"]
//
// ## Variablen und Typen
//
// Jede Variable hat einen Typ, der sich nie ändert.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Variables and types
//
// Every variable has a type that never changes.

// %% tags=["keep"]
int year = 1995;
double price = 19.99;
boolean isOpen = true;
String language = "Java";

// %%
"%s: %d".formatted(language, year)

// %% [markdown] lang="de" tags=["subslide"]
//
// Mit `var` leitet der Compiler den Typ aus dem Wert ab. Der Typ bleibt
// trotzdem fest.

// %% [markdown] lang="en" tags=["subslide"]
//
// With `var` the compiler infers the type from the value. The type is still
// fixed.

// %%
var count = 3;
count += 2;
count

// %% [markdown] lang="de" tags=["subslide"]
//
// ## Ganzzahlige Division
//
// Was ergibt `7 / 2` in Java?

// %% [markdown] lang="en" tags=["subslide"]
//
// ## Integer division
//
// What is the value of `7 / 2` in Java?

// %% [markdown] lang="de" tags=["answer"]
//
// `3`: Sind beide Operanden ganze Zahlen, schneidet Java den Rest ab. Erst
// `7 / 2.0` ergibt `3.5`.

// %% [markdown] lang="en" tags=["answer"]
//
// `3`: when both operands are integers, Java drops the remainder. Only
// `7 / 2.0` gives `3.5`.

// %%
7 / 2

// %%
7 / 2.0

// %% [markdown] lang="de" tags=["notes"]
//
// Lassen Sie die Teilnehmenden zuerst raten, bevor Sie die Zellen ausführen.

// %% [markdown] lang="en" tags=["notes"]
//
// Let the participants guess before you run the cells.
