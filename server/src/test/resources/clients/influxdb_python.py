"""Debian's python3-influxdb (5.3.1), unchanged, against a running Sluice: PythonInfluxIT runs it.

Arguments: HTTP port, UDP line protocol port, the first whole minute to write at (epoch ms).
Prints one JSON object per step on stdout; anything the client raises ends the script non-zero.
"""
import json
import sys

from influxdb import InfluxDBClient

http_port, udp_port, minute = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


def say(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


client = InfluxDBClient(host="127.0.0.1", port=http_port, database="pyit", timeout=30)
say("ping", client.ping())
client.create_database("pyit")
say("databases", client.get_list_database())

# Two hosts, one point a second for two minutes; the client sends them 50 a request.
points = [{"measurement": "py_cpu", "tags": {"host": "a" if i % 2 == 0 else "b"},
           "time": minute + (i // 2) * 1000, "fields": {"load": float(i // 2), "procs": 100 + i % 2}}
          for i in range(240)]
say("written", client.write_points(points, time_precision="ms", tags={"source": "python"}, batch_size=50))

result = client.query('SELECT mean("load"), max("procs") FROM "py_cpu" WHERE time >= %dms AND time < %dms '
                      'GROUP BY time(1m), "host" fill(none)' % (minute, minute + 120000), epoch="ms")
say("host_a", list(result.get_points(tags={"host": "a"})))
say("host_b", list(result.get_points(tags={"host": "b"})))
say("raw", list(client.query('SELECT * FROM "py_cpu" WHERE time >= %dms ORDER BY time DESC LIMIT 2' % minute,
                             epoch="ms").get_points()))

# UDP: the same client, fire and forget.
udp = InfluxDBClient(host="127.0.0.1", use_udp=True, udp_port=udp_port)
udp.write_points([{"measurement": "py_udp", "tags": {"host": "a"}, "fields": {"value": 7.5}}])
say("udp", "sent")
