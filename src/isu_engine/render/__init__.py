"""Turn a finished report into files: self-contained HTML, PDF (WeasyPrint) and Excel tables.

`html.render_html` fills the shared Jinja2 templates in `report_templates/` (a plugin or a
municipality may override any of them by file name), `pdf.render_pdf` prints that HTML to
A4 without fetching anything outside the template folders, and `xlsx.write_xlsx` writes the
tables one sheet each. Every value goes through `formatting`, so a hidden cell always
prints as its hidden text.
"""
