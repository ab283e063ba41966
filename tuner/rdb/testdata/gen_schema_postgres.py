"""Writes optuna-3.1.0-schema-postgres.txt: the catalog (schema-postgres.sql)
of what Debian's python3-optuna 3.1.0 creates in an empty PostgreSQL database.

    source .ci/postgres.sh && pg_start
    /usr/bin/python3 tuner/rdb/testdata/gen_schema_postgres.py "$GRADTUNE_PG_URL" \
        tuner/rdb/testdata/optuna-3.1.0-schema-postgres.txt
    pg_stop

The URL names a server and a database the role may CREATE DATABASE in; the
script creates a scratch database, lets Optuna create its tables there
(through psycopg2), writes the catalog and drops the database.
tuner/rdb's TestPostgresSchemaMatchesOptuna compares what rdb.OpenPostgres
creates with this file.
"""
import os
import sys
import urllib.parse

import optuna
import psycopg2

assert optuna.__version__ == "3.1.0", optuna.__version__
optuna.logging.set_verbosity(optuna.logging.WARNING)
base, out = sys.argv[1], sys.argv[2]
u = urllib.parse.urlsplit(base)
scratch = "optuna_schema_%d" % os.getpid()
admin = psycopg2.connect(base)
admin.autocommit = True
admin.cursor().execute("CREATE DATABASE " + scratch)
try:
    url = urllib.parse.urlunsplit(("postgresql+psycopg2", u.netloc, "/" + scratch, u.query, ""))
    storage = optuna.storages.RDBStorage(url)  # creates the tables, no study
    storage.engine.dispose()
    query = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema-postgres.sql")).read()
    c = psycopg2.connect(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + scratch, u.query, "")))
    cur = c.cursor()
    cur.execute(query)
    lines = ["-- optuna " + optuna.__version__ + " on PostgreSQL: schema-postgres.sql of an empty RDBStorage"]
    lines += [row[0] for row in cur.fetchall()]
    c.close()
finally:
    admin.cursor().execute("DROP DATABASE " + scratch + " WITH (FORCE)")
    admin.close()
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
