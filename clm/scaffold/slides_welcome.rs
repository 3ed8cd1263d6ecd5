# j2 from 'macros.j2' import header
{{ header("Willkommen", "Welcome") }}

<!-- #region lang="de" tags=["slide"] -->
## Worum es geht

- Folien sind Notebooks in Markdown mit Rust-Codeblöcken
- Jede Zelle kann nur für eine Sprache gelten
<!-- #endregion -->

<!-- #region lang="en" tags=["slide"] -->
## What this is about

- Slides are notebooks in Markdown with Rust code blocks
- Each cell may belong to one language only
<!-- #endregion -->

```rust
let greeting = "Hello";
greeting
```

<!-- #region lang="de" tags=["notes"] -->
Nur für Vortragende sichtbar.
<!-- #endregion -->

<!-- #region lang="en" tags=["notes"] -->
Only the speaker sees this.
<!-- #endregion -->

<!-- #region lang="de" -->
Wie lang ist `greeting`?
<!-- #endregion -->

<!-- #region lang="en" -->
How long is `greeting`?
<!-- #endregion -->

```rust tags=["start"]
// Your code here
```

```rust
greeting.len()
```
