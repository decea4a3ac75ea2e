#!/bin/bash
# Starts one node. The harness renders the whole configuration (NODE_CONFIG, a properties file's
# text) so this script only writes it and execs the JVM: the JVM is PID 1 and gets SIGTERM / SIGKILL
# from `docker stop` / `docker kill` directly.
set -euo pipefail
: "${ROLE:?ROLE must be zookeeper or broker}"
: "${NODE_CONFIG:?NODE_CONFIG must hold the node configuration}"
mkdir -p /opt/kafka/run /data
printf '%s\n' "$NODE_CONFIG" > /opt/kafka/run/node.properties
CP="/opt/kafka/libs/*"
# JVM_OPTS (heap, GC) comes from the cluster spec; the defaults suit a small machine.
JAVA_OPTS=(${JVM_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC} -Djava.awt.headless=true
  -Dlog4j.configuration=file:/opt/kafka/config/log4j.properties)
case "$ROLE" in
  zookeeper)
    : "${ZK_MYID:?ZK_MYID must be set for ROLE=zookeeper}"
    mkdir -p /data/zookeeper
    echo "$ZK_MYID" > /data/zookeeper/myid
    exec java "${JAVA_OPTS[@]}" -Dzookeeper.4lw.commands.whitelist='*' -cp "$CP" \
      org.apache.zookeeper.server.quorum.QuorumPeerMain /opt/kafka/run/node.properties
    ;;
  broker)
    exec java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka /opt/kafka/run/node.properties
    ;;
  *)
    echo "entrypoint: unknown ROLE '$ROLE' (expected zookeeper or broker)" >&2
    exit 2
    ;;
esac
