#!/usr/bin/env bash
# FLK local real-services stack: Kafka (KRaft, jars from Maven Central; one node, or a 3-node cluster
# with FLK_STACK_BROKERS=3), Redis (Debian's redis-server, our own instance), and the schema registry
# (apps/schema-registry). No Docker. Kafka also listens on SASL_SSL (SCRAM-SHA-512, a CA and broker
# certificate made here with openssl) with one principal per tenant and per FLK service, ACLs and
# per-tenant quotas (FLK_STACK_SASL=0: off). docs/local-stack.md#tenants.
#
#   bash infra/local/stack.sh up|down|status|logs|topics|env|restart-redis|restart-kafka [--node N]|reset
#
# Installs what is missing (apt: redis-server kcat curl; Maven: the Kafka jars), starts what is not
# running, and is idempotent: a second `up` only checks health. Every process it starts is recorded
# in a pid file and stopped only through it, after checking the pid's command line (never by name).
# docs/local-stack.md describes the services, ports, env vars and measured start-up times.
set -euo pipefail
shopt -s nullglob

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
HERE=$REPO/infra/local
cd "$REPO"

# ---------------------------------------------------------------------------------------------------
# Configuration (env vars; defaults are what docs/local-stack.md documents)
# ---------------------------------------------------------------------------------------------------
STACK_DIR=${FLK_STACK_DIR:-$REPO/.flk/stack}
CACHE_DIR=${FLK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flk}
START_TIMEOUT=${FLK_START_TIMEOUT:-180}   # seconds one service may take to become healthy
STOP_TIMEOUT=${FLK_STOP_TIMEOUT:-30}      # seconds before SIGTERM turns into SIGKILL

KAFKA_POM=$HERE/kafka/pom.xml
KAFKA_VERSION=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")}
KAFKA_LINE=${KAFKA_VERSION%%.*}   # 4 (default) or 3: picks the pom's logging profile and config
[[ $KAFKA_LINE == 3 || $KAFKA_LINE == 4 ]] || { echo "stack: KAFKA_VERSION=$KAFKA_VERSION: only Kafka 3.9.x and 4.x are supported" >&2; exit 1; }
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
# 1: one combined broker+controller (the fast default). 3: three combined KRaft nodes (each broker and
# controller: a 3-voter quorum survives one node's death, and 3 JVMs, not 6, fit a 2-core machine).
KAFKA_NODES=${FLK_STACK_BROKERS:-1}
[[ $KAFKA_NODES == 1 || $KAFKA_NODES == 3 ]] || { echo "stack: FLK_STACK_BROKERS=$KAFKA_NODES: 1 or 3" >&2; exit 1; }
# Nodes 2 and 3 listen on KAFKA_CLUSTER_PORT_BASE + 10*(n-2) (+0 PLAINTEXT, +1 controller, +2 SASL_SSL).
KAFKA_CLUSTER_PORT_BASE=${KAFKA_CLUSTER_PORT_BASE:-$((KAFKA_PORT + 100))}
KAFKA_SASL=${FLK_STACK_SASL:-1}
KAFKA_SASL_PORT=${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}   # node 1's SASL_SSL listener
TENANTS=${FLK_STACK_TENANTS:-a,b}                          # principals tenant-a, tenant-b
TENANT_PRODUCER_BYTE_RATE=${FLK_TENANT_PRODUCER_BYTE_RATE:-102400}   # bytes/s per tenant principal
TENANT_REQUEST_PERCENTAGE=${FLK_TENANT_REQUEST_PERCENTAGE:-50}       # % of one broker thread
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}
KAFKA_DATA_SUFFIX=; [[ $KAFKA_LINE == 3 ]] && KAFKA_DATA_SUFFIX=-3   # 3.9 cannot read 4.x's storage
KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$STACK_DIR/kafka/data$KAFKA_DATA_SUFFIX}

REDIS_PORT=${REDIS_PORT:-6390}
REDIS_DATA_DIR=${REDIS_DATA_DIR:-$STACK_DIR/redis/data}
REDIS_APPENDFSYNC=${REDIS_APPENDFSYNC:-everysec}   # everysec | always

SCHEMA_REGISTRY_PORT=${SCHEMA_REGISTRY_PORT:-8081}
REGISTRY_MAIN=apps/schema-registry/src/main.ts
# Until apps/schema-registry lands, a missing main.ts is reported ("registry: not built yet"), not
# an error. Once it has landed, make the default 1 so that a missing registry fails `up`.
REGISTRY_REQUIRED=${FLK_REGISTRY_REQUIRED:-1}

RUN_DIR=$STACK_DIR/run
LOG_DIR=$STACK_DIR/logs
KAFKA_CONF=$STACK_DIR/kafka/server.properties
CLUSTER_DIR=$STACK_DIR/kafka-cluster
TLS_DIR=$STACK_DIR/tls
SASL_DIR=$STACK_DIR/sasl
REDIS_CONF=$STACK_DIR/redis/redis.conf

# Kafka services: "kafka" (single node) or "kafka-1" .. "kafka-3" (cluster); node n of the cluster:
node_of() { local n=${1#kafka}; n=${n#-}; echo "${n:-1}"; }
kafka_services() { if ((KAFKA_NODES == 1)); then echo kafka; else echo kafka-1 kafka-2 kafka-3; fi; }
kafka_port() { local n; n=$(node_of "$1"); if ((n == 1)); then echo "$KAFKA_PORT"; else echo $((KAFKA_CLUSTER_PORT_BASE + 10 * (n - 2))); fi; }
kafka_controller_port() { local n; n=$(node_of "$1"); if ((n == 1)); then echo "$KAFKA_CONTROLLER_PORT"; else echo $((KAFKA_CLUSTER_PORT_BASE + 10 * (n - 2) + 1)); fi; }
kafka_sasl_port() { local n; n=$(node_of "$1"); if ((n == 1)); then echo "$KAFKA_SASL_PORT"; else echo $((KAFKA_CLUSTER_PORT_BASE + 10 * (n - 2) + 2)); fi; }
kafka_conf() { if [[ $1 == kafka ]]; then echo "$KAFKA_CONF"; else echo "$CLUSTER_DIR/node-$(node_of "$1")/server.properties"; fi; }
kafka_data() { if [[ $1 == kafka ]]; then echo "$KAFKA_DATA_DIR"; else echo "$CLUSTER_DIR/node-$(node_of "$1")/data$KAFKA_DATA_SUFFIX"; fi; }
kafka_log() { if [[ $1 == kafka ]]; then echo "$LOG_DIR/kafka"; else echo "$LOG_DIR/$1"; fi; }   # <prefix>.log, <prefix>.stdout.log

KAFKA_BROKERS= KAFKA_SASL_BROKERS=
for _svc in $(kafka_services); do
  KAFKA_BROKERS+=${KAFKA_BROKERS:+,}127.0.0.1:$(kafka_port "$_svc")
  KAFKA_SASL_BROKERS+=${KAFKA_SASL_BROKERS:+,}127.0.0.1:$(kafka_sasl_port "$_svc")
done
export KAFKA_BROKERS
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export SCHEMA_REGISTRY_URL=http://127.0.0.1:$SCHEMA_REGISTRY_PORT
export KAFKAJS_NO_PARTITIONER_WARNING=1

# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------
say() { printf '%s\n' "$*"; }
warn() { printf 'stack: %s\n' "$*" >&2; }
die() { warn "$*"; exit 1; }
now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%01ds' $((d / 1000)) $((d % 1000 / 100)); }
row() { printf '  %-9s %s\n' "$1" "$2"; }   # one aligned line of progress / status

mkdirs() {
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$STACK_DIR/kafka" "$STACK_DIR/redis" "$REDIS_DATA_DIR"
  local svc
  for svc in $(kafka_services); do mkdir -p "$(dirname "$(kafka_conf "$svc")")" "$(kafka_data "$svc")"; done
}

# Serialise state-changing commands on this stack dir (two `up`s at once, e.g. two jest runs).
take_lock() {
  mkdirs
  exec 8>"$STACK_DIR/.lock"
  if ! flock -n 8; then
    say "stack: waiting for another stack.sh on $STACK_DIR ..."
    flock -w 900 8 || die "timed out waiting for the lock on $STACK_DIR/.lock"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A live process (a zombie that has exited but was not reaped yet counts as gone).
# (Builtins only: own_pid may run these for every process on the machine.)
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }   # fields after "(comm) ": the state comes first
  [[ -n $stat && ${stat%% *} != Z ]]
}
cmdline() {
  local -a argv=()
  { mapfile -d '' -t argv <"/proc/$1/cmdline"; } 2>/dev/null || true
  echo "${argv[*]} "
}
same_dir() { [[ $(readlink -f "/proc/$1/cwd" 2>/dev/null) == "$(readlink -f "$2")" ]]; }
has_env() {
  local e
  e=$(tr '\0' '\n' 2>/dev/null <"/proc/$1/environ") || return 1
  grep -qxF -- "$2" <<<"$e"
}
# Marks the registry process as this stack's: other stacks (other FLK_STACK_DIRs) and tests run the
# same main.ts from the same directory, so command line and cwd alone do not tell them apart.
REGISTRY_MARK="FLK_STACK_SERVICE=registry:$STACK_DIR"

# Is pid $2 the process this stack started for service $1? Checked before every signal we send.
is_ours() {
  local svc=$1 pid=$2 cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(cmdline "$pid")
  [[ $cmd == *"$REGISTRY_MAIN"* || $cmd == *kafka.Kafka* || $cmd == *redis-server* ]] && alive "$pid" || return 1
  case $svc in
    kafka | kafka-[123]) [[ $cmd == *" kafka.Kafka $(kafka_conf "$svc") "* ]] ;;
    # redis-server rewrites its title ("redis-server 127.0.0.1:6390"); its cwd is its data dir.
    redis) [[ $cmd == *redis-server*":$REDIS_PORT"* ]] && same_dir "$pid" "$REDIS_DATA_DIR" ;;
    # Ours if marked; an unmarked one (started before the mark existed) only with our port and cwd.
    registry) [[ $cmd == *"$REGISTRY_MAIN"* ]] && { has_env "$pid" "$REGISTRY_MARK" || {
      ! grep -q '^FLK_STACK_SERVICE=' <<<"$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ")" &&
        has_env "$pid" "SCHEMA_REGISTRY_PORT=$SCHEMA_REGISTRY_PORT" && same_dir "$pid" "$REPO"; }; } ;;
    *) return 1 ;;
  esac
}

pidfile() { echo "$RUN_DIR/$1.pid"; }

# Pid of the running instance of service $1, or nothing. Repairs the bookkeeping as it goes: a stale
# pid file (process gone or pid reused by something else) is removed; our process running without a
# pid file (e.g. the file was deleted) is found by its command line and its pid file rewritten.
own_pid() {
  local svc=$1 f pid p
  f=$(pidfile "$svc")
  if [[ -f $f ]]; then
    pid=$(tr -dc '0-9' 2>/dev/null <"$f" || true)
    if is_ours "$svc" "$pid"; then echo "$pid"; return 0; fi
    rm -f "$f"
  fi
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    if is_ours "$svc" "$pid"; then
      [[ -d $RUN_DIR ]] && echo "$pid" >"$f"
      echo "$pid"
      return 0
    fi
  done
  return 0
}

port_of() {
  case $1 in kafka*) kafka_port "$1" ;; redis) echo "$REDIS_PORT" ;; registry) echo "$SCHEMA_REGISTRY_PORT" ;; esac
}

healthy() {
  case $1 in
    redis) [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] ;;
    kafka*) KAFKA_BROKERS=127.0.0.1:$(kafka_port "$1") node "$HERE/kafka-ready.mjs" --once >/dev/null 2>&1 ;;
    registry)
      curl -fsS -o /dev/null -m 2 "$SCHEMA_REGISTRY_URL/" 2>/dev/null ||
        curl -fsS -o /dev/null -m 2 "$SCHEMA_REGISTRY_URL/subjects" 2>/dev/null ;;
  esac
}

# Wait until service $1 (pid $2) is healthy; fails early if the process exits.
wait_healthy() {
  local svc=$1 pid=$2 limit=${3:-$START_TIMEOUT} deadline rc
  deadline=$(($(now_ms) + limit * 1000))
  if [[ $svc == kafka* ]]; then
    rc=0
    KAFKA_BROKERS=127.0.0.1:$(kafka_port "$svc") node "$HERE/kafka-ready.mjs" --pid "$pid" --timeout-ms $((limit * 1000)) || rc=$?
    return $rc
  fi
  while (($(now_ms) < deadline)); do
    healthy "$svc" && return 0
    alive "$pid" || return 2
    sleep 0.1
  done
  return 1
}

log_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    warn "---- last lines of $f"
    tail -n 25 "$f" >&2
  done
}

# Stop service $1 through its pid file: SIGTERM (or SIGKILL with $2=kill), wait, SIGKILL after
# STOP_TIMEOUT. Prints one status row.
stop_service() {
  local svc=$1 mode=${2:-term} pid t0 deadline
  t0=$(now_ms)
  pid=$(own_pid "$svc")
  if [[ -z $pid ]]; then
    row "$svc" "not running"
    return 0
  fi
  if [[ $mode == kill ]]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true   # a stopped (SIGSTOP) process handles TERM only once continued
  fi
  deadline=$(($(now_ms) + STOP_TIMEOUT * 1000))
  while alive "$pid" && (($(now_ms) < deadline)); do sleep 0.1; done
  if alive "$pid"; then
    warn "$svc (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$(pidfile "$svc")"
  row "$svc" "stopped (pid $pid, $([[ $mode == kill ]] && echo 'SIGKILL, ')$(secs_since "$t0"))"
}

# ---------------------------------------------------------------------------------------------------
# Installation (cached: apt is skipped when the binaries exist; Maven only when the pom changed)
# ---------------------------------------------------------------------------------------------------
ensure_packages() {
  local t0 missing=() sudo=() created_policy=0 attempt ok=0
  t0=$(now_ms)
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
  command -v kcat >/dev/null || missing+=(kcat)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]} == 0)); then
    row apt "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), kcat $(kcat -V 2>/dev/null | sed -n 's/^Version \([^ ]*\).*/\1/p') already installed"
    return 0
  fi
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]} (apt-get install ${missing[*]})"
    sudo=(sudo -n)
  fi
  row apt "installing ${missing[*]} (log: $LOG_DIR/apt.log) ..."
  # Debian's postinst would start the system redis-server on :6379; policy-rc.d 101 forbids that.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, infra/local/stack.sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  for attempt in 1 2 3; do
    # Fresh lists only when the cached ones do not have the packages (or point at gone versions).
    if "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1; then ok=1; break; fi
    "${apt[@]}" update >>"$LOG_DIR/apt.log" 2>&1 || sleep $((attempt * 5))
  done
  ((created_policy)) && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
  ((ok)) || { log_tail "$LOG_DIR/apt.log"; die "apt-get install ${missing[*]} failed"; }
  row apt "installed ${missing[*]} in $(secs_since "$t0")"
}

# Sets KAFKA_LIB: $CACHE_DIR/kafka-lib/<version>-<hash of pom>, filled once by Maven.
ensure_kafka_libs() {
  local t0 hash tmp rc=0
  t0=$(now_ms)
  hash=$({ cat "$KAFKA_POM"; echo "kafka.version=$KAFKA_VERSION"; } | sha256sum | cut -c1-12)
  KAFKA_LIB=$CACHE_DIR/kafka-lib/$KAFKA_VERSION-$hash
  if [[ -f $KAFKA_LIB/.complete ]]; then
    row jars "kafka $KAFKA_VERSION: cached ($KAFKA_LIB)"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needs Maven 3.8+ and a JDK 17)"
  command -v java >/dev/null || die "java not found (needs a JDK 17)"
  mkdir -p "$CACHE_DIR/kafka-lib"
  exec 7>"$CACHE_DIR/kafka-lib/.lock"
  flock -w 900 7 || die "timed out waiting for $CACHE_DIR/kafka-lib/.lock"
  if [[ ! -f $KAFKA_LIB/.complete ]]; then
    row jars "kafka $KAFKA_VERSION: resolving with Maven into $KAFKA_LIB (log: $LOG_DIR/maven.log) ..."
    tmp=$KAFKA_LIB.tmp.$$
    rm -rf "$tmp"
    # shellcheck disable=SC2086 # FLK_MAVEN_OPTS is a list of options
    mvn -B -q -ntp -f "$KAFKA_POM" ${FLK_MAVEN_OPTS:-} -Dkafka.version="$KAFKA_VERSION" -Dkafka.line="$KAFKA_LINE" \
      dependency:copy-dependencies -DoutputDirectory="$tmp" >"$LOG_DIR/maven.log" 2>&1 || rc=$?
    rm -rf "$HERE/kafka/target"
    if ((rc != 0)); then
      rm -rf "$tmp"
      log_tail "$LOG_DIR/maven.log"
      die "mvn dependency:copy-dependencies failed (exit $rc)"
    fi
    touch "$tmp/.complete"
    rm -rf "$KAFKA_LIB"
    mv "$tmp" "$KAFKA_LIB"
    row jars "kafka $KAFKA_VERSION: $(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars in $(secs_since "$t0")"
  fi
  flock -u 7
}

# ---------------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------------
write_redis_conf() {
  cat >"$REDIS_CONF" <<EOF
# Generated by infra/local/stack.sh on each start; edit the script, not this file.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $(pidfile redis)
logfile $LOG_DIR/redis.log
dir $REDIS_DATA_DIR
appendonly yes
appendfsync $REDIS_APPENDFSYNC
appendfilename appendonly.aof
save ""
EOF
}

start_redis() {
  local t0 pid
  t0=$(now_ms)
  write_redis_conf
  rm -f "$(pidfile redis)"
  redis-server "$REDIS_CONF" >>"$LOG_DIR/redis.log" 2>&1 </dev/null 7>&- 8>&- || { log_tail "$LOG_DIR/redis.log"; die "redis-server failed to start"; }
  # daemonize: the pid file appears once the daemon has forked.
  local deadline=$(($(now_ms) + 10000))
  while :; do
    pid=$(tr -dc '0-9' 2>/dev/null <"$(pidfile redis)" || true)
    [[ -n $pid ]] && break
    (($(now_ms) < deadline)) || { log_tail "$LOG_DIR/redis.log"; die "redis-server wrote no pid file"; }
    sleep 0.05
  done
  if ! wait_healthy redis "$pid"; then
    log_tail "$LOG_DIR/redis.log"
    die "redis did not become healthy on 127.0.0.1:$REDIS_PORT"
  fi
  row redis "127.0.0.1:$REDIS_PORT  started in $(secs_since "$t0") (pid $pid, appendonly, appendfsync $REDIS_APPENDFSYNC)"
}

# ---------------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------------
write_kafka_conf() {
  local svc=$1 n voters="" rf=$KAFKA_NODES s listeners advertised map
  n=$(node_of "$svc")
  if [[ $svc == kafka ]]; then
    voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
  else
    for s in kafka-1 kafka-2 kafka-3; do voters+=${voters:+,}$(node_of "$s")@127.0.0.1:$(kafka_controller_port "$s"); done
  fi
  listeners="PLAINTEXT://127.0.0.1:$(kafka_port "$svc"),CONTROLLER://127.0.0.1:$(kafka_controller_port "$svc")"
  advertised="PLAINTEXT://127.0.0.1:$(kafka_port "$svc")"
  map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
  if ((KAFKA_SASL)); then
    listeners+=",SASL_SSL://127.0.0.1:$(kafka_sasl_port "$svc")"
    advertised+=",SASL_SSL://127.0.0.1:$(kafka_sasl_port "$svc")"
    map+=,SASL_SSL:SASL_SSL
  fi
  (umask 077 && cat >"$(kafka_conf "$svc")") <<EOF
# Generated by infra/local/stack.sh on each start; edit the script, not this file.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$map
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$(kafka_data "$svc")
num.partitions=1
default.replication.factor=$rf
# Broker default 1: tests' own RF-1 topics keep working; the pcs.* topics set 2 (topics.mjs, RF 3).
min.insync.replicas=1
unclean.leader.election.enable=false
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$((rf > 1 ? 2 : 1))
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=33554432
EOF
  if ((KAFKA_SASL)); then
    cat >>"$(kafka_conf "$svc")" <<EOF
# Tenants on the broker (docs/local-stack.md#tenants): SCRAM-SHA-512 over TLS on SASL_SSL, ACLs by
# StandardAuthorizer. The PLAINTEXT listener (127.0.0.1 only: inter-broker, controller, local tools
# and tests) is ANONYMOUS, a super user, as the stack has always been; principals and ACLs apply on
# SASL_SSL, the listener tenants and services use.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$(cat "$TLS_DIR/keystore.password")
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:flk-admin
allow.everyone.if.no.acl.found=false
# Client quotas measure a rate over quota.window.num windows of quota.window.size.seconds and
# throttle only once it is exceeded: with the default 11 x 1 s a new flooding client gets ~10 s of
# its quota appended at once before the first throttle, and the verifiers decide that burst ahead of
# the other tenants' records. 2 x 1 s bounds the burst to about one second of quota.
quota.window.num=2
quota.window.size.seconds=1
EOF
  fi
}

# The one java command line (classpath = every jar Maven copied); main class and args follow.
# $1: the node's log prefix (<prefix>.log is its log4j file).
kafka_java_cmd() {
  local prefix=${1:-$LOG_DIR/kafka}
  local logconf=-Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml"   # 4.x: log4j2
  [[ $KAFKA_LINE == 3 ]] && logconf=-Dlog4j.configuration="file:$HERE/kafka/log4j.properties"   # 3.x: reload4j
  # shellcheck disable=SC2206 # heap and JVM options are word lists
  KAFKA_JAVA=(java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS "$logconf" -Dkafka.logs.dir="$(dirname "$prefix")"
    -Dflk.log.name="$(basename "$prefix")" -cp "$KAFKA_LIB/*")
}

# A Kafka Uuid: 16 random bytes, base64url without padding, not starting with '-' (CLI parsing).
new_cluster_id() {
  local cid=""
  while [[ -z $cid || $cid == -* ]]; do cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
  echo "$cid"
}

format_kafka_storage() {
  local svc=$1 cid t0 rc=0 log
  [[ -f $(kafka_data "$svc")/meta.properties ]] && return 0
  t0=$(now_ms)
  log=$(kafka_log "$svc")
  cid=${KAFKA_CLUSTER_ID:-}
  if [[ -z $cid && $svc != kafka ]]; then
    # The cluster's nodes share one id, made once (wiped with the cluster's data by `reset`).
    [[ -s $CLUSTER_DIR/cluster.id ]] || new_cluster_id >"$CLUSTER_DIR/cluster.id"
    cid=$(cat "$CLUSTER_DIR/cluster.id")
  fi
  [[ -n $cid ]] || cid=$(new_cluster_id)
  kafka_java_cmd "$log"
  # Static quorum (controller.quorum.voters) on 3.9 and 4.x alike: no --standalone/--initial-controllers.
  "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cid" -c "$(kafka_conf "$svc")" --ignore-formatted \
    >>"$log.stdout.log" 2>&1 || rc=$?
  ((rc == 0)) || { log_tail "$log.stdout.log"; die "kafka storage format of $svc failed (exit $rc)"; }
  row "$svc" "formatted $(kafka_data "$svc") (cluster id $cid) in $(secs_since "$t0")"
}

# Launches broker $1 in its own session (Ctrl-C on `up` or the test runner does not reach it).
launch_kafka() {
  local svc=$1 log
  log=$(kafka_log "$svc")
  write_kafka_conf "$svc"
  format_kafka_storage "$svc"
  KAFKA_STARTED_MS=$(now_ms)
  kafka_java_cmd "$log"
  # Not a process-group leader here (no job control), so setsid execs java in place: $! is java.
  # 7>&- 8>&-: the lock fds must not live on in the service, or the lock would outlive this script.
  setsid "${KAFKA_JAVA[@]}" kafka.Kafka "$(kafka_conf "$svc")" >>"$log.stdout.log" 2>&1 </dev/null 7>&- 8>&- &
  echo $! >"$(pidfile "$svc")"
}

await_kafka() {
  local svc=$1 pid rc=0 log
  log=$(kafka_log "$svc")
  pid=$(tr -dc '0-9' <"$(pidfile "$svc")")
  wait_healthy "$svc" "$pid" || rc=$?
  if ((rc != 0)); then
    log_tail "$log.stdout.log" "$log.log"
    ((rc == 2)) && die "$svc (pid $pid) exited during start-up"
    die "$svc not healthy on 127.0.0.1:$(kafka_port "$svc") after ${START_TIMEOUT}s (pid $pid left running: see logs, then stack.sh down)"
  fi
  local sasl=""
  ((KAFKA_SASL)) && sasl=", SASL_SSL :$(kafka_sasl_port "$svc")"
  row "$svc" "127.0.0.1:$(kafka_port "$svc") (controller :$(kafka_controller_port "$svc")$sasl)  ready in $(secs_since "$KAFKA_STARTED_MS") (pid $pid, kafka $KAFKA_VERSION, KRaft)"
}

# ---------------------------------------------------------------------------------------------------
# Tenants on the broker: TLS material, SCRAM principals, ACLs, quotas (FLK_STACK_SASL=1)
# ---------------------------------------------------------------------------------------------------
PRINCIPALS="flk-admin flk-verifier flk-sink flk-gateway flk-registry"
tenant_principals() { local t; for t in ${TENANTS//,/ }; do printf 'tenant-%s ' "$t"; done; }

# A local CA and one broker certificate (127.0.0.1 / localhost) in a PKCS12 keystore; made once.
ensure_tls() {
  local t0
  ((KAFKA_SASL)) || return 0
  [[ -f $TLS_DIR/broker.p12 && -f $TLS_DIR/ca.crt && -s $TLS_DIR/keystore.password ]] && return 0
  command -v openssl >/dev/null || die "openssl not found (needed for the SASL_SSL listener; FLK_STACK_SASL=0 turns it off)"
  t0=$(now_ms)
  rm -rf "$TLS_DIR.tmp" && mkdir -p "$TLS_DIR.tmp" && chmod 700 "$TLS_DIR.tmp"
  (
    set -e
    cd "$TLS_DIR.tmp"
    umask 077
    openssl rand -hex 16 >keystore.password
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=flk local stack CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -keyout ca.key -out ca.crt
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" -keyout broker.key -out broker.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >broker.ext
    openssl x509 -req -sha256 -days 825 -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -extfile broker.ext -out broker.crt
    openssl pkcs12 -export -name broker -in broker.crt -inkey broker.key -certfile ca.crt -passout "file:keystore.password" -out broker.p12
    chmod 644 ca.crt
  ) >"$LOG_DIR/tls.log" 2>&1 || { log_tail "$LOG_DIR/tls.log"; die "making the stack's CA and broker certificate failed"; }
  rm -rf "$TLS_DIR" && mv "$TLS_DIR.tmp" "$TLS_DIR"
  row tls "CA $TLS_DIR/ca.crt + broker certificate (127.0.0.1, localhost) made in $(secs_since "$t0")"
}

# One random password per principal, made once ($SASL_DIR/<principal>.password, mode 0600).
ensure_passwords() {
  local u
  ((KAFKA_SASL)) || return 0
  mkdir -p "$SASL_DIR" && chmod 700 "$SASL_DIR"
  for u in $PRINCIPALS $(tenant_principals); do
    [[ -s $SASL_DIR/$u.password ]] || (umask 077 && openssl rand -hex 24 >"$SASL_DIR/$u.password")
  done
}

# Principals, ACLs and quotas through Kafka's Admin API (infra/local/kafka/Principals.java). They live
# in the cluster's metadata, so this runs again only when the spec changed or the data was wiped (a
# stamp in node 1's data dir).
run_principals() {
  local t0 stamp data out
  ((KAFKA_SASL)) || return 0
  data=$(kafka_data "$(kafka_services | cut -d' ' -f1)")
  stamp=$data/.flk-principals-$({ cat "$HERE/kafka/Principals.java"; echo "$TENANTS $TENANT_PRODUCER_BYTE_RATE $TENANT_REQUEST_PERCENTAGE"; cat "$SASL_DIR"/*.password; } | sha256sum | cut -c1-12)
  if [[ -f $stamp ]]; then
    local names; names=$(tenant_principals)
    row sasl "principals, ACLs and quotas already set (tenants: ${names% })"
    return 0
  fi
  t0=$(now_ms)
  # Compiled once per source and Kafka version into the cache (javac on 2 busy cores takes ~10 s).
  local classes
  classes=$KAFKA_LIB.principals-$(sha256sum "$HERE/kafka/Principals.java" | cut -c1-12)
  if [[ ! -f $classes/Principals.class ]]; then
    rm -rf "$classes.tmp.$$" && mkdir -p "$classes.tmp.$$"
    javac -nowarn -d "$classes.tmp.$$" -cp "$KAFKA_LIB/*" "$HERE/kafka/Principals.java" >"$LOG_DIR/principals.log" 2>&1 ||
      { log_tail "$LOG_DIR/principals.log"; die "javac infra/local/kafka/Principals.java failed"; }
    rm -rf "$classes" && mv "$classes.tmp.$$" "$classes"
  fi
  out=$(java -Xmx256m -cp "$classes:$KAFKA_LIB/*" Principals "$KAFKA_BROKERS" "$SASL_DIR" "$TENANTS" \
    "$TENANT_PRODUCER_BYTE_RATE" "$TENANT_REQUEST_PERCENTAGE" 2>"$LOG_DIR/principals.log" </dev/null 7>&- 8>&-) ||
    { log_tail "$LOG_DIR/principals.log"; die "setting the SASL principals, ACLs and quotas failed"; }
  rm -f "$data"/.flk-principals-*
  touch "$stamp"
  row sasl "$out ($(secs_since "$t0"))"
}

run_topics() {
  local t0 out
  t0=$(now_ms)
  out=$(KAFKA_REPLICATION_FACTOR=$KAFKA_NODES node "$HERE/topics.mjs") || die "topic creation failed: $out"
  row topics "${out%%$'\n'*} ($(secs_since "$t0"))"
  [[ $out != *$'\n'* ]] || printf '%s\n' "${out#*$'\n'}"   # notes on topics left alone
}

# ---------------------------------------------------------------------------------------------------
# Schema registry
# ---------------------------------------------------------------------------------------------------
registry_built() { [[ -f $REPO/$REGISTRY_MAIN ]]; }

start_registry() {
  local t0 pid rc=0
  t0=$(now_ms)
  [[ -f $REPO/node_modules/tsx/package.json ]] || die "registry needs tsx: run npm ci first"
  env "$REGISTRY_MARK" SCHEMA_REGISTRY_PORT="$SCHEMA_REGISTRY_PORT" KAFKA_BROKERS="$KAFKA_BROKERS" \
    setsid node --conditions=@flk/source --import tsx "$REGISTRY_MAIN" >>"$LOG_DIR/registry.log" 2>&1 </dev/null 7>&- 8>&- &
  pid=$!
  echo "$pid" >"$(pidfile registry)"
  wait_healthy registry "$pid" || rc=$?
  if ((rc != 0)); then
    log_tail "$LOG_DIR/registry.log"
    ((rc == 2)) && die "registry (pid $pid) exited during start-up"
    die "registry not healthy on $SCHEMA_REGISTRY_URL after ${START_TIMEOUT}s"
  fi
  row registry "$SCHEMA_REGISTRY_URL  ready in $(secs_since "$t0") (pid $pid)"
}

# ---------------------------------------------------------------------------------------------------
# Per-service "make it running": healthy → nothing; half-started → repaired; absent → started.
# ---------------------------------------------------------------------------------------------------
# Returns 0 if service $1 is already running healthy (prints so), 1 if it must be started.
check_running() {
  local svc=$1 grace=$2 pid port
  port=$(port_of "$svc")
  pid=$(own_pid "$svc")
  # A broker of another Kafka version (KAFKA_VERSION changed since it started) is restarted.
  if [[ -n $pid && $svc == kafka* && $(cmdline "$pid") != *"$KAFKA_LIB/*"* ]]; then
    warn "$svc (pid $pid) runs another Kafka version than $KAFKA_VERSION: restarting it"
    stop_service "$svc"
    pid=
  fi
  if [[ -n $pid ]]; then
    if healthy "$svc"; then
      row "$svc" "already running on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    # Alive but not answering: still starting (give it a grace period) or wedged (restart it).
    if wait_healthy "$svc" "$pid" "$grace" >/dev/null 2>&1; then
      row "$svc" "was starting; healthy now on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    warn "$svc (pid $pid) is running but not healthy after ${grace}s: restarting it"
    stop_service "$svc"
  fi
  if port_open "$port" || { [[ $svc == kafka* ]] && port=$(kafka_controller_port "$svc") && port_open "$port"; } ||
    { [[ $svc == kafka* ]] && ((KAFKA_SASL)) && port=$(kafka_sasl_port "$svc") && port_open "$port"; }; then
    die "$svc: 127.0.0.1:$port is in use by a process this stack did not start: stop it, or choose other ports (docs/local-stack.md)"
  fi
  return 1
}

# A running broker whose config would now be written differently (FLK_STACK_SASL, ports, tenants'
# listener...) is restarted, so `up` always ends with the configuration asked for.
restart_if_reconfigured() {
  local svc=$1 conf pid
  conf=$(kafka_conf "$svc")
  pid=$(own_pid "$svc")
  [[ -n $pid && -f $conf ]] || return 0
  cp "$conf" "$conf.running"
  write_kafka_conf "$svc"
  if ! cmp -s "$conf" "$conf.running"; then
    warn "$svc (pid $pid): its configuration changed: restarting it"
    stop_service "$svc"
  fi
  rm -f "$conf.running"
}

# A single-node broker while cluster mode is asked for (or the reverse) holds the same ports: stop it.
other_mode_running() {
  local svc others=kafka stopped=0
  ((KAFKA_NODES == 1)) && others="kafka-1 kafka-2 kafka-3"
  for svc in $others; do
    if [[ -n $(own_pid "$svc") ]]; then
      warn "$svc of the other mode (FLK_STACK_BROKERS=$KAFKA_NODES asked) is running: stopping it"
      stop_service "$svc"
      stopped=1
    fi
  done
  # The registry's state came from the other cluster's _schemas: it starts again on the new one.
  ((stopped)) && stop_service registry
  return 0
}

cmd_up() {
  local t0 need_kafka=0 apt_job
  t0=$(now_ms)
  take_lock
  say "flk stack: up (state in $STACK_DIR)"
  [[ -f $REPO/node_modules/kafkajs/package.json ]] || die "node_modules missing: run npm ci first"

  # Pipelined for a short cold start: apt runs while Maven fetches the jars, and Kafka's JVM boots
  # while apt finishes and Redis starts.
  ensure_packages >"$RUN_DIR/apt.out" 2>&1 &
  apt_job=$!
  ensure_kafka_libs
  other_mode_running
  ensure_tls
  ensure_passwords
  local svc need=()
  for svc in $(kafka_services); do
    restart_if_reconfigured "$svc"
    if ! check_running "$svc" 20; then
      launch_kafka "$svc"
      need+=("$svc")
      need_kafka=1
    fi
  done
  if ! wait "$apt_job"; then
    cat "$RUN_DIR/apt.out" >&2
    die "installing packages failed"
  fi
  cat "$RUN_DIR/apt.out"
  if ! check_running redis 5; then start_redis; fi
  # FLK_STACK_REDIS=sentinel: also Redis with failover (infra/local/redis-ha.sh, docs/redis-ha.md).
  if [[ ${FLK_STACK_REDIS:-single} == sentinel ]]; then bash "$HERE/redis-ha.sh" up; fi
  if ((need_kafka)); then
    for svc in "${need[@]}"; do await_kafka "$svc"; done
  fi
  if ((KAFKA_NODES > 1)); then
    node "$HERE/kafka-ready.mjs" --min-brokers "$KAFKA_NODES" --timeout-ms $((START_TIMEOUT * 1000)) ||
      die "the $KAFKA_NODES Kafka nodes did not form one cluster within ${START_TIMEOUT}s"
    ((need_kafka)) && row cluster "$KAFKA_NODES brokers (combined KRaft nodes, 3 voters) ready in $(secs_since "$t0") from the start of up"
  fi
  run_topics
  run_principals

  if ! registry_built; then
    ((REGISTRY_REQUIRED)) && die "registry: $REGISTRY_MAIN not found"
    row registry "not built yet ($REGISTRY_MAIN missing): skipped"
  else
    if ! check_running registry 10; then start_registry; fi
  fi
  say "stack up in $(secs_since "$t0"): KAFKA_BROKERS=$KAFKA_BROKERS REDIS_URL=$REDIS_URL SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL"
}

cmd_down() {
  local t0
  t0=$(now_ms)
  take_lock
  say "flk stack: down ($STACK_DIR)"
  stop_service registry
  local svc
  # Every Kafka node of either mode this stack dir may have running (a mode switch leaves none
  # behind), all at once: a cluster's last node would otherwise wait out its controlled shutdown
  # for a quorum that has already gone.
  local jobs=()
  for svc in kafka kafka-1 kafka-2 kafka-3; do
    if [[ $svc == "$(kafka_services | cut -d' ' -f1)" || -n $(own_pid "$svc") ]]; then
      stop_service "$svc" &
      jobs+=($!)
    fi
  done
  ((${#jobs[@]} == 0)) || wait "${jobs[@]}"
  stop_service redis
  if [[ -d $STACK_DIR/redis-ha ]]; then bash "$HERE/redis-ha.sh" down; fi
  say "stack down in $(secs_since "$t0") (data kept; 'stack.sh reset' wipes it)"
}

cmd_status() {
  local svc pid port bad=0
  say "flk stack: status ($STACK_DIR)"
  for svc in redis $(kafka_services) registry; do
    port=$(port_of "$svc")
    if [[ $svc == registry ]] && ! registry_built; then
      row "$svc" "registry: not built yet ($REGISTRY_MAIN missing)"
      ((REGISTRY_REQUIRED)) && bad=1
      continue
    fi
    pid=$(own_pid "$svc")
    if [[ -z $pid ]]; then
      if port_open "$port"; then
        row "$svc" "DOWN (127.0.0.1:$port is taken by a process this stack did not start)"
      else
        row "$svc" "down"
      fi
      bad=1
    elif healthy "$svc"; then
      case $svc in
        kafka*) row "$svc" "healthy  127.0.0.1:$(kafka_port "$svc") (controller :$(kafka_controller_port "$svc"))  pid $pid" ;;
        redis) row "$svc" "healthy  127.0.0.1:$REDIS_PORT  pid $pid" ;;
        registry) row "$svc" "healthy  $SCHEMA_REGISTRY_URL  pid $pid" ;;
      esac
    else
      row "$svc" "UNHEALTHY  pid $pid running but 127.0.0.1:$port does not answer"
      bad=1
    fi
  done
  return $bad
}

cmd_logs() {
  local follow=0 lines=40 svcs=() a files=() f
  for a in "$@"; do
    case $a in
      -f | --follow) follow=1 ;;
      -n*) lines=${a#-n} ;;
      kafka | redis | registry | apt | maven) svcs+=("$a") ;;
      *) die "logs: unknown argument '$a' (usage: logs [kafka|redis|registry|apt|maven] [-f] [-nLINES])" ;;
    esac
  done
  ((${#svcs[@]})) || svcs=(kafka redis registry)
  for a in "${svcs[@]}"; do
    case $a in
      kafka) for a in $(kafka_services); do files+=("$(kafka_log "$a").log" "$(kafka_log "$a").stdout.log"); done ;;
      *) files+=("$LOG_DIR/$a.log") ;;
    esac
  done
  local present=()
  for f in "${files[@]}"; do [[ -f $f ]] && present+=("$f"); done
  ((${#present[@]})) || { say "no logs yet in $LOG_DIR"; return 0; }
  if ((follow)); then exec tail -n "$lines" -F "${present[@]}"; fi
  tail -n "$lines" "${present[@]}"
}

cmd_topics() {
  take_lock
  healthy "$(kafka_services | cut -d' ' -f1)" || die "kafka is not running on $KAFKA_BROKERS (stack.sh up)"
  run_topics
  run_principals
}

# restart-redis / restart-kafka [--kill]: for fault tests. --kill stops with SIGKILL (a crash).
cmd_restart() {
  local svc=$1 mode=term t0 down_ms=0 node=1
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --kill) mode="kill" ;;
      --node) shift; [[ ${1:-} =~ ^[1-3]$ && $1 -le $KAFKA_NODES ]] || die "--node needs a node number 1..$KAFKA_NODES"; node=$1 ;;
      --down-ms) shift; [[ ${1:-} =~ ^[0-9]+$ ]] || die "--down-ms needs a number of milliseconds"; down_ms=$1 ;;
      *) die "restart: unknown option $1" ;;
    esac
    shift
  done
  t0=$(now_ms)
  take_lock
  case $svc in
    redis)
      ensure_packages >/dev/null
      stop_service redis "$mode"
      start_redis
      ;;
    kafka)
      ensure_kafka_libs >/dev/null
      ((KAFKA_NODES > 1)) && svc=kafka-$node
      stop_service "$svc" "$mode"
      # Stays down this long first (outage tests: clients see the broker gone, not a blip).
      (( down_ms > 0 )) && sleep "$(awk "BEGIN { print $down_ms / 1000 }")"
      launch_kafka "$svc"
      await_kafka "$svc"
      ;;
    registry)
      # An outage of the schema registry (the cluster chaos drill): clients holding cached schemas
      # carry on, a service starting meanwhile must wait for it or exit and be restarted.
      stop_service registry "$mode"
      (( down_ms > 0 )) && sleep "$(awk "BEGIN { print $down_ms / 1000 }")"
      start_registry
      ;;
  esac
  say "$svc restarted in $(secs_since "$t0")"
}

cmd_env() {
  say "KAFKA_BROKERS=$KAFKA_BROKERS"
  say "REDIS_URL=$REDIS_URL"
  say "SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL"
  # Not REDIS_SENTINELS itself: a process given both it and REDIS_URL refuses to start.
  bash "$HERE/redis-ha.sh" env | sed 's/^/FLK_HA_/'
  # Not the clients' own KAFKA_SSL_* / KAFKA_SASL_* names: a test's environment must not switch
  # every client it starts to the SASL_SSL listener.
  if ((KAFKA_SASL)); then
    say "FLK_STACK_SASL_BROKERS=$KAFKA_SASL_BROKERS"
    say "FLK_STACK_CA_FILE=$TLS_DIR/ca.crt"
    say "FLK_STACK_SASL_DIR=$SASL_DIR"
  fi
}

cmd_reset() {
  cmd_down
  [[ -f $STACK_DIR/.lock && $STACK_DIR == */* ]] || die "refusing to wipe $STACK_DIR"
  rm -rf "$KAFKA_DATA_DIR" "$CLUSTER_DIR" "$REDIS_DATA_DIR" "$STACK_DIR"
  say "wiped $STACK_DIR"
}

usage() {
  cat <<EOF
usage: bash infra/local/stack.sh <command>
  up              install what is missing, start Redis, Kafka (KRaft), topics, schema registry
  down            stop what this stack started (pid files), data is kept
  status          health of each service (exit 1 if one is down)
  logs [svc] [-f] [-nN]   tail the logs (kafka redis registry apt maven)
  topics          create the stack's topics (idempotent)
  env             print KAFKA_BROKERS, REDIS_URL, SCHEMA_REGISTRY_URL
  restart-redis [--kill]  stop (SIGTERM, or SIGKILL with --kill) and start Redis
  restart-kafka [--kill] [--down-ms N] [--node N]  same for Kafka (down for N ms before it starts
                  again; --node: which node of the FLK_STACK_BROKERS=3 cluster, default 1)
  restart-registry [--kill] [--down-ms N]  the schema registry, down for N ms (outage tests)
  reset           down, then delete the stack's data dirs
EOF
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  topics) cmd_topics ;;
  env) cmd_env ;;
  restart-redis) shift; cmd_restart redis "$@" ;;
  restart-kafka) shift; cmd_restart kafka "$@" ;;
  restart-registry) shift; cmd_restart registry "$@" ;;
  reset) cmd_reset ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
