#!/bin/bash
# Starts one node. The harness renders the whole configuration (NODE_CONFIG, a properties file's
# text) so this script only writes it and execs the JVM: the JVM is PID 1 and gets SIGTERM / SIGKILL
# from `docker stop` / `docker kill` directly. The ssh kind's install mode runs the same script from
# its own folder: KH_HOME (the distribution, default /opt/kafka) and KH_DATA (default /data).
set -euo pipefail
KH_HOME="${KH_HOME:-/opt/kafka}"
KH_DATA="${KH_DATA:-/data}"
: "${ROLE:?ROLE must be zookeeper, broker or controller}"
: "${NODE_CONFIG:?NODE_CONFIG must hold the node configuration}"
mkdir -p "$KH_HOME/run" "$KH_DATA"
printf '%s\n' "$NODE_CONFIG" > "$KH_HOME/run/node.properties"
CP="$KH_HOME/libs/*"
# Kafka 4.x logs through log4j2 (log4j-core in the jars), 3.x through reload4j (log4j 1).
if compgen -G "$KH_HOME/libs/log4j-core-*.jar" > /dev/null; then
  LOG_OPTS=(-Dlog4j2.configurationFile=$KH_HOME/config/log4j2.properties)
else
  LOG_OPTS=(-Dlog4j.configuration=file:$KH_HOME/config/log4j.properties)
fi
# The role's class-data sharing archive, made at image build by cds-train.sh (absent: none mapped).
# Before JVM_OPTS, so -Xshare:off there turns it off.
cds() { [[ -s "$KH_HOME/cds/$1.jsa" ]] && echo "-XX:SharedArchiveFile=$KH_HOME/cds/$1.jsa" || true; }
# JVM_OPTS (heap, GC) comes from the cluster spec; the defaults suit a small machine.
JAVA_OPTS=($(cds "$ROLE") ${JVM_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC} -Djava.awt.headless=true "${LOG_OPTS[@]}")
# Clock faults (KH_FAKE_CLOCK=1, set when a run's faults may move a clock): the node's JVM, and only
# it, runs under libfaketime, its offset read from a control file the nemesis rewrites ("+0": the
# host's clock; "+3600.000": an hour ahead). Kept across restarts, as a wrong clock would be. Read
# again at most every second (FAKETIME_CACHE_DURATION=1: measured ~0.6 us a currentTimeMillis call
# against ~0.1-0.15 us without libfaketime; with no cache it re-reads the file on every call, ~110 us).
# The monotonic clock stays the host's (an NTP-like step of the wall clock: nanoTime, Thread.sleep
# and Object.wait keep their pace across a step, measured). FAKETIME_FORCE_MONOTONIC_FIX=0: with
# 0.9.10's default pthread_cond_timedwait wrapper a JVM started 5-10 times slower (a Kafka tool's
# start: 5-16 s against 0.4-2.9 s bare, 0.5-1.9 s with the fix off, alternated under load).
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
FAKETIME=()
if [[ "${KH_FAKE_CLOCK:-}" == 1 ]]; then
  if [[ -r "$FAKETIME_LIB" ]]; then
    [[ -s "$KH_HOME/run/faketime" ]] || echo "+0" > "$KH_HOME/run/faketime"
    FAKETIME=(env "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME_TIMESTAMP_FILE=$KH_HOME/run/faketime" FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0)
  else
    echo "entrypoint: KH_FAKE_CLOCK=1 but $FAKETIME_LIB is missing: this node's clock cannot be faked" >&2
  fi
fi
case "$ROLE" in
  zookeeper)
    : "${ZK_MYID:?ZK_MYID must be set for ROLE=zookeeper}"
    mkdir -p "$KH_DATA/zookeeper"
    echo "$ZK_MYID" > "$KH_DATA/zookeeper/myid"
    exec "${FAKETIME[@]}" java "${JAVA_OPTS[@]}" -Dzookeeper.4lw.commands.whitelist='*' -cp "$CP" \
      org.apache.zookeeper.server.quorum.QuorumPeerMain "$KH_HOME/run/node.properties"
    ;;
  broker | controller)
    # FAULTFS=1 (runs whose faults include disk-full or log-dir-failure; the container has /dev/fuse
    # and CAP_SYS_ADMIN): log.dirs ($KH_DATA/kafka) is the fault-injecting filesystem (faultfs.py)
    # over $KH_DATA/kafka-store, whose state the nemesis sets in $KH_DATA/faultfs. Mounted before
    # anything reads the log directory; the JVM inherits it as its child once exec'd.
    if [[ "${FAULTFS:-}" == 1 ]]; then
      python3 "$KH_HOME/faultfs.py" "$KH_DATA/kafka-store" "$KH_DATA/kafka" "$KH_DATA/faultfs" &
      for _ in $(seq 100); do grep -q " $KH_DATA/kafka fuse" /proc/mounts && break; sleep 0.05; done
      grep -q " $KH_DATA/kafka fuse" /proc/mounts || { echo "entrypoint: faultfs did not mount on $KH_DATA/kafka" >&2; exit 1; }
    fi
    # KRaft (KRAFT_CLUSTER_ID set): every node's storage is formatted with the one cluster id before
    # its first start, and only then; a restarted container (kill/stop undo) keeps its formatted
    # log.dirs, and formatting again would fail or, worse, forget the node's metadata. A short-lived
    # JVM: C1 only (no C2 compiles that would never pay off).
    if [[ -n "${KRAFT_CLUSTER_ID:-}" && ! -e "$KH_DATA/kafka/meta.properties" ]]; then
      java $(cds format) -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "${LOG_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
        --cluster-id "$KRAFT_CLUSTER_ID" --config "$KH_HOME/run/node.properties"
    fi
    exec "${FAKETIME[@]}" java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$KH_HOME/run/node.properties"
    ;;
  *)
    echo "entrypoint: unknown ROLE '$ROLE' (expected zookeeper, broker or controller)" >&2
    exit 2
    ;;
esac
