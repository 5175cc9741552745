"""The PySide6 shell: windows, views, dialogs, item models, the map widget."""
