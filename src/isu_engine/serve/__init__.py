"""`isu serve`: the ISU cycle in a browser (DESIGN §7).

A Django application that calls the engine only through `isu_engine.library`. Nothing here is
imported unless `isu serve` runs (or the web tests do).
"""
