"""Report documents: a small document model filled by services, rendered to HTML, PDF and XLSX.

The model (:mod:`.document`) knows nothing about formats; each renderer (:mod:`.render_html`,
:mod:`.render_pdf`, :mod:`.render_xlsx`) takes a :class:`~.document.Report` and returns bytes or text.
:mod:`.services` builds the documents from the database.
"""
