#!/bin/bash
# Image build step: starts each role once on a throwaway single-node cluster inside the build, with
# -XX:ArchiveClassesAtExit, so each JVM writes at its exit a class-data sharing archive of the
# classes that role loads while it starts (and, on 3.x, while it creates a first topic). The
# entrypoint maps the role's archive at every start (-XX:SharedArchiveFile): the classes come
# parsed and verified, which is most of a node's start on a small machine. An archive that does
# not match (another JVM, another classpath) is ignored by the JVM, never fatal (-Xshare:auto).
set -euo pipefail
CDS=/opt/kafka/cds
T=$(mktemp -d)
mkdir -p "$CDS"
CP="/opt/kafka/libs/*"
# The same options the entrypoint gives each role, so the archive matches what it maps.
if compgen -G "/opt/kafka/libs/log4j-core-*.jar" > /dev/null; then
  LOG_OPTS=(-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties)
else
  LOG_OPTS=(-Dlog4j.configuration=file:/opt/kafka/config/log4j.properties)
fi
JAVA=(java -Xms64m -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true "${LOG_OPTS[@]}")

# Starts a JVM in the background, its output in $T/<name>.log; its pid in PIDS[name].
declare -A PIDS
start() {
  local name=$1
  shift
  "${JAVA[@]}" -XX:ArchiveClassesAtExit="$CDS/$name.jsa" "$@" > "$T/$name.log" 2>&1 &
  PIDS[$name]=$!
}
# Waits (up to 3 minutes) for a line in a JVM's output; fails with its output if it exits first.
await() {
  local name=$1 pattern=$2
  for _ in $(seq 1 1800); do
    grep -q -- "$pattern" "$T/$name.log" && return 0
    kill -0 "${PIDS[$name]}" 2> /dev/null || { cat "$T/$name.log"; echo "cds-train: $name exited before '$pattern'" >&2; exit 1; }
    sleep 0.1
  done
  cat "$T/$name.log"
  echo "cds-train: no '$pattern' from $name in 3 minutes" >&2
  exit 1
}
# SIGTERM: a clean exit, at which the JVM writes its archive.
stop() {
  kill -TERM "${PIDS[$1]}"
  wait "${PIDS[$1]}" || true
  [[ -s "$CDS/$1.jsa" ]] || { cat "$T/$1.log"; echo "cds-train: no archive from $1" >&2; exit 1; }
}

if compgen -G "/opt/kafka/libs/zookeeper-[0-9]*.jar" > /dev/null; then
  # ZooKeeper mode (3.x): a standalone ZooKeeper and one broker.
  printf '%s\n' "dataDir=$T/zk" clientPort=2181 admin.enableServer=false > "$T/zk.properties"
  printf '%s\n' broker.id=1 zookeeper.connect=localhost:2181 listeners=PLAINTEXT://localhost:9092 \
    "log.dirs=$T/kafka" offsets.topic.replication.factor=1 > "$T/broker.properties"
  start zookeeper -Dzookeeper.4lw.commands.whitelist='*' -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$T/zk.properties"
  await zookeeper "binding to port"
  start broker -cp "$CP" kafka.Kafka "$T/broker.properties"
  await broker "started (kafka.server.KafkaServer)"
  "${JAVA[@]}" -cp "$CP" kafka.admin.TopicCommand --bootstrap-server localhost:9092 --create --topic t \
    --partitions 3 --replication-factor 1 > "$T/topic.log" 2>&1 || cat "$T/topic.log"
  sleep 2
  stop broker
  stop zookeeper
else
  # KRaft (4.x): the storage format, one controller and one broker.
  common=(controller.quorum.voters=101@localhost:9093 controller.listener.names=CONTROLLER)
  printf '%s\n' process.roles=controller node.id=101 "${common[@]}" listeners=CONTROLLER://localhost:9093 \
    "log.dirs=$T/c" > "$T/controller.properties"
  printf '%s\n' process.roles=broker node.id=1 "${common[@]}" listeners=PLAINTEXT://localhost:9092 \
    listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT "log.dirs=$T/b" \
    offsets.topic.replication.factor=1 > "$T/broker.properties"
  id=MkU3OEVBNTcwNTJENDM2Qk
  start format -cp "$CP" kafka.tools.StorageTool format --cluster-id "$id" --config "$T/controller.properties"
  wait "${PIDS[format]}"
  "${JAVA[@]}" -cp "$CP" kafka.tools.StorageTool format --cluster-id "$id" --config "$T/broker.properties" > "$T/format-b.log" 2>&1
  start controller -cp "$CP" kafka.Kafka "$T/controller.properties"
  start broker -cp "$CP" kafka.Kafka "$T/broker.properties"
  await controller "Kafka Server started"
  await broker "Kafka Server started"
  sleep 2
  stop broker
  stop controller
fi
rm -rf "$T"
ls -l "$CDS"
