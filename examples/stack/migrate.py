"""One-shot migration: creates the jobs table in a SQLite database, then exits."""
import os
import sqlite3
import time

data_dir = os.environ.get("DATA_DIR", ".drover/data")
os.makedirs(data_dir, exist_ok=True)
path = os.path.join(data_dir, "stack.db")
print(f"migrating {path}", flush=True)
time.sleep(0.5)  # pretend this takes a moment
with sqlite3.connect(path) as db:
    db.execute("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, created REAL, source TEXT)")
print("migration done", flush=True)
