"""SQLAlchemy and the real database drivers, for test/engines.test.ts.

Reads a JSON request on stdin and writes a JSON answer on stdout:
- {"op": "parse", "urls": [...]}: each URL through sqlalchemy.engine.make_url, the way MLflow's
  SqlAlchemyStore and `mlflow db upgrade` read MLFLOW_BACKEND_STORE_URI; answers the parts
  (drivername, username, password, host, port, database, query) or the error.
- {"op": "login", "urls": [...]}: for each URL, create_engine(url).connect() through the driver
  the scheme names (pymysql, MySQLdb, psycopg2), then asks the server who and where the session
  is; answers {"user", "database"} or {"error"}.
- {"op": "admin", "engine": "mysql" | "postgresql", "socket": path, "databases": [...],
   "users": [[name, password], ...], "owned": [[database, user], ...]}: creates the databases and
  the users with those passwords, then databases of their own for some users, through the
  server's Unix socket as its superuser (parameters are bound by the driver).
- {"op": "tables", "urls": [...]}: the tables in each URL's database, sorted.
- {"op": "execute", "url": url, "statements": [...]}: runs the statements in one transaction.
"""
import json
import sys

import sqlalchemy
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def parse(url):
    try:
        u = make_url(url)
    except Exception as e:  # noqa: BLE001 - the error is the answer
        return {"error": f"{type(e).__name__}: {e}"}
    return {
        "drivername": u.drivername,
        "username": u.username,
        "password": u.password,
        "host": u.host,
        "port": u.port,
        "database": u.database,
        "query": dict(u.query),
    }


WHO = {
    "mysql": "SELECT USER(), DATABASE()",
    "postgresql": "SELECT session_user, current_database()",
}


def login(url):
    try:
        engine = sqlalchemy.create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                user, database = conn.execute(sqlalchemy.text(WHO[engine.dialect.name])).one()
        finally:
            engine.dispose()
    except Exception as e:  # noqa: BLE001 - the error is the answer
        return {"error": f"{type(e).__name__}: {e}"[:500]}
    if engine.dialect.name == "mysql":
        user = user.rsplit("@", 1)[0]  # USER() is 'name@client-host'
    return {"user": user, "database": database}


def admin(req):
    if req["engine"] == "mysql":
        import MySQLdb

        conn = MySQLdb.connect(unix_socket=req["socket"], user="root", passwd="", charset="utf8mb4")
        cur = conn.cursor()
        for db in req["databases"]:
            cur.execute("CREATE DATABASE `%s`" % db.replace("`", "``"))
        for name, password in req["users"]:
            cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (name, password))
            for db in req["databases"]:
                cur.execute("GRANT ALL ON `%s`.* TO %%s@'%%%%'" % db.replace("`", "``"), (name,))
        for db, name in req.get("owned", []):
            cur.execute("CREATE DATABASE `%s`" % db.replace("`", "``"))
            cur.execute("GRANT ALL ON `%s`.* TO %%s@'%%%%'" % db.replace("`", "``"), (name,))
        conn.commit()
        conn.close()
    else:
        import psycopg2
        from psycopg2 import sql

        conn = psycopg2.connect(host=req["socket"], port=req["port"], user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        for db in req["databases"]:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
        for name, password in req["users"]:
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))
        for db, name in req.get("owned", []):
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(db), sql.Identifier(name)))
        conn.close()
    return {"ok": True}


def tables(url):
    engine = sqlalchemy.create_engine(url, poolclass=NullPool)
    try:
        return sorted(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def execute(url, statements):
    engine = sqlalchemy.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sqlalchemy.text(statement))
    finally:
        engine.dispose()
    return {"ok": True}


def main():
    req = json.load(sys.stdin)
    if req["op"] == "parse":
        out = [parse(u) for u in req["urls"]]
    elif req["op"] == "login":
        out = [login(u) for u in req["urls"]]
    elif req["op"] == "tables":
        out = [tables(u) for u in req["urls"]]
    elif req["op"] == "execute":
        out = execute(req["url"], req["statements"])
    else:
        out = admin(req)
    json.dump(out, sys.stdout)


main()
