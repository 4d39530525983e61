"""Writes a Parquet file with pyarrow from a table given as JSON on stdin.

The JSON: {"path", "rowGroupSize", "compression", "columns": [{"name", "type", "values"}]},
where "type" is an Arrow type as the tests name it ("int64", "decimal128(18, 2)",
"timestamp[us, UTC]", "list<string>", "struct<x: double, label: string>", "uuid", ...;
"not null" at the end for a required column) and the values are JSON: 64-bit
integers, decimals and instants (counts of the unit) as text, bytes in base64,
dates as "YYYY-MM-DD". Prints what it wrote: its row groups and rows.
"""

import base64
import datetime
import decimal
import json
import re
import sys
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

SIMPLE = {
    "bool": pa.bool_(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "string": pa.string(),
    "binary": pa.binary(),
    "date32": pa.date32(),
}


def arrow_type(name):
    """The Arrow type a test names."""
    name = name.strip()
    if name in SIMPLE:
        return SIMPLE[name]
    if name == "uuid":
        return pa.uuid()
    match = re.fullmatch(r"decimal128\((\d+), *(\d+)\)", name)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    match = re.fullmatch(r"timestamp\[(ms|us|ns)(?:, *(\S+))?\]", name)
    if match:
        return pa.timestamp(match.group(1), tz=match.group(2))
    match = re.fullmatch(r"list<(.+)>", name)
    if match:
        return pa.list_(arrow_type(match.group(1)))
    match = re.fullmatch(r"struct<(.+)>", name)
    if match:
        fields = [part.split(":", 1) for part in match.group(1).split(",")]
        return pa.struct([pa.field(field.strip(), arrow_type(kind)) for field, kind in fields])
    raise ValueError(f"unknown Arrow type {name!r}")


def python_value(value, kind):
    """A JSON value as pyarrow takes it for `kind`."""
    if value is None:
        return None
    if pa.types.is_int64(kind):
        return int(value)
    if pa.types.is_decimal(kind):
        return decimal.Decimal(value)
    if pa.types.is_binary(kind):
        return base64.b64decode(value)
    if pa.types.is_date32(kind):
        return datetime.date.fromisoformat(value)
    if pa.types.is_timestamp(kind):
        return int(value)
    if isinstance(kind, pa.BaseExtensionType) and kind.extension_name == "arrow.uuid":
        return uuid.UUID(value).bytes
    if pa.types.is_list(kind):
        return [python_value(item, kind.value_type) for item in value]
    if pa.types.is_struct(kind):
        return {kind.field(index).name: python_value(value[kind.field(index).name], kind.field(index).type) for index in range(kind.num_fields)}
    return value


def column_array(column):
    """A column as an Arrow array of its type, and its field."""
    name = column["type"]
    required = name.endswith(" not null")
    kind = arrow_type(name[: -len(" not null")] if required else name)
    values = [python_value(value, kind) for value in column["values"]]
    if isinstance(kind, pa.BaseExtensionType):
        array = pa.ExtensionArray.from_storage(kind, pa.array(values, type=kind.storage_type))
    else:
        array = pa.array(values, type=kind)
    return array, pa.field(column["name"], kind, nullable=not required)


def main():
    spec = json.load(sys.stdin)
    arrays, fields = zip(*(column_array(column) for column in spec["columns"]))
    table = pa.Table.from_arrays(list(arrays), schema=pa.schema(list(fields)))
    pq.write_table(
        table,
        spec["path"],
        compression=spec.get("compression", "snappy"),
        row_group_size=spec["rowGroupSize"],
        # Small pages, so that a row group holds many.
        data_page_size=spec.get("dataPageSize", 4096),
    )
    metadata = pq.ParquetFile(spec["path"]).metadata
    json.dump({"rowGroups": metadata.num_row_groups, "rows": metadata.num_rows, "createdBy": metadata.created_by}, sys.stdout)


if __name__ == "__main__":
    main()
