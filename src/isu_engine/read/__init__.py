"""Read: a municipality's files (CSV, Excel) into raw cells, and headings and values onto model fields."""
