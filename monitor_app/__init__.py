"""The post-infusion monitor.

sqlite-utils is not loaded at start: the app works through
``storage.connection.SqliteDatabase``; the migrations load it (with numpy hidden and
dateutil's parser lazy, ``storage.connection.load_sqlite_utils``) when a file's schema
needs work.
"""
