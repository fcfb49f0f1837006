"""The cluster `make test-citus` starts: a coordinator and two workers that route one
project's queries to one shard and move a big project to a shard of its own while it
is served (docs/distribution.md)."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SCRATCH = """
    CREATE TABLE zz_rows (project_id bigint NOT NULL, id bigserial, v text,
                          PRIMARY KEY (project_id, id));
    CREATE TABLE zz_child (project_id bigint NOT NULL, id bigserial, row_id bigint NOT NULL,
                           PRIMARY KEY (project_id, id),
                           FOREIGN KEY (project_id, row_id) REFERENCES zz_rows (project_id, id));
    SELECT create_distributed_table('zz_rows', 'project_id', colocate_with => 'none');
    SELECT create_distributed_table('zz_child', 'project_id', colocate_with => 'zz_rows');
    INSERT INTO zz_rows (project_id, v) SELECT g % 10, 'x' FROM generate_series(1, 1000) g;
    INSERT INTO zz_child (project_id, row_id) SELECT project_id, id FROM zz_rows;
"""


@pytest.fixture
def scratch(citus_cursor):
    citus_cursor.execute("DROP TABLE IF EXISTS zz_child, zz_rows")
    citus_cursor.execute(SCRATCH)
    yield citus_cursor
    citus_cursor.execute("DROP TABLE IF EXISTS zz_child, zz_rows")


def _task_count(cursor, sql: str) -> int:
    cursor.execute("EXPLAIN " + sql)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    return int(re.search(r"Task Count: (\d+)", plan).group(1))


def test_the_coordinator_knows_two_active_workers(citus_cursor):
    citus_cursor.execute("SELECT nodeport FROM pg_dist_node WHERE isactive AND groupid <> 0 "
                         "ORDER BY nodeport")
    assert len(citus_cursor.fetchall()) == 2


def test_one_projects_join_runs_on_one_shard_and_the_whole_table_on_every_shard(scratch):
    one = ("SELECT count(*) FROM zz_rows r JOIN zz_child c ON c.project_id = r.project_id "
           "AND c.row_id = r.id WHERE r.project_id = 7")
    assert _task_count(scratch, one) == 1
    scratch.execute("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'zz_rows'::regclass")
    (shards,) = scratch.fetchone()
    assert shards > 1
    assert _task_count(scratch, "SELECT count(*) FROM zz_rows") == shards


def test_a_big_project_is_isolated_and_moved_while_its_rows_stay_readable(scratch):
    scratch.execute("SELECT isolate_tenant_to_new_shard('zz_rows', 7, 'CASCADE', "
                    "shard_transfer_mode => 'block_writes')")
    (shard,) = scratch.fetchone()
    scratch.execute("SELECT count(*) FROM zz_rows WHERE project_id = 7")
    assert scratch.fetchone() == (100,)
    scratch.execute("SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = %s", [shard])
    (port,) = scratch.fetchone()
    scratch.execute("SELECT nodeport FROM pg_dist_node WHERE groupid <> 0 AND nodeport <> %s",
                    [port])
    (other,) = scratch.fetchone()
    scratch.execute("SELECT citus_move_shard_placement(%s, '127.0.0.1', %s, '127.0.0.1', %s, "
                    "shard_transfer_mode => 'block_writes')", [shard, port, other])
    scratch.execute("SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = %s", [shard])
    assert scratch.fetchone() == (other,)
    scratch.execute("SELECT count(*) FROM zz_rows r JOIN zz_child c ON c.project_id = r.project_id "
                    "AND c.row_id = r.id WHERE r.project_id = 7")
    assert scratch.fetchone() == (100,)
    assert _task_count(scratch, "SELECT v FROM zz_rows WHERE project_id = 7") == 1
