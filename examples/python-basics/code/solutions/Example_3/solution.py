"""Example 3: the average temperature."""

temperatures = [12.5, 14.0, 11.0, 15.5]
print(sum(temperatures) / len(temperatures))
