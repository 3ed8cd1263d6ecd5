// j2 from 'macros.j2' import header
// {{ header("Klassen und Records", "Classes and Records") }}

// %% [markdown] lang="de" tags=["slide"]
//
// ## Ein Record aus einer Datei
//
// Die Datei `Point.java` liegt neben diesen Folien. `%load` liest sie in das
// Notebook ein:

// %% [markdown] lang="en" tags=["slide"]
//
// ## A record from a file
//
// The file `Point.java` sits next to these slides. `%load` reads it into the
// notebook:

// %% tags=["keep"]
%load Point.java

// %%
Point p = new Point(3, 4);
p

// %%
p.distanceTo(Point.ORIGIN)

// %% [markdown] lang="de" tags=["subslide"]
//
// ## Was ein Record mitbringt
//
// Konstruktor, Zugriffsmethoden, `equals`, `hashCode` und `toString` schreibt
// der Compiler für uns.

// %% [markdown] lang="en" tags=["subslide"]
//
// ## What a record brings along
//
// The compiler writes the constructor, the accessors, `equals`, `hashCode` and
// `toString` for us.

// %%
p.movedBy(1, 1).equals(new Point(4, 5))

// %%
p.x() + p.y()

// %% [markdown] lang="de" tags=["notes"]
//
// Betonen Sie, dass Records unveränderlich sind: `movedBy` liefert einen neuen
// Punkt, `p` bleibt, wie er war.

// %% [markdown] lang="en" tags=["notes"]
//
// Stress that records are immutable: `movedBy` returns a new point, `p` stays
// as it was.

// %% [markdown] lang="de" tags=["slide"]
//
// ## Kreise und Punkte
//
// <img src="img/shapes.png" alt="Klassendiagramm: Circle implementiert Shape und hat einen Point">

// %% [markdown] lang="en" tags=["slide"]
//
// ## Circles and points
//
// <img src="img/shapes.png" alt="Class diagram: Circle implements Shape and has a Point">

// %% [markdown] lang="de" tags=["subslide"]
//
// Ein Interface legt fest, welche Methoden eine Klasse anbieten muss.

// %% [markdown] lang="en" tags=["subslide"]
//
// An interface states which methods a class must offer.

// %% tags=["keep"]
interface Shape {
    double area();
}

// %%
class Circle implements Shape {
    private final Point center;
    private final double radius;

    public Circle(Point center, double radius) {
        this.center = center;
        this.radius = radius;
    }

    @Override
    public double area() {
        return Math.PI * radius * radius;
    }

    public boolean contains(Point point) {
        return center.distanceTo(point) <= radius;
    }
}

// %%
Circle unit = new Circle(Point.ORIGIN, 1);
unit.contains(new Point(0.5, 0.5))

// %%
"%.4f".formatted(unit.area())

// %% [markdown] lang="de" tags=["subslide"]
//
// Warum sind `center` und `radius` als `private` deklariert?

// %% [markdown] lang="en" tags=["subslide"]
//
// Why are `center` and `radius` declared `private`?

// %% [markdown] lang="de" tags=["answer"]
//
// Nur die Klasse selbst darf ihre Felder sehen. So kann sie sicherstellen,
// dass ein Kreis gültig bleibt, und ihre Darstellung später ändern, ohne dass
// anderer Code angepasst werden muss.

// %% [markdown] lang="en" tags=["answer"]
//
// Only the class itself may see its fields. That way it can make sure a circle
// stays valid, and change how it stores them later without breaking other code.

// %% [markdown] lang="de" tags=["slide"]
//
// ## Übung: Rechtecke
//
// Schreiben Sie eine Klasse `Rectangle` mit Breite und Höhe, die `Shape`
// implementiert.

// %% [markdown] lang="en" tags=["slide"]
//
// ## Exercise: rectangles
//
// Write a class `Rectangle` with a width and a height that implements `Shape`.

// %% tags=["start"]
class Rectangle implements Shape {
    // Fields, constructor and area() here

    @Override
    public double area() {
        return 0;
    }
}

// %%
class Rectangle implements Shape {
    private final double width;
    private final double height;

    public Rectangle(double width, double height) {
        this.width = width;
        this.height = height;
    }

    @Override
    public double area() {
        return width * height;
    }
}

// %% tags=["keep"]
new Rectangle(2, 3).area()

// %% [markdown] lang="de" tags=["alt"]
//
// Kürzer geht es mit einem Record, der das Interface implementiert:

// %% [markdown] lang="en" tags=["alt"]
//
// A record that implements the interface is shorter:

// %% tags=["alt"]
record Rectangle(double width, double height) implements Shape {
    @Override
    public double area() {
        return width * height;
    }
}

new Rectangle(2, 3).area()
