"""Read one row, and the rows its foreign keys lead to, in one statement built once per process.

``Chain(Motion, "item", "meeting").get(pk)`` returns the same objects as
``Motion.objects.select_related("item__meeting").get(pk=pk)``: every concrete field, converted
as the ORM converts it on either database, the parents in the fields' caches. The ORM compiles
that query again on every call; on the voting page, which every member's phone polls while a
vote is open, compiling it took a quarter of the request's CPU. The statement and the
converters here are worked out once, on the first call, for each database alias.

Only non-null foreign keys are followed (an inner join), only models whose fields live in one
table (no multi-table inheritance), and the chain reads whole rows: no deferred fields, no
annotations. Anything more belongs to a queryset.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import ForeignKey, Model


@dataclass(frozen=True)
class _Table:
    model: type[Model]
    attnames: tuple[str, ...]
    start: int
    # (column index, converters, column expression) for the columns the database returns in
    # another type than the field's Python value (dates on SQLite, for example).
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]
    link: ForeignKey | None  # the foreign key of the previous table that leads here


@dataclass(frozen=True)
class _Compiled:
    sql: str
    tables: tuple[_Table, ...]
    pk_range: tuple[int | None, int | None]


class Chain:
    def __init__(self, model: type[Model], *path: str):
        self.model = model
        self.links: list[ForeignKey] = []
        current = model
        for name in path:
            field = current._meta.get_field(name)
            if not isinstance(field, ForeignKey) or field.null:
                raise ValueError(f"{current.__name__}.{name} is not a non-null foreign key")
            self.links.append(field)
            current = field.related_model
        for each in [model, *(link.related_model for link in self.links)]:
            if each._meta.parents:  # its fields live in more than one table
                raise ValueError(f"{each.__name__} inherits from a concrete model")
        self._compiled: dict[str, _Compiled] = {}

    def get(self, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> Model:
        """The row with primary key ``pk``, its parents attached; DoesNotExist if none."""
        connection = connections[using]
        compiled = self._compiled.get(using) or self._compile(using)
        low, high = compiled.pk_range
        row = None
        # An id beyond the column's range matches nothing (the ORM does not ask either);
        # SQLite would refuse to bind it.
        if (low is None or pk >= low) and (high is None or pk <= high):
            with connection.cursor() as cursor:
                cursor.execute(compiled.sql, [pk])
                row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} {pk} does not exist")
        row = list(row)
        child = first = None
        for table in compiled.tables:
            for index, converters, expression in table.converters:
                for converter in converters:
                    row[index] = converter(row[index], expression, connection)
            values = row[table.start : table.start + len(table.attnames)]
            instance = table.model.from_db(using, table.attnames, values)
            if child is None:
                first = instance
            else:
                table.link.set_cached_value(child, instance)
            child = instance
        return first

    def _compile(self, using: str) -> "_Compiled":
        connection = connections[using]
        qn = connection.ops.quote_name
        models = [self.model] + [link.related_model for link in self.links]
        columns, joins, tables = [], [], []
        for n, model in enumerate(models):
            alias = f"T{n}"
            fields = model._meta.concrete_fields
            converters = []
            for field in fields:
                col = field.get_col(alias)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((len(columns), tuple(found), col))
                columns.append(f"{alias}.{qn(field.column)}")
            link = self.links[n - 1] if n else None
            if link is None:
                joins.append(f"{qn(model._meta.db_table)} T0")
            else:
                joins.append(
                    f"INNER JOIN {qn(model._meta.db_table)} {alias} ON "
                    f"{alias}.{qn(link.target_field.column)} = T{n - 1}.{qn(link.column)}"
                )
            start = len(columns) - len(fields)
            tables.append(
                _Table(model, tuple(f.attname for f in fields), start, tuple(converters), link)
            )
        sql = "SELECT {} FROM {} WHERE T0.{} = %s".format(
            ", ".join(columns), " ".join(joins), qn(self.model._meta.pk.column)
        )
        pk = self.model._meta.pk
        pk_range = (None, None)
        if pk.get_internal_type() in connection.ops.integer_field_ranges:
            pk_range = connection.ops.integer_field_range(pk.get_internal_type())
        self._compiled[using] = compiled = _Compiled(sql, tuple(tables), pk_range)
        return compiled
