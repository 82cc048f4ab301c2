{{/* Names and labels. */}}
{{- define "todo-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo-api.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "todo-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "todo-api.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "todo-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The serving pods; the migration Job and the test pod carry other components. */}}
{{- define "todo-api.apiSelectorLabels" -}}
{{ include "todo-api.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{- define "todo-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-api.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag (or @digest); global.imageRegistry overrides image.registry. */}}
{{- define "todo-api.image" -}}
{{- $registry := default .Values.image.registry (dig "imageRegistry" "" (.Values.global | default dict)) }}
{{- $repository := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
checkov skips, as annotations with their reasons (checkov reads "checkov.io/skipN: ID=reason").
Called with (dict "ctx" $ "skips" (list ...)); the image checks apply to every pod.
*/}}
{{- define "todo-api.checkovSkips" -}}
{{- $image := .ctx.Values.image }}
{{- $skips := .skips }}
{{- if not $image.digest }}
{{- $skips = append $skips "CKV_K8S_43=Pinned by tag (image.tag, default the appVersion); set image.digest to pin by digest" }}
{{- end }}
{{- if ne $image.pullPolicy "Always" }}
{{- $skips = append $skips "CKV_K8S_15=Release tags are never overwritten; IfNotPresent spares a registry round trip per pod start" }}
{{- end }}
{{- if include "todo-api.openshift" .ctx }}
{{- $skips = append $skips "CKV_K8S_40=On OpenShift the restricted SCC assigns each pod a UID from the project's range (global.compatibility.openshift)" }}
{{- end }}
{{- range $i, $skip := $skips }}
checkov.io/skip{{ add1 $i }}: {{ $skip | quote }}
{{- end }}
{{- end }}

{{- define "todo-api.skipSecretsAsEnv" -}}
CKV_K8S_35=The service reads its settings, secrets included, only from environment variables
{{- end }}

{{- define "todo-api.secretName" -}}
{{- default (include "todo-api.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* More than one pod can serve at once: the rate-limit counters must then be shared. */}}
{{- define "todo-api.multiReplica" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{- define "todo-api.rateLimitEnabled" -}}
{{- if ne (toString (dig "RATE_LIMIT_ENABLED" true .Values.config)) "false" }}true{{ end }}
{{- end }}

{{/*
Refuse values that would render a broken or unsafe release. Included by the Deployment, so
`helm install`, `upgrade` and `template` stop here (`helm lint` reports the message only).
*/}}
{{- define "todo-api.validate" -}}
{{- $s := .Values.secrets }}
{{- if not $s.existingSecret }}
{{- range $key, $value := dict "secrets.databaseUrl" $s.databaseUrl "secrets.secretKey" $s.secretKey "secrets.dataEncryptionKey" $s.dataEncryptionKey }}
{{- if not $value }}
{{- fail (printf "%s is required (or set secrets.existingSecret)" $key) }}
{{- end }}
{{- end }}
{{- if and .Values.migrations.enabled (not $s.migrationsDatabaseUrl) }}
{{- fail "secrets.migrationsDatabaseUrl (the owner role) is required for the migration hook (or set secrets.existingSecret)" }}
{{- end }}
{{- if and (include "todo-api.multiReplica" .) (include "todo-api.rateLimitEnabled" .) }}
{{- if not (regexMatch "^(redis|rediss|redis\\+sentinel|redis\\+cluster)://" $s.rateLimitStorageUri) }}
{{- fail "several replicas (replicaCount > 1 or autoscaling) need shared rate-limit counters: set secrets.rateLimitStorageUri to a redis:// URL; per-pod memory counters would multiply every limit by the number of pods" }}
{{- end }}
{{- end }}
{{- end }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- $needed := add (int .Values.preStopSleepSeconds) (include "todo-api.gracefulShutdownSeconds" . | int) }}
{{- if lt $grace $needed }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must cover preStopSleepSeconds plus the server's graceful shutdown (%d in all), or in-flight requests are killed" $grace $needed) }}
{{- end }}
{{- $config := .Values.config }}
{{- $production := eq (toString (dig "ENVIRONMENT" "development" $config)) "production" }}
{{- $anyHostAllowed := eq (toString (dig "ALLOW_ANY_HOST" false $config)) "true" }}
{{- if and $production (has "*" (dig "TRUSTED_HOSTS" (list) $config)) (not $anyHostAllowed) }}
{{- fail "config.TRUSTED_HOSTS contains \"*\" (any Host header), which production refuses: list the host names served (the chart adds the Ingress's hosts and its own), or set config.ALLOW_ANY_HOST: true" }}
{{- end }}
{{- if and $production (not (dig "PUBLIC_BASE_URL" "" $config)) }}
{{- fail "config.PUBLIC_BASE_URL (where users open the web app, e.g. https://app.example.com) is required in production: e-mailed links start with it" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled" }}
{{- end }}
{{- end }}

{{/* The image's uvicorn --timeout-graceful-shutdown (tools/image/serve.py; tests/deploy ties them). */}}
{{- define "todo-api.gracefulShutdownSeconds" -}}
20
{{- end }}

{{/*
TRUSTED_HOSTS as served: config.TRUSTED_HOSTS (default none) plus the names the chart itself
uses, since the app answers 400 to any other Host: the Ingress's hosts, localhost (the probes
send it) and the Service's DNS names (the helm test and in-cluster clients). ["*"] is served
as it is (production needs ALLOW_ANY_HOST=true for it; see todo-api.validate).
*/}}
{{- define "todo-api.trustedHosts" -}}
{{- $hosts := .Values.config.TRUSTED_HOSTS | default (list) }}
{{- if not (has "*" $hosts) }}
{{- if .Values.ingress.enabled }}
{{- $hosts = concat $hosts .Values.ingress.hosts }}
{{- end }}
{{- $svc := include "todo-api.fullname" . }}
{{- $hosts = concat $hosts (list "localhost" $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace)) | uniq }}
{{- end }}
{{- toJson $hosts }}
{{- end }}

{{/*
Pod and container security: podSecurityContext and containerSecurityContext (the Pod Security
"restricted" profile by default; `enabled: false` leaves one out). On OpenShift the restricted
SCC picks the UID and GID itself and refuses pods that name their own outside the project's
range: there runAsUser, runAsGroup and fsGroup are left unset (global.compatibility.openshift.
adaptSecurityContext: force, or auto when the cluster serves security.openshift.io/v1). A
single field can also be left unset with null (`--set podSecurityContext.runAsUser=null`).
*/}}
{{- define "todo-api.openshift" -}}
{{- $mode := dig "compatibility" "openshift" "adaptSecurityContext" "auto" (.Values.global | default dict) }}
{{- if or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) }}true{{ end }}
{{- end }}

{{- define "todo-api.securityContext" -}}
{{- $context := omit .context "enabled" }}
{{- if include "todo-api.openshift" .ctx }}
{{- $context = omit $context "runAsUser" "runAsGroup" "fsGroup" }}
{{- end }}
{{- if .context.enabled }}
{{- toYaml $context }}
{{- else -}}
{}
{{- end }}
{{- end }}

{{- define "todo-api.podSecurityContext" -}}
{{- include "todo-api.securityContext" (dict "ctx" . "context" .Values.podSecurityContext) }}
{{- end }}

{{- define "todo-api.containerSecurityContext" -}}
{{- include "todo-api.securityContext" (dict "ctx" . "context" .Values.containerSecurityContext) }}
{{- end }}

{{/* A probe from values: the custom one as given, else the httpGet on path with the timings. */}}
{{- define "todo-api.probe" -}}
{{- if .custom }}
{{- toYaml .custom }}
{{- else }}
httpGet: {path: {{ .path }}, port: http, httpHeaders: [{name: Host, value: localhost}]}
{{- toYaml (omit .probe "enabled") | nindent 0 }}
{{- end }}
{{- end }}

{{/* /tmp is the only writable path (the root filesystem is read-only). */}}
{{- define "todo-api.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{- define "todo-api.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Egress to DNS, then to each of the named networkPolicy.egress rules (TCP). */}}
{{- define "todo-api.egressRules" -}}
{{- $np := .ctx.Values.networkPolicy }}
- ports:
    - {port: {{ $np.egress.dns.port }}, protocol: UDP}
    - {port: {{ $np.egress.dns.port }}, protocol: TCP}
  {{- with $np.egress.dns.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- range $name := .rules }}
{{- $rule := index $np.egress $name }}
- ports:
    - {port: {{ $rule.port }}, protocol: TCP}
  {{- with $rule.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}
