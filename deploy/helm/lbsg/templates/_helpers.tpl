{{- define "lbsg.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "lbsg.fullname" -}}
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

{{- define "lbsg.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lbsg.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* creator (LBC's hidden value): anything but "helm" drops Helm's labels. */}}
{{- define "lbsg.labels" -}}
{{ include "lbsg.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- if eq (default "helm" .Values.creator) "helm" }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- with .Values.additionalLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "lbsg.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lbsg.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "lbsg.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/* The Lease name: must match LeaderElectionID in internal/cli/controller.go. */}}
{{- define "lbsg.leaseName" -}}
lbsg-leader-{{ include "lbsg.clusterName" . }}
{{- end }}

{{/* The applied-model record's ConfigMap: must match applied.Name in internal/controller/applied. */}}
{{- define "lbsg.appliedConfigMapName" -}}
lbsg-applied-{{ include "lbsg.clusterName" . }}
{{- end }}

{{/* The readiness-gate names the leader publishes: must match readiness.SharedName. */}}
{{- define "lbsg.gatesConfigMapName" -}}
lbsg-gates-{{ include "lbsg.clusterName" . }}
{{- end }}

{{/* lbsg's image. LBC's (a repository ending in /aws-load-balancer-controller,
as a values file written for LBC names it) is replaced by lbsg's: running
LBC's binary with lbsg's arguments would fail. */}}
{{- define "lbsg.image" -}}
{{- $repo := .Values.image.repository }}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- $digest := .Values.image.digest }}
{{- if or (not $repo) (eq (base $repo) "aws-load-balancer-controller") }}
{{- $repo = include "lbsg.defaultRepository" . }}
{{- $tag = .Chart.AppVersion }}
{{- $digest = "" }}
{{- end }}
{{- if $digest }}
{{- printf "%s@%s" $repo $digest }}
{{- else }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}
{{- end }}

{{/* Must match image.repository in values.yaml (deploy/chart_test.go). */}}
{{- define "lbsg.defaultRepository" -}}
ghcr.io/lbsg/lbsg
{{- end }}

{{/* The metrics port: metricsBindAddr's port (default 8080), 0 when disabled. */}}
{{- define "lbsg.metricsPort" -}}
{{- $addr := default ":8080" .Values.metricsBindAddr | toString }}
{{- if eq $addr "0" }}0{{ else }}{{ (split ":" $addr)._1 | default "8080" }}{{ end }}
{{- end }}

{{/* "k1=v1,k2=v2" from a map, keys sorted. */}}
{{- define "lbsg.kvList" -}}
{{- $out := list }}
{{- range $k, $v := . }}
{{- $out = append $out (printf "%s=%v" $k $v) }}
{{- end }}
{{- join "," $out }}
{{- end }}

{{/* clusterName, templated as in LBC's chart; required. */}}
{{- define "lbsg.clusterName" -}}
{{- required "clusterName is required" (tpl (default "" .Values.clusterName | toString) .) }}
{{- end }}

{{/* A flag's comma-separated text from a string (as is), a list or a map (k=v). */}}
{{- define "lbsg.csv" -}}
{{- if kindIs "map" . }}{{ include "lbsg.kvList" . }}
{{- else if kindIs "slice" . }}{{ join "," . }}
{{- else }}{{ toString . }}
{{- end }}
{{- end }}

{{/* The webhook Service, as LBC's chart names it after the release. */}}
{{- define "lbsg.webhookService" -}}
{{- printf "%s-webhook-service" (include "lbsg.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The webhook serving certificate's Secret. */}}
{{- define "lbsg.webhookCertSecret" -}}
{{- printf "%s-tls" (include "lbsg.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The webhook certificate when cert-manager does not issue it, as LBC's chart
makes it: webhookTLS when all three are given; else, with keepTLSSecret, the
Secret of an earlier install; else a CA and a certificate generated now
(each upgrade rotates them).
*/}}
{{- define "lbsg.webhookCerts" -}}
{{- $svc := include "lbsg.webhookService" . -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "lbsg.webhookCertSecret" .) -}}
{{- if and .Values.webhookTLS.caCert .Values.webhookTLS.cert .Values.webhookTLS.key -}}
caCert: {{ .Values.webhookTLS.caCert | b64enc }}
clientCert: {{ .Values.webhookTLS.cert | b64enc }}
clientKey: {{ .Values.webhookTLS.key | b64enc }}
{{- else if and .Values.keepTLSSecret (not .Values.enableCertManager) $secret -}}
caCert: {{ index $secret.data "ca.crt" }}
clientCert: {{ index $secret.data "tls.crt" }}
clientKey: {{ index $secret.data "tls.key" }}
{{- else -}}
{{- $altNames := list (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.%s" $svc .Release.Namespace .Values.cluster.dnsDomain) -}}
{{- $ca := genCA "lbsg-webhook-ca" 3650 -}}
{{- $cert := genSignedCert (include "lbsg.fullname" .) nil $altNames 3650 $ca -}}
caCert: {{ $ca.Cert | b64enc }}
clientCert: {{ $cert.Cert | b64enc }}
clientKey: {{ $cert.Key | b64enc }}
{{- end -}}
{{- end }}
