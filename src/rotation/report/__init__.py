"""Report shell: sections, context, HTML/JSON/Markdown rendering."""
