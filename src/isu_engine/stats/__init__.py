"""Statistics the engine owns: change on a scale, proportions, group differences."""
