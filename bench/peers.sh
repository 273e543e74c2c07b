#!/usr/bin/env bash
# Starts (or stops) the two peers of `sluice-bench peers` on this machine, for a measurement by
# hand: InfluxDB 1.x from Debian's `influxdb` package and QuestDB from its jar on Maven Central.
# Nothing of them is committed; binaries and data live under DIR (default ./data/peers, which
# git ignores). CI never runs this script, and no test needs the peers.
#
#   bench/peers.sh start [DIR]   # installs if needed, starts both, prints the bench options
#   bench/peers.sh stop  [DIR]   # stops what `start` started (by the pids it wrote), data kept
#   bench/peers.sh wipe  [DIR]   # stop, then remove their data
#
# Ports (override with the environment): INFLUX_PORT (18910, its RPC port is +1) and
# QUESTDB_PORT (18920; its PostgreSQL wire, ILP/TCP and minimal HTTP ports are +1, +2, +3).
# Each answers a write as it does by default: InfluxDB after its WAL fsync (wal-fsync-delay 0),
# QuestDB once the rows are in its WAL, before any fsync (QuestDB's default commit mode).
set -euo pipefail

cmd=${1:-start}
dir=$(realpath -m "${2:-data/peers}")
influx_port=${INFLUX_PORT:-18910}
questdb_port=${QUESTDB_PORT:-18920}
questdb_version=${QUESTDB_VERSION:-9.3.4}

install() {
    if ! command -v influxd >/dev/null; then
        echo "installing influxdb (apt-get)" >&2
        apt-get install -y -q influxdb >"$dir/apt.log" 2>&1 || { cat "$dir/apt.log" >&2; exit 1; }
    fi
    # The Debian package enables a service on port 8086; only the instance started below is used.
    if [ ! -f "$dir/questdb-$questdb_version.jar" ]; then
        echo "fetching org.questdb:questdb:$questdb_version (Maven)" >&2
        mvn -B -ntp -q dependency:copy -Dartifact="org.questdb:questdb:$questdb_version" -DoutputDirectory="$dir" >&2
    fi
}

start_influx() {
    local d="$dir/influxdb"
    mkdir -p "$d"
    cat >"$d/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$((influx_port + 1))"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$influx_port"
  log-enabled = false
EOF
    influxd -config "$d/influxdb.conf" >"$d/influxd.log" 2>&1 &
    echo $! >"$d/pid"
}

start_questdb() {
    local d="$dir/questdb"
    mkdir -p "$d/conf"
    cat >"$d/conf/server.conf" <<EOF
http.bind.to=127.0.0.1:$questdb_port
pg.net.bind.to=127.0.0.1:$((questdb_port + 1))
line.tcp.net.bind.to=127.0.0.1:$((questdb_port + 2))
http.min.net.bind.to=127.0.0.1:$((questdb_port + 3))
line.udp.enabled=false
telemetry.enabled=false
EOF
    java -Xmx2g -p "$dir/questdb-$questdb_version.jar" -m io.questdb/io.questdb.ServerMain -d "$d" >"$d/questdb.log" 2>&1 &
    echo $! >"$d/pid"
}

wait_http() {
    local url=$1
    for _ in $(seq 1 120); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "no answer from $url" >&2
    return 1
}

stop_one() {
    local f="$dir/$1/pid"
    if [ -f "$f" ]; then
        local pid
        pid=$(cat "$f")
        if kill "$pid" 2>/dev/null; then
            for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        fi
        rm -f "$f"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    install
    start_influx
    start_questdb
    wait_http "http://127.0.0.1:$influx_port/ping"
    wait_http "http://127.0.0.1:$questdb_port/exec?query=SELECT%201"
    echo "--influx http://127.0.0.1:$influx_port --questdb http://127.0.0.1:$questdb_port"
    ;;
stop)
    stop_one influxdb
    stop_one questdb
    ;;
wipe)
    stop_one influxdb
    stop_one questdb
    rm -rf "$dir/influxdb" "$dir/questdb"
    ;;
*)
    echo "usage: $0 start|stop|wipe [DIR]" >&2
    exit 2
    ;;
esac
