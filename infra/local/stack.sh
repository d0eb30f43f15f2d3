#!/usr/bin/env bash
# FLK local real-services stack: Kafka (single node, KRaft, jars from Maven Central), Redis (Debian's
# redis-server, our own instance), and the schema registry (apps/schema-registry). No Docker.
#
#   bash infra/local/stack.sh up|down|status|logs|topics|env|restart-redis|restart-kafka|reset
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
REDIS_CONF=$STACK_DIR/redis/redis.conf

export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
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

mkdirs() { mkdir -p "$RUN_DIR" "$LOG_DIR" "$STACK_DIR/kafka" "$STACK_DIR/redis" "$KAFKA_DATA_DIR" "$REDIS_DATA_DIR"; }

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
    kafka) [[ $cmd == *" kafka.Kafka $KAFKA_CONF"* ]] ;;
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
  case $1 in kafka) echo "$KAFKA_PORT" ;; redis) echo "$REDIS_PORT" ;; registry) echo "$SCHEMA_REGISTRY_PORT" ;; esac
}

healthy() {
  case $1 in
    redis) [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] ;;
    kafka) node "$HERE/kafka-ready.mjs" --once >/dev/null 2>&1 ;;
    registry)
      curl -fsS -o /dev/null -m 2 "$SCHEMA_REGISTRY_URL/" 2>/dev/null ||
        curl -fsS -o /dev/null -m 2 "$SCHEMA_REGISTRY_URL/subjects" 2>/dev/null ;;
  esac
}

# Wait until service $1 (pid $2) is healthy; fails early if the process exits.
wait_healthy() {
  local svc=$1 pid=$2 limit=${3:-$START_TIMEOUT} deadline rc
  deadline=$(($(now_ms) + limit * 1000))
  if [[ $svc == kafka ]]; then
    rc=0
    node "$HERE/kafka-ready.mjs" --pid "$pid" --timeout-ms $((limit * 1000)) || rc=$?
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
  cat >"$KAFKA_CONF" <<EOF
# Generated by infra/local/stack.sh on each start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$KAFKA_DATA_DIR
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=33554432
EOF
}

# The one java command line (classpath = every jar Maven copied); main class and args follow.
kafka_java_cmd() {
  local logconf=-Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml"   # 4.x: log4j2
  [[ $KAFKA_LINE == 3 ]] && logconf=-Dlog4j.configuration="file:$HERE/kafka/log4j.properties"   # 3.x: reload4j
  # shellcheck disable=SC2206 # heap and JVM options are word lists
  KAFKA_JAVA=(java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS "$logconf" -Dkafka.logs.dir="$LOG_DIR"
    -cp "$KAFKA_LIB/*")
}

format_kafka_storage() {
  local cid t0 rc=0
  [[ -f $KAFKA_DATA_DIR/meta.properties ]] && return 0
  t0=$(now_ms)
  cid=${KAFKA_CLUSTER_ID:-}
  # A Kafka Uuid: 16 random bytes, base64url without padding, not starting with '-' (CLI parsing).
  while [[ -z $cid || $cid == -* ]]; do cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
  kafka_java_cmd
  "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_CONF" --ignore-formatted \
    >>"$LOG_DIR/kafka.stdout.log" 2>&1 || rc=$?
  ((rc == 0)) || { log_tail "$LOG_DIR/kafka.stdout.log"; die "kafka storage format failed (exit $rc)"; }
  row kafka "formatted $KAFKA_DATA_DIR (cluster id $cid) in $(secs_since "$t0")"
}

# Launches the broker in its own session (Ctrl-C on `up` or the test runner does not reach it).
launch_kafka() {
  write_kafka_conf
  format_kafka_storage
  KAFKA_STARTED_MS=$(now_ms)
  kafka_java_cmd
  # Not a process-group leader here (no job control), so setsid execs java in place: $! is java.
  # 7>&- 8>&-: the lock fds must not live on in the service, or the lock would outlive this script.
  setsid "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_CONF" >>"$LOG_DIR/kafka.stdout.log" 2>&1 </dev/null 7>&- 8>&- &
  echo $! >"$(pidfile kafka)"
}

await_kafka() {
  local pid rc=0
  pid=$(tr -dc '0-9' <"$(pidfile kafka)")
  wait_healthy kafka "$pid" || rc=$?
  if ((rc != 0)); then
    log_tail "$LOG_DIR/kafka.stdout.log" "$LOG_DIR/kafka.log"
    ((rc == 2)) && die "kafka (pid $pid) exited during start-up"
    die "kafka not healthy on $KAFKA_BROKERS after ${START_TIMEOUT}s (pid $pid left running: see logs, then stack.sh down)"
  fi
  row kafka "$KAFKA_BROKERS (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)  ready in $(secs_since "$KAFKA_STARTED_MS") (pid $pid, kafka $KAFKA_VERSION, KRaft)"
}

run_topics() {
  local t0 out
  t0=$(now_ms)
  out=$(node "$HERE/topics.mjs") || die "topic creation failed: $out"
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
  if [[ -n $pid && $svc == kafka && $(cmdline "$pid") != *"$KAFKA_LIB/*"* ]]; then
    warn "kafka (pid $pid) runs another Kafka version than $KAFKA_VERSION: restarting it"
    stop_service kafka
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
  if port_open "$port" || { [[ $svc == kafka ]] && port_open "$KAFKA_CONTROLLER_PORT" && port=$KAFKA_CONTROLLER_PORT; }; then
    die "$svc: 127.0.0.1:$port is in use by a process this stack did not start: stop it, or choose other ports (docs/local-stack.md)"
  fi
  return 1
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
  if ! check_running kafka 20; then
    launch_kafka
    need_kafka=1
  fi
  if ! wait "$apt_job"; then
    cat "$RUN_DIR/apt.out" >&2
    die "installing packages failed"
  fi
  cat "$RUN_DIR/apt.out"
  if ! check_running redis 5; then start_redis; fi
  if ((need_kafka)); then await_kafka; fi
  run_topics

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
  stop_service kafka
  stop_service redis
  say "stack down in $(secs_since "$t0") (data kept; 'stack.sh reset' wipes it)"
}

cmd_status() {
  local svc pid port bad=0
  say "flk stack: status ($STACK_DIR)"
  for svc in redis kafka registry; do
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
        kafka) row "$svc" "healthy  $KAFKA_BROKERS (controller :$KAFKA_CONTROLLER_PORT)  pid $pid" ;;
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
      kafka) files+=("$LOG_DIR/kafka.log" "$LOG_DIR/kafka.stdout.log") ;;
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
  healthy kafka || die "kafka is not running on $KAFKA_BROKERS (stack.sh up)"
  run_topics
}

# restart-redis / restart-kafka [--kill]: for fault tests. --kill stops with SIGKILL (a crash).
cmd_restart() {
  local svc=$1 mode=term t0 down_ms=0
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --kill) mode="kill" ;;
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
      stop_service kafka "$mode"
      # Stays down this long first (outage tests: clients see the broker gone, not a blip).
      (( down_ms > 0 )) && sleep "$(awk "BEGIN { print $down_ms / 1000 }")"
      launch_kafka
      await_kafka
      ;;
  esac
  say "$svc restarted in $(secs_since "$t0")"
}

cmd_env() {
  say "KAFKA_BROKERS=$KAFKA_BROKERS"
  say "REDIS_URL=$REDIS_URL"
  say "SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL"
}

cmd_reset() {
  cmd_down
  [[ -f $STACK_DIR/.lock && $STACK_DIR == */* ]] || die "refusing to wipe $STACK_DIR"
  rm -rf "$KAFKA_DATA_DIR" "$REDIS_DATA_DIR" "$STACK_DIR"
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
  restart-kafka [--kill] [--down-ms N]  same for Kafka (down for N ms before it starts again)
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
  reset) cmd_reset ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
