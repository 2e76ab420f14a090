{{/*
Chart name, truncated to 63 characters (the limit of a DNS label).
*/}}
{{- define "vb365-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or the release name alone when it already contains the chart name.
*/}}
{{- define "vb365-exporter.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "vb365-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Namespace of every namespaced object.
*/}}
{{- define "vb365-exporter.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "vb365-exporter.labels" -}}
helm.sh/chart: {{ include "vb365-exporter.chart" . }}
{{ include "vb365-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "vb365-exporter.name" . }}
{{- end }}

{{/*
Selector labels: stable for the life of a release (Deployment and StatefulSet selectors are immutable).
*/}}
{{- define "vb365-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vb365-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the ServiceAccount the pods run as.
*/}}
{{- define "vb365-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vb365-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "vb365-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Whether the pods form a StatefulSet of shards.
*/}}
{{- define "vb365-exporter.sharded" -}}
{{- if gt (int .Values.shards) 1 }}true{{ end }}
{{- end }}

{{/*
Whether the exporter serves HTTPS (its web config turns TLS on).
*/}}
{{- define "vb365-exporter.webTls" -}}
{{- if or .Values.webConfig.tls (hasKey .Values.webConfig.config "tls_server_config") }}true{{ end }}
{{- end }}

{{/*
Whether a web config file is mounted.
*/}}
{{- define "vb365-exporter.webConfigEnabled" -}}
{{- if or .Values.webConfig.existingSecret (not (empty .Values.webConfig.config)) }}true{{ end }}
{{- end }}

{{/*
Name of the Secret holding the web config file.
*/}}
{{- define "vb365-exporter.webConfigSecretName" -}}
{{- if .Values.webConfig.existingSecret }}
{{- .Values.webConfig.existingSecret }}
{{- else }}
{{- printf "%s-web-config" (include "vb365-exporter.fullname" .) }}
{{- end }}
{{- end }}

{{/*
Key of a server's password in the chart's Secret.
*/}}
{{- define "vb365-exporter.passwordKey" -}}
{{- printf "%s-password" .name }}
{{- end }}

{{/*
Whether any server keeps its password in the chart's Secret.
*/}}
{{- define "vb365-exporter.hasChartSecret" -}}
{{- range .Values.servers }}
{{- if not .existingSecret }}true{{ end }}
{{- end }}
{{- end }}

{{/*
Whether any server trusts a CA from a Secret or ConfigMap.
*/}}
{{- define "vb365-exporter.hasCa" -}}
{{- range .Values.servers }}
{{- if and .ca (or .ca.secretName .ca.configMapName) }}true{{ end }}
{{- end }}
{{- end }}

{{/*
Checks that need more than the JSON schema: at least one server, unique names, a URL and a password
source for each. Fails the render with a message naming the value.
*/}}
{{- define "vb365-exporter.validate" -}}
{{- if empty .Values.servers }}
{{- fail "servers: at least one VB365 server is required" }}
{{- end }}
{{- $seen := dict }}
{{- range $i, $s := .Values.servers }}
{{- $name := required (printf "servers[%d].name is required" $i) $s.name }}
{{- if hasKey $seen $name }}
{{- fail (printf "servers[%d].name: %q is used by more than one server" $i $name) }}
{{- end }}
{{- $_ := set $seen $name true }}
{{- $_ := required (printf "servers[%d].url is required (server %q)" $i $name) $s.url }}
{{- $_ := required (printf "servers[%d].username is required (server %q)" $i $name) $s.username }}
{{- if not $s.existingSecret }}
{{- $_ := required (printf "servers[%d].password is required (or set servers[%d].existingSecret) for server %q" $i $i $name) $s.password }}
{{- end }}
{{- if and $s.ca $s.ca.secretName $s.ca.configMapName }}
{{- fail (printf "servers[%d].ca: set secretName or configMapName, not both" $i) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The exporter's config file. Only paths reach it: passwords and CAs are mounted as files.
*/}}
{{- define "vb365-exporter.config" -}}
{{- include "vb365-exporter.validate" . -}}
listen_address: ":10365"
log_level: {{ .Values.logLevel | quote }}
log_format: {{ .Values.logFormat | default "json" | quote }}
servers:
{{- range .Values.servers }}
  - name: {{ .name | quote }}
    url: {{ .url | quote }}
    {{- with .apiVersion }}
    api_version: {{ . | quote }}
    {{- end }}
    username: {{ .username | quote }}
    password_file: {{ printf "/etc/vb365-exporter/secrets/%s/password" .name | quote }}
    organizations: {{ .organizations | default list | toJson }}
    {{- if and .ca (or .ca.secretName .ca.configMapName) }}
    ca_file: {{ printf "/etc/vb365-exporter/ca/%s/ca.crt" .name | quote }}
    {{- end }}
    tls_insecure: {{ .tlsInsecure | default false }}
    {{- if hasKey . "pollInterval" }}
    poll_interval: {{ .pollInterval | toString | quote }}
    {{- end }}
    {{- if hasKey . "pollConcurrency" }}
    poll_concurrency: {{ int .pollConcurrency }}
    {{- end }}
    {{- if hasKey . "requestTimeout" }}
    request_timeout: {{ .requestTimeout | toString | quote }}
    {{- end }}
    {{- if hasKey . "maxResponseBytes" }}
    max_response_bytes: {{ int64 .maxResponseBytes }}
    {{- end }}
    {{- with .collection }}
    collection: {{ . | quote }}
    {{- end }}
    {{- if hasKey . "collectionVerificationCycles" }}
    collection_verification_cycles: {{ int .collectionVerificationCycles }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
A probe from values; switched to HTTPS when the exporter serves TLS and no scheme is given.
Call with (dict "probe" .Values.livenessProbe "root" .).
*/}}
{{- define "vb365-exporter.probe" -}}
{{- $probe := deepCopy .probe }}
{{- if and $probe.httpGet (include "vb365-exporter.webTls" .root) (not $probe.httpGet.scheme) }}
{{- $_ := set $probe.httpGet "scheme" "HTTPS" }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/*
The pod template shared by the Deployment (one pod) and the StatefulSet (one pod per shard).
*/}}
{{- define "vb365-exporter.podTemplate" -}}
metadata:
  labels:
    {{- include "vb365-exporter.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    checksum/secret: {{ print (include (print $.Template.BasePath "/secret.yaml") .) (include (print $.Template.BasePath "/web-config-secret.yaml") .) | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "vb365-exporter.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  containers:
    - name: exporter
      image: {{ include "vb365-exporter.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command:
        - node
        - /app/dist/main.js
      args:
        - --config
        - /etc/vb365-exporter/config.yaml
        {{- range .Values.extraArgs }}
        - {{ . | quote }}
        {{- end }}
      env:
        {{- if include "vb365-exporter.sharded" . }}
        # Shard i of N: the exporter takes i from the pod name (<statefulset>-<ordinal>).
        - name: VB365_SHARD_INDEX
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: VB365_SHARD_COUNT
          value: {{ int .Values.shards | quote }}
        {{- end }}
        {{- if include "vb365-exporter.webConfigEnabled" . }}
        - name: VB365_WEB_CONFIG_FILE
          value: /etc/vb365-exporter/web/web-config.yml
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: http
          containerPort: 10365
          protocol: TCP
      {{- with .Values.livenessProbe }}
      livenessProbe:
        {{- include "vb365-exporter.probe" (dict "probe" . "root" $) | nindent 8 }}
      {{- end }}
      {{- with .Values.readinessProbe }}
      readinessProbe:
        {{- include "vb365-exporter.probe" (dict "probe" . "root" $) | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: /etc/vb365-exporter/config.yaml
          subPath: config.yaml
          readOnly: true
        - name: secrets
          mountPath: /etc/vb365-exporter/secrets
          readOnly: true
        {{- if include "vb365-exporter.hasCa" . }}
        - name: ca
          mountPath: /etc/vb365-exporter/ca
          readOnly: true
        {{- end }}
        {{- if include "vb365-exporter.webConfigEnabled" . }}
        - name: web-config
          mountPath: /etc/vb365-exporter/web
          readOnly: true
        {{- end }}
        {{- if .Values.webConfig.tlsSecretName }}
        - name: web-tls
          mountPath: /etc/vb365-exporter/tls
          readOnly: true
        {{- end }}
        - name: tmp
          mountPath: /tmp
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "vb365-exporter.fullname" . }}
    - name: secrets
      projected:
        defaultMode: 288 {{- /* 0440: readable by the owner and by fsGroup */}}
        sources:
          {{- range .Values.servers }}
          - secret:
              {{- if .existingSecret }}
              name: {{ .existingSecret }}
              items:
                - key: {{ .existingSecretKey | default "password" }}
                  path: {{ .name }}/password
              {{- else }}
              name: {{ include "vb365-exporter.fullname" $ }}
              items:
                - key: {{ include "vb365-exporter.passwordKey" . }}
                  path: {{ .name }}/password
              {{- end }}
          {{- end }}
    {{- if include "vb365-exporter.hasCa" . }}
    - name: ca
      projected:
        defaultMode: 292 {{- /* 0444: a CA is public */}}
        sources:
          {{- range .Values.servers }}
          {{- if and .ca .ca.secretName }}
          - secret:
              name: {{ .ca.secretName }}
              items:
                - key: {{ .ca.key | default "ca.crt" }}
                  path: {{ .name }}/ca.crt
          {{- else if and .ca .ca.configMapName }}
          - configMap:
              name: {{ .ca.configMapName }}
              items:
                - key: {{ .ca.key | default "ca.crt" }}
                  path: {{ .name }}/ca.crt
          {{- end }}
          {{- end }}
    {{- end }}
    {{- if include "vb365-exporter.webConfigEnabled" . }}
    - name: web-config
      secret:
        secretName: {{ include "vb365-exporter.webConfigSecretName" . }}
        defaultMode: 288
        items:
          - key: {{ if .Values.webConfig.existingSecret }}{{ .Values.webConfig.existingSecretKey }}{{ else }}web-config.yml{{ end }}
            path: web-config.yml
    {{- end }}
    {{- if .Values.webConfig.tlsSecretName }}
    - name: web-tls
      secret:
        secretName: {{ .Values.webConfig.tlsSecretName }}
        defaultMode: 288
    {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
