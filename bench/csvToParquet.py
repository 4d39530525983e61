"""Writes the benchmark's readings CSV as Parquet, as a tenant's export would be.

Usage: csvToParquet.py <csv> <parquet>. The zoo table's own column types (dev_id
a string, day a DATE, ts a TIMESTAMP in milliseconds (UTC), battery an INT32,
the measures DOUBLE), pyarrow's default writer settings (snappy pages,
dictionary encoding, row groups of 1Mi rows). Prints the row groups and bytes.
"""

import json
import sys

import pyarrow as pa
import pyarrow.csv as csv
import pyarrow.parquet as pq

TYPES = {
    "dev_id": pa.string(),
    "day": pa.date32(),
    "ts": pa.timestamp("ms", tz="UTC"),
    "temperature": pa.float64(),
    "humidity": pa.float64(),
    "pressure": pa.float64(),
    "battery": pa.int32(),
    "acceleration": pa.float64(),
    "acceleration_x": pa.float64(),
    "acceleration_y": pa.float64(),
    "acceleration_z": pa.float64(),
}

source, target = sys.argv[1], sys.argv[2]
table = csv.read_csv(source, convert_options=csv.ConvertOptions(column_types=TYPES, timestamp_parsers=["%Y-%m-%dT%H:%M:%S%z", csv.ISO8601]))
pq.write_table(table, target)
metadata = pq.ParquetFile(target).metadata
print(json.dumps({"rows": metadata.num_rows, "rowGroups": metadata.num_row_groups}))
