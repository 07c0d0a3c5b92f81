"""Compare: several datasets side by side through their harmonized frames."""
