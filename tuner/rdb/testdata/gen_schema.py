"""Writes optuna-3.1.0-schema.sql: the tables, indexes and version rows that
Debian's python3-optuna 3.1.0 creates in an empty SQLite study database.

    /usr/bin/python3 tuner/rdb/testdata/gen_schema.py tuner/rdb/testdata/optuna-3.1.0-schema.sql

Each sqlite_master entry (type, name, table) is followed by its SQL; then the
rows of version_info and alembic_version. tuner/rdb's schema test compares
what rdb.OpenSQLite creates with this file.
"""
import os
import sqlite3
import sys
import tempfile

import optuna

assert optuna.__version__ == "3.1.0", optuna.__version__
optuna.logging.set_verbosity(optuna.logging.WARNING)
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "empty.db")
    optuna.storages.RDBStorage("sqlite:///" + path)  # creates the tables, no study
    c = sqlite3.connect(path)
    lines = ["-- optuna " + optuna.__version__ + ", sqlite_master and version rows of an empty RDBStorage"]
    for typ, name, tbl, sql in c.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ):
        lines.append("-- %s %s on %s" % (typ, name, tbl))
        if sql is not None:
            lines.append(sql + ";")
    for row in c.execute("SELECT version_info_id, schema_version, library_version FROM version_info"):
        lines.append("-- version_info %r" % (row,))
    for row in c.execute("SELECT version_num FROM alembic_version"):
        lines.append("-- alembic_version %r" % (row,))
    c.close()
with open(sys.argv[1], "w") as f:
    f.write("\n".join(lines) + "\n")
