{{/* The retention purge (python -m todo_api.purge in the same image, a CronJob): names, labels. */}}
{{- define "todo-api.purgeName" -}}
{{- printf "%s-purge" (include "todo-api.fullname" .) | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "todo-api.purgeSelectorLabels" -}}
{{ include "todo-api.selectorLabels" . }}
app.kubernetes.io/component: purge
{{- end }}
