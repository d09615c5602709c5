"""Reports of a `Review`: Markdown, HTML and JSON, the charts and the architecture diagram.

May import: assessment and everything below it (not llm, not workflow).
"""



from assistant.report.json_report import render_json, write_schema
from assistant.report.markdown import render_markdown
from assistant.report.writer import FORMATS, write_reports

__all__ = ["FORMATS", "render_json", "render_markdown", "write_reports", "write_schema"]

