"""Example 1: greet every participant."""

for name in ["Ada", "Grace", "Linus"]:
    print(f"Hello, {name}!")
