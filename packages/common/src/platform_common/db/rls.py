"""Row-level security in migrations: one helper per step, so no migration writes policy SQL.

Policies read the tenant from the transaction-local setting ``app.tenant_id`` through
``app_current_tenant()``, which fails closed: unset (or '' after a commit) is NULL, and
``x = NULL`` admits no row. ``FORCE`` makes the policies bind the table's owner too, so
only a superuser or a ``BYPASSRLS`` role (never the runtime role: the start-up posture
check refuses them) reads across tenants.

    from platform_common.db import rls

    def upgrade() -> None:
        op.create_table("widget", ...)
        rls.enable_tenant_isolation("widget")          # tenant_id column
        rls.enable_tenant_isolation("tenant", key="id")

``create_lookup_function`` writes a pre-tenant lookup (see ``platform_common.db.lookups``),
``create_purge_function`` a retention purge (see ``platform_common.db.purge``) and
``create_purge_statement_function`` one that also writes (tombstones, watermarks);
``keep_globally_unique`` a value unique across tenants (kept outside the tenant's table);
``grant_runtime_access`` is what a service's Alembic environment runs after migrating (it
withholds UPDATE and DELETE from the tables the models declare append-only).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from alembic import op
from sqlalchemy import Connection, text

CURRENT_TENANT_FUNCTION = "app_current_tenant"
ISOLATION_POLICY = "tenant_isolation"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _name(identifier: str) -> str:
    if not _IDENTIFIER.fullmatch(identifier):
        raise ValueError(f"not a plain SQL identifier: {identifier!r}")
    return f'"{identifier}"'


def create_current_tenant_function() -> None:
    op.execute(
        f"""
        CREATE FUNCTION {CURRENT_TENANT_FUNCTION}() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$
        """
    )


def drop_current_tenant_function() -> None:
    op.execute(f"DROP FUNCTION {CURRENT_TENANT_FUNCTION}()")


def enable_tenant_isolation(table: str, *, key: str = "tenant_id") -> None:
    """Enable and force RLS on ``table``; rows are visible and writable only in their tenant.

    A service whose purge deletes whole tenants also hands the new table to that purge
    function in the same migration (``let_purge_write(<function>, table)``): the function
    refuses a table it has no policy on, so the purge fails rather than leave rows behind."""
    quoted = _name(table)
    op.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
    condition = f"{_name(key)} = {CURRENT_TENANT_FUNCTION}()"
    op.execute(f"CREATE POLICY {ISOLATION_POLICY} ON {quoted} USING ({condition}) WITH CHECK ({condition})")


def disable_tenant_isolation(table: str) -> None:
    quoted = _name(table)
    op.execute(f"DROP POLICY {ISOLATION_POLICY} ON {quoted}")
    op.execute(f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY")


def create_lookup_function(
    name: str, *, argument: str, table: str, column: str, returns: str, columns: str
) -> None:
    """A pre-tenant lookup: ``name(<argument>)`` returns ``columns`` of the ``table`` rows whose
    ``column`` equals the argument, and nothing else.

    It runs as the schema owner (``SECURITY DEFINER``, fixed ``search_path`` so nothing can
    shadow a table through a writable schema). ``FORCE`` binds the owner too, so a policy
    for the owner admits exactly the rows whose ``column`` equals a transaction-local setting
    that only the function sets, for the duration of its one query. The runtime role may
    execute the function (the migration environment grants it) and gains no policy.
    """
    argument_name, argument_type = argument.split()
    _name(argument_name)
    setting = f"app.definer_{name}"
    _definer_policy(name, table, column, setting)
    quoted = _name(name)
    # DDL from the migration's own constants; every identifier is checked by _name().
    op.execute(
        f"""
        CREATE FUNCTION {quoted}({argument_name} {argument_type}) RETURNS TABLE ({returns})
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        BEGIN
            PERFORM set_config('{setting}', {argument_name}, true);
            RETURN QUERY SELECT {columns} FROM {_name(table)} AS t WHERE t.{_name(column)} = {argument_name};
            PERFORM set_config('{setting}', '', true);
        END
        $$
        """  # noqa: S608
    )
    op.execute(f"REVOKE ALL ON FUNCTION {quoted}({argument_type}) FROM PUBLIC")


def drop_lookup_function(name: str, *, argument_type: str, table: str) -> None:
    op.execute(f"DROP FUNCTION {_name(name)}({argument_type})")
    op.execute(f"DROP POLICY {_name('definer_' + name)} ON {_name(table)}")


def _definer_policy(name: str, table: str, column: str, setting: str) -> None:
    condition = f"{_name(column)} = NULLIF(current_setting('{setting}', true), '')"
    _owner_policy(
        f"CREATE POLICY {_name('definer_' + name)} ON {_name(table)} FOR SELECT TO %I USING ({condition})"
    )


def _owner_policy(statement: str) -> None:
    """Run ``CREATE POLICY ... TO %I ...`` for the role running the migration: the owner."""
    op.execute(
        f"DO $$ BEGIN EXECUTE format('{statement.replace(chr(39), chr(39) * 2)}', current_user); END $$"
    )


def create_purge_function(
    name: str, *, table: str, expired: str, reads: tuple[str, ...] = (), retention: bool = False
) -> None:
    """A retention purge: ``name(p_batch integer[, p_retention interval]) RETURNS integer``
    deletes at most ``p_batch`` rows of ``table`` (every tenant's) for which ``expired`` holds,
    and returns how many it deleted. ``expired`` is SQL over the row ``t`` written by the
    migration (never a caller's value); with ``retention`` it may use ``p_retention``, the
    configured age, which the function never lets fall below one day.

    Why a ``SECURITY DEFINER`` function run by the runtime role, and not the owner's login:
    the purge crosses tenants, which the runtime role must never do, and the owner's
    credentials live only in the migration job. The function is the one cross-tenant act
    the runtime role gains, and it can only remove rows already past their retention (the
    condition is fixed here). ``FORCE`` binds the owner too, so a policy of the owner admits
    every row of ``table`` (and of the tables ``reads`` names, which ``expired`` consults)
    only while the function's transaction-local setting is on, and lets it write nothing.

    One batch per call, found by ``ctid`` (a TID scan, no sort, no long lock): the caller
    commits between batches (``platform_common.db.purge``).
    """
    target = _name(table)
    create_purge_statement_function(
        name,
        # DDL from the migration's own constants; every identifier is checked by _name().
        statement=f"""
            DELETE FROM {target} WHERE ctid = ANY (ARRAY(
                SELECT t.ctid FROM {target} AS t WHERE {expired} LIMIT p_batch
            ));
            GET DIAGNOSTICS deleted = ROW_COUNT""",  # noqa: S608
        reads=(table, *reads),
        retention=retention,
    )


def create_purge_statement_function(
    name: str,
    *,
    statement: str,
    reads: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
    retention: bool = False,
) -> None:
    """A retention purge that does more than delete rows of one table, in one statement the
    migration writes: e.g. it leaves a tombstone for each row it deletes, or raises a
    watermark. The function is ``create_purge_function``'s (same arguments, same floor on
    the retention, same reasons); ``statement`` uses ``p_batch`` (and ``p_retention``) and
    stores how many rows it deleted in ``deleted`` (``... SELECT count(*) INTO deleted FROM
    gone``). The owner's policies admit every row of ``reads`` (read or delete) and of
    ``writes`` (also insert or update) only while the function runs.
    """
    setting = _definer_setting(name)
    _definer_policies(name, reads, writes)
    quoted = _name(name)
    arguments = "p_batch integer, p_retention interval" if retention else "p_batch integer"
    floor = "p_retention := GREATEST(p_retention, interval '1 day');" if retention else ""
    op.execute(
        f"""
        CREATE FUNCTION {quoted}({arguments}) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE
            deleted integer;
        BEGIN
            {floor}
            PERFORM set_config('{setting}', 'on', true);
            {statement};
            PERFORM set_config('{setting}', '', true);
            RETURN deleted;
        END
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {quoted}({_argument_types(retention)}) FROM PUBLIC")


def _definer_setting(name: str) -> str:
    """The transaction-local setting that is on while the definer function ``name`` runs."""
    return f"app.definer_{name}"


def _definer_policies(name: str, reads: Collection[str], writes: Collection[str]) -> None:
    """The owner's policies for the definer function ``name``: ``reads`` while it runs,
    ``writes`` for writing too."""
    for table in reads:
        _purge_policy(name, table, writes=False)
    for table in writes:
        _purge_policy(name, table, writes=True)


def _purge_policy(name: str, table: str, *, writes: bool) -> None:
    """The owner's policy on ``table`` for the definer function ``name``: every row, while it
    runs; with ``writes``, rows it inserts or updates too (else none)."""
    running = f"current_setting('{_definer_setting(name)}', true) = 'on'"
    _owner_policy(
        f"CREATE POLICY {_name('definer_' + name)} ON {_name(table)} TO %I "
        f"USING ({running}) WITH CHECK ({running if writes else 'false'})"
    )


def let_purge_write(name: str, table: str) -> None:
    """Let the existing purge ``name`` write ``table`` too, while it runs (the policy
    ``create_purge_statement_function`` gives the tables it ``writes``): for a write that a
    trigger of a table it purges makes on its behalf, such as a count kept elsewhere."""
    _purge_policy(name, table, writes=True)


def drop_purge_write(name: str, table: str) -> None:
    """Undo ``let_purge_write``."""
    op.execute(f"DROP POLICY {_name('definer_' + name)} ON {_name(table)}")


def drop_purge_function(
    name: str, *, table: str, reads: tuple[str, ...] = (), retention: bool = False
) -> None:
    """Undo ``create_purge_function`` or ``create_purge_statement_function`` (``table`` and
    ``reads`` together name every table it had a policy on)."""
    op.execute(f"DROP FUNCTION {_name(name)}({_argument_types(retention)})")
    for each in (table, *reads):
        op.execute(f"DROP POLICY {_name('definer_' + name)} ON {_name(each)}")


def create_definer_function(
    name: str,
    *,
    arguments: str,
    returns: str,
    body: str,
    reads: Collection[str] = (),
    writes: Collection[str] = (),
    result: str | None = None,
) -> None:
    """A narrow ``SECURITY DEFINER`` function with a body of its own (PL/pgSQL statements),
    for what a flow must read or write beyond one tenant and no single-column lookup serves:
    the person behind a membership, say, keyed by a membership of the caller's own tenant.

    While it runs (its transaction-local setting on), policies of the owner admit every row
    of ``reads`` and ``writes``, and let it write ``writes``: the body itself must narrow
    every statement to the rows its arguments name. ``returns`` is a return type
    (``TABLE (...)`` for rows, filled with ``RETURN QUERY``; ``void``; ``trigger``, with
    ``result`` the expression returned, ``NEW`` say); the body must not ``RETURN`` early, so
    the setting is always switched off again.
    """
    setting = _definer_setting(name)
    _definer_policies(name, reads, writes)
    quoted = _name(name)
    # DDL from the migration's own constants; the name is checked by _name().
    op.execute(
        f"""
        CREATE FUNCTION {quoted}({arguments}) RETURNS {returns}
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        BEGIN
            PERFORM set_config('{setting}', 'on', true);
            {body}
            PERFORM set_config('{setting}', '', true);
            {f"RETURN {result};" if result else ""}
        END
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {quoted}({_types_of(arguments)}) FROM PUBLIC")


def drop_definer_function(name: str, *, arguments: str, tables: Collection[str]) -> None:
    """Undo ``create_definer_function`` (``tables``: its ``reads`` and ``writes``)."""
    op.execute(f"DROP FUNCTION {_name(name)}({_types_of(arguments)})")
    for table in tables:
        op.execute(f"DROP POLICY {_name('definer_' + name)} ON {_name(table)}")


def _types_of(arguments: str) -> str:
    """``p_a uuid, p_b text`` -> ``uuid, text``."""
    return ", ".join(argument.split()[1] for argument in arguments.split(",") if argument.strip())


def keep_globally_unique(registry: str, *, source: str, column: str, copy_existing: bool = True) -> None:
    """Keep ``registry`` (a global table whose primary key is ``column`` alone, created by the
    migration) holding every value of ``source.column``, so the value is unique across
    tenants while ``source``'s own keys all include its tenant (what a table distributed by
    tenant can enforce).

    A ``BEFORE`` row trigger on ``source`` writes the registry in the same statement, so a
    taken value fails the insert (or update) with the registry's key's name, whatever code
    wrote the row, the previous release's included. It runs as the schema owner
    (``SECURITY DEFINER``): the registry is under forced row-level security with no policy
    for the runtime role, which therefore can neither read the values of every tenant nor
    write one itself; a policy of the owner admits the trigger's own statements while its
    transaction-local setting is on. The existing values are copied now (``FORCE`` on
    ``source`` is lifted for this transaction only, as the owner must read every tenant's),
    unless ``copy_existing`` is off: the registry already holds them and only its keeper
    moves to another table (the registry's row-level security and policy stay as they are).
    """
    function, target, key = _name(f"keep_{registry}"), _name(registry), _name(column)
    setting = f"app.definer_keep_{registry}"
    if copy_existing:
        op.execute(f"ALTER TABLE {_name(source)} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"INSERT INTO {target} ({key}) SELECT {key} FROM {_name(source)}")  # noqa: S608
        op.execute(f"ALTER TABLE {_name(source)} FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {target} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {target} FORCE ROW LEVEL SECURITY")
        _owner_policy(
            f"CREATE POLICY {_name('definer_keep_' + registry)} ON {target} TO %I "
            f"USING (current_setting('{setting}', true) = 'on') "
            f"WITH CHECK (current_setting('{setting}', true) = 'on')"
        )
    # DDL from the migration's own constants; every identifier is checked by _name().
    op.execute(
        f"""
        CREATE FUNCTION {function}() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.{key} = NEW.{key} THEN
                RETURN NEW;
            END IF;
            PERFORM set_config('{setting}', 'on', true);
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM {target} WHERE {key} = OLD.{key};
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO {target} ({key}) VALUES (NEW.{key});
            END IF;
            PERFORM set_config('{setting}', '', true);
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END
        $$
        """  # noqa: S608
    )
    op.execute(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF {key} OR DELETE ON {_name(source)} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()"
    )


def stop_keeping_globally_unique(registry: str, *, source: str, keep_policy: bool = False) -> None:
    """Undo ``keep_globally_unique`` but the registry table itself (the migration drops it);
    with ``keep_policy``, only the trigger and its function (the keeper moves elsewhere)."""
    function = _name(f"keep_{registry}")
    op.execute(f"DROP TRIGGER {function} ON {_name(source)}")
    op.execute(f"DROP FUNCTION {function}()")
    if not keep_policy:
        op.execute(f"DROP POLICY {_name('definer_keep_' + registry)} ON {_name(registry)}")


def _argument_types(retention: bool) -> str:
    return "integer, interval" if retention else "integer"


def grant_runtime_access(connection: Connection, role: str, *, append_only: Collection[str] = ()) -> None:
    """Give the runtime role data access (and nothing else) on every table of the schema, and
    the right to execute its functions: the pre-tenant lookups (``SECURITY DEFINER``, revoked
    from PUBLIC) and ``app_current_tenant()``. Never the migration history.

    ``append_only`` names tables whose rows the role may insert and read but never change
    (``platform_common.db.tables.append_only_tables`` of the service's models): UPDATE and
    DELETE are withheld from them at every grant, so a later migration's blanket grant
    cannot give them back. Names of tables not (or no longer) in the schema are skipped (a
    downgrade below the revision that made one)."""
    preparer = connection.dialect.identifier_preparer
    quoted = preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {quoted}",
        f"REVOKE ALL ON alembic_version FROM {quoted}",
    ):
        connection.execute(text(statement))
    present = set(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(:names)"),
            {"names": list(append_only)},
        ).scalars()
    )
    for table in sorted(present):
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {preparer.quote(table)} FROM {quoted}"))
