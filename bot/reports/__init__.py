"""Reports for the agency (docs/reports.md): engagement with the OA's messages (`engagement`), the
daily roll-up that outlives the purge (`rollup`), the satisfaction survey (`survey`), and the
periodic report (`build.build_report`, rendered by `html.render_html` and `xlsx.write_xlsx`).

Nothing is imported here: the webhook and worker load `engagement` without openpyxl."""
