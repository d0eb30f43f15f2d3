{{/* Names ------------------------------------------------------------------------------------- */}}
{{- define "flk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "flk.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<component>", e.g. flk-verifier. Call with (list $ "verifier"). */}}
{{- define "flk.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "flk.fullname" $root | trunc 50 | trimSuffix "-") (index . 1) -}}
{{- end -}}

{{- define "flk.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "flk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: flk
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component. Call with (list $ "verifier"). */}}
{{- define "flk.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "flk.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "flk.componentLabels" -}}
{{ include "flk.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "flk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "flk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image reference. Call with (list $ .Values.verifier.image). */}}
{{- define "flk.image" -}}
{{- $root := index . 0 -}}
{{- $img := index . 1 -}}
{{- $ref := printf "%s%s:%s" $root.Values.image.registry $img.repository (default $root.Chart.AppVersion $root.Values.image.tag) -}}
{{- if $img.digest -}}{{- $ref = printf "%s@%s" $ref $img.digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* Secrets ----------------------------------------------------------------------------------- */}}
{{- define "flk.secretName" -}}
{{- default (include "flk.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* A secretKeyRef for a {name, key} value; an empty name means the chart's Secret. Call with (list $ ref). */}}
{{- define "flk.secretKeyRef" -}}
{{- $root := index . 0 -}}
{{- $ref := index . 1 -}}
secretKeyRef:
  name: {{ default (include "flk.secretName" $root) $ref.name }}
  key: {{ $ref.key }}
{{- end -}}

{{/* Endpoints ---------------------------------------------------------------------------------- */}}
{{- define "flk.schemaRegistryUrl" -}}
{{- if .Values.schemaRegistry.enabled -}}
{{- printf "http://%s:%v" (include "flk.componentName" (list . "schema-registry")) .Values.schemaRegistry.port -}}
{{- else -}}
{{- required "schemaRegistry.url is required when schemaRegistry.enabled=false" .Values.schemaRegistry.url -}}
{{- end -}}
{{- end -}}

{{- define "flk.redisUrl" -}}
{{- $r := .Values.redis -}}
{{- $auth := "" -}}
{{- if $r.auth.enabled -}}{{- $auth = printf "%s:$(REDIS_PASSWORD)@" $r.auth.username -}}{{- end -}}
{{- printf "%s://%s%s:%v/%v" (ternary "rediss" "redis" $r.tls.enabled) $auth $r.host $r.port $r.db -}}
{{- end -}}

{{/*
Kafka connection env of every Kafka client (verifier, sink, schema registry, topics Job): brokers,
TLS (KAFKA_SSL, KAFKA_SSL_CA_FILE from the mounted kafka.tls.caSecret) and SASL (the password from a
Secret). Pair with flk.volumes / flk.volumeMounts, which mount the CA.
*/}}
{{- define "flk.kafkaEnv" -}}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" .Values.kafka.brokers | quote }}
- name: KAFKAJS_NO_PARTITIONER_WARNING
  value: "1"
{{- if .Values.kafka.tls.enabled }}
- name: KAFKA_SSL
  value: "true"
{{- if .Values.kafka.tls.caSecret.name }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/flk/kafka-ca/{{ .Values.kafka.tls.caSecret.key }}
{{- end }}
{{- end }}
{{- if .Values.kafka.sasl.enabled }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required with kafka.sasl.enabled" .Values.kafka.sasl.username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    {{- include "flk.secretKeyRef" (list . .Values.kafka.sasl.passwordSecret) | nindent 4 }}
{{- end }}
{{- end -}}

{{/* Environment shared by the verifier and the sink. */}}
{{- define "flk.commonEnv" -}}
{{ include "flk.kafkaEnv" . }}
- name: SCHEMA_REGISTRY_URL
  value: {{ include "flk.schemaRegistryUrl" . | quote }}
{{- if and (not .Values.schemaRegistry.enabled) .Values.schemaRegistry.auth.enabled }}
- name: SCHEMA_REGISTRY_USERNAME
  value: {{ required "schemaRegistry.auth.username is required with schemaRegistry.auth.enabled" .Values.schemaRegistry.auth.username | quote }}
- name: SCHEMA_REGISTRY_PASSWORD
  valueFrom:
    {{- include "flk.secretKeyRef" (list . .Values.schemaRegistry.auth.passwordSecret) | nindent 4 }}
{{- end }}
- name: PCS_SUBMITTED_TOPIC
  value: {{ .Values.topics.submitted | quote }}
- name: PCS_VERDICTS_TOPIC
  value: {{ .Values.topics.verdicts | quote }}
- name: PCS_DLQ_TOPIC
  value: {{ .Values.topics.dlq | quote }}
- name: PCS_REPLIES_TOPIC
  value: {{ .Values.topics.replies | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{- define "flk.metricsAuthEnv" -}}
- name: METRICS_USER
  valueFrom:
    {{- include "flk.secretKeyRef" (list . (dict "name" "" "key" "METRICS_USER")) | nindent 4 }}
- name: METRICS_PASS
  valueFrom:
    {{- include "flk.secretKeyRef" (list . (dict "name" "" "key" "METRICS_PASS")) | nindent 4 }}
{{- end -}}

{{/* Volumes for /tmp and the Kafka CA; mounts to match. */}}
{{- define "flk.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret.name }}
    items:
      - key: {{ .Values.kafka.tls.caSecret.key }}
        path: {{ .Values.kafka.tls.caSecret.key }}
{{- end }}
{{- end -}}

{{- define "flk.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/flk/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{- define "flk.probes" -}}
startupProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /ready
    port: http
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* How the verifier and the gateway reach Redis: REDIS_URL (standalone) or the sentinels (docs/redis-ha.md). */}}
{{- define "flk.redisEnv" -}}
{{- $r := .Values.redis -}}
{{- if $r.auth.enabled }}
# Defined before REDIS_URL, which embeds it with $(REDIS_PASSWORD).
- name: REDIS_PASSWORD
  valueFrom:
    {{- include "flk.secretKeyRef" (list . $r.auth.passwordSecret) | nindent 4 }}
{{- end }}
{{- if eq $r.mode "sentinel" }}
- name: REDIS_SENTINELS
  value: {{ join "," $r.sentinel.hosts | quote }}
- name: REDIS_SENTINEL_NAME
  value: {{ $r.sentinel.masterName | quote }}
- name: REDIS_TLS
  value: {{ $r.tls.enabled | quote }}
- name: REDIS_DB
  value: {{ $r.db | quote }}
{{- with $r.auth.username }}
- name: REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if $r.sentinel.passwordSecret.name }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    {{- include "flk.secretKeyRef" (list . $r.sentinel.passwordSecret) | nindent 4 }}
{{- end }}
{{- else }}
- name: REDIS_URL
  value: {{ include "flk.redisUrl" . | quote }}
{{- end }}
{{- if ne (toString $r.wait.replicas) "" }}
- name: REDIS_WAIT_REPLICAS
  value: {{ $r.wait.replicas | quote }}
{{- end }}
- name: REDIS_WAIT_TIMEOUT_MS
  value: {{ $r.wait.timeoutMs | quote }}
{{- end -}}

{{/* Checks that fail the render early with a readable message. */}}
{{- define "flk.validate" -}}
{{- if and .Values.verifier.autoscaling.enabled .Values.verifier.keda.enabled -}}
{{- fail "verifier.autoscaling.enabled and verifier.keda.enabled are exclusive (KEDA manages its own HPA)" -}}
{{- end -}}
{{- if not (has .Values.pcs.signAlg (list "" "none" "hmac" "ed25519")) -}}
{{- fail "pcs.signAlg must be empty, none, hmac or ed25519" -}}
{{- end -}}
{{- if and (eq .Values.pcs.signAlg "") (not .Values.pcs.keyRing.secretName) -}}
{{- fail "no signing configuration: set pcs.keyRing.secretName (v0.2 tenant keys) and/or pcs.signAlg=hmac|ed25519 with its keys; pcs.signAlg=none runs without signature checks" -}}
{{- end -}}
{{- if ge (int64 .Values.pcs.maxAgeSeconds) (int64 .Values.verifier.dedupTtlSeconds) -}}
{{- fail "pcs.maxAgeSeconds must be less than verifier.dedupTtlSeconds (a replay must meet its dedup key or the age window)" -}}
{{- end -}}
{{- if not (has .Values.redis.mode (list "standalone" "sentinel")) -}}
{{- fail "redis.mode must be standalone or sentinel" -}}
{{- end -}}
{{- if and (eq .Values.redis.mode "sentinel") (or (empty .Values.redis.sentinel.hosts) (not .Values.redis.sentinel.masterName)) -}}
{{- fail "redis.mode=sentinel: redis.sentinel.hosts (host:port list) and redis.sentinel.masterName are required" -}}
{{- end -}}
{{- if and (eq .Values.pcs.signAlg "ed25519") (empty .Values.pcs.ed25519PublicKeys) -}}
{{- fail "pcs.ed25519PublicKeys: at least one public key is required with pcs.signAlg=ed25519" -}}
{{- end -}}
{{- if not .Values.secrets.existingSecret -}}
{{- if and (eq .Values.pcs.signAlg "hmac") (not .Values.pcs.hmacKeySecret.name) (not .Values.secrets.values.PCS_HMAC_KEY) -}}
{{- fail "pcs.signAlg=hmac: set secrets.existingSecret, pcs.hmacKeySecret.name or secrets.values.PCS_HMAC_KEY" -}}
{{- end -}}
{{- if and .Values.metrics.basicAuth.enabled (or (not .Values.secrets.values.METRICS_USER) (not .Values.secrets.values.METRICS_PASS)) -}}
{{- fail "metrics.basicAuth.enabled: set secrets.existingSecret or secrets.values.METRICS_USER and METRICS_PASS" -}}
{{- end -}}
{{- if and .Values.kafka.sasl.enabled (not .Values.kafka.sasl.passwordSecret.name) (not .Values.secrets.values.KAFKA_SASL_PASSWORD) -}}
{{- fail "kafka.sasl.enabled: set secrets.existingSecret, kafka.sasl.passwordSecret.name or secrets.values.KAFKA_SASL_PASSWORD" -}}
{{- end -}}
{{- if and .Values.redis.auth.enabled (not .Values.redis.auth.passwordSecret.name) (not .Values.secrets.values.REDIS_PASSWORD) -}}
{{- fail "redis.auth.enabled: set secrets.existingSecret, redis.auth.passwordSecret.name or secrets.values.REDIS_PASSWORD" -}}
{{- end -}}
{{- end -}}
{{- end -}}
