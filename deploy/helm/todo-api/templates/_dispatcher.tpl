{{/* The dispatcher (python -m dispatcher in the same image): names, labels, checks. */}}
{{- define "todo-api.dispatcherName" -}}
{{- printf "%s-dispatcher" (include "todo-api.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo-api.dispatcherSelectorLabels" -}}
{{ include "todo-api.selectorLabels" . }}
app.kubernetes.io/component: dispatcher
{{- end }}

{{/* Where DISPATCHER_DATABASE_URL is read: the existing Secret, or the chart's own. */}}
{{- define "todo-api.dispatcherSecretName" -}}
{{- default (include "todo-api.dispatcherName" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
On SIGTERM the dispatcher takes no new job and lets deliveries in flight finish; each is bounded
by the webhook connect and read timeouts. The grace period must cover that, plus a few seconds
to record the outcomes; otherwise the kubelet's SIGKILL turns a drain into a redelivery.
(An e-mail in flight is bounded per SMTP command by SMTP_TIMEOUT_SECONDS; one cut short is sent
again, at least once.)
In production the dispatcher sends e-mail and refuses to start without a mail server and a
sender, or with neither STARTTLS nor implicit TLS (the messages carry tokens): the chart says so
at install time rather than with a crash-looping pod.
*/}}
{{- define "todo-api.dispatcherValidate" -}}
{{- $config := merge (dict) .Values.dispatcher.config .Values.config }}
{{- $connect := float64 (dig "WEBHOOK_CONNECT_TIMEOUT_SECONDS" 5 $config) }}
{{- $read := float64 (dig "WEBHOOK_READ_TIMEOUT_SECONDS" 10 $config) }}
{{- $needed := addf $connect $read 5 }}
{{- if lt (float64 .Values.dispatcher.terminationGracePeriodSeconds) $needed }}
{{- fail (printf "dispatcher.terminationGracePeriodSeconds must be at least %v: a delivery in flight may take the connect and read timeouts (%v + %v s), plus 5 s to record it" $needed $connect $read) }}
{{- end }}
{{- if and (eq (toString (dig "ENVIRONMENT" "development" $config)) "production") (not (and (dig "SMTP_HOST" "" $config) (dig "SMTP_FROM" "" $config))) }}
{{- fail "dispatcher.config.SMTP_HOST and SMTP_FROM are required in production: the dispatcher sends e-mail (README: E-mail)" }}
{{- end }}
{{- if and (eq (toString (dig "ENVIRONMENT" "development" $config)) "production") (not (or (dig "SMTP_STARTTLS" true $config) (dig "SMTP_TLS" false $config))) }}
{{- fail "dispatcher.config: e-mails carry tokens, production refuses SMTP without TLS (SMTP_STARTTLS or SMTP_TLS) (README: E-mail)" }}
{{- end }}
{{- end }}
