"""HTML to PDF, for every app that hands out a paper (the outcome letter, superbills, Good
Faith Estimates): WeasyPrint, whose system libraries (Pango, HarfBuzz) are installed by
``make install`` and ``.ci/run``."""


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: only a PDF needs Pango loaded

    return HTML(string=html).write_pdf()
