#!/usr/bin/env bash
# Validates deploy/ without a cluster or a container runtime:
#   - every Kubernetes manifest against the Kubernetes JSON schemas, in strict mode (unknown
#     fields are errors), for each version in VANBAN_K8S_VERSIONS;
#   - what the schemas cannot see: selectors that match the pod labels, named ports that
#     exist, the HPA target, the PDB vs the replica floor, the restricted security settings,
#     and that kustomization.yaml lists exactly the manifests in the folder;
#   - the Containerfile: a build stage and a runtime stage, running as a non-root USER.
#
# The validator is kubernetes-validate from PyPI, pinned with its dependencies in
# deploy/requirements.txt and installed into a private venv. It ships the schemas, so once
# installed this runs offline (nothing is fetched at validation time).
#
# Usage: scripts/validate-deploy.sh [DEPLOY_DIR]     (default: deploy/ of this repository)
# Env:   VANBAN_K8S_VERSIONS   Kubernetes versions to validate against (default "1.31 1.37":
#                              an older release still in wide use, and the newest the pinned
#                              validator knows)
# Exit:  0 when everything is valid, 1 when anything is not.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deploy_dir="$(cd "${1:-$root/deploy}" && pwd)"
requirements="$root/deploy/requirements.txt"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/vanban-deploy-venv"
versions="${VANBAN_K8S_VERSIONS:-1.31 1.37}"

# (Re)build the venv only when the pins or the Python interpreter changed.
want="$(python3 -c 'import sys; print(sys.version.split()[0])') $(sha256sum "$requirements" | cut -d' ' -f1)"
stamp="$venv/.vanban-requirements"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]]; then
    echo "validate-deploy: installing the validator into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --require-virtualenv -r "$requirements" >&2
    printf '%s\n' "$want" >"$stamp"
fi

# Paths are shown relative to the repository root when they are inside it.
"$venv/bin/python" - "$root" "$deploy_dir" "$versions" <<'PY'
import os
import re
import sys
from pathlib import Path

import kubernetes_validate as kv
import yaml

root, deploy_dir, versions = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split()
manifest_dir = deploy_dir / "kubernetes"
errors = {}   # shown path -> list of problems
oks = {}      # shown path -> what was checked


def show(path):
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def problem(path, message):
    errors.setdefault(show(path), []).append(message)


def name_of(doc):
    return "%s/%s" % (doc.get("kind", "?").lower(), (doc.get("metadata") or {}).get("name", "?"))


# ---- Schema validation ------------------------------------------------------------------
files = sorted(p for p in manifest_dir.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))
if not files:
    problem(manifest_dir, "no manifests found")
resources = []  # (path, doc)
kustomization = None
for path in files:
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    except yaml.YAMLError as e:
        problem(path, "not valid YAML: %s" % str(e).replace("\n", " "))
        continue
    if not docs:
        problem(path, "holds no resource")
        continue
    if any(isinstance(d, dict) and d.get("kind") == "Kustomization" for d in docs):
        # Not a Kubernetes API object, so there is no schema: checked structurally below.
        kustomization = (path, docs[0])
        continue
    names = []
    for doc in docs:
        if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
            problem(path, "a document without apiVersion and kind")
            continue
        resources.append((path, doc))
        names.append(name_of(doc))
        for version in versions:
            try:
                kv.validate(doc, version, strict=True)
            except kv.ValidationError as e:
                where = ".".join(str(p) for p in e.path) or "(top level)"
                problem(path, "%s (Kubernetes %s): %s: %s" % (name_of(doc), version, where, e.message))
            except kv.SchemaNotFoundError as e:
                # The CLI only warns here; an unknown kind/apiVersion is an error for us.
                problem(path, e.message)
            except Exception as e:  # unsupported version, unreadable schema, ...
                problem(path, "%s (Kubernetes %s): cannot validate: %s"
                        % (name_of(doc), version, getattr(e, "message", e)))
    oks[show(path)] = "%s valid against Kubernetes %s (strict)" % (", ".join(names), ", ".join(versions))

# ---- Cross-references the schemas cannot check --------------------------------------------
def labels_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


by_kind = {}
for path, doc in resources:
    by_kind.setdefault(doc["kind"], []).append((path, doc))

deployments = {}
for path, doc in by_kind.get("Deployment", []):
    spec = doc.get("spec") or {}
    template = spec.get("template") or {}
    pod_labels = (template.get("metadata") or {}).get("labels") or {}
    pod = template.get("spec") or {}
    containers = pod.get("containers") or []
    ports = {p.get("name"): p.get("containerPort") for c in containers for p in c.get("ports") or []}
    deployments[doc["metadata"]["name"]] = (pod_labels, ports, spec, pod)
    name = name_of(doc)
    if not labels_match((spec.get("selector") or {}).get("matchLabels"), pod_labels):
        problem(path, "%s: spec.selector.matchLabels does not match the pod template labels" % name)
    for tsc in pod.get("topologySpreadConstraints") or []:
        if not labels_match((tsc.get("labelSelector") or {}).get("matchLabels"), pod_labels):
            problem(path, "%s: a topologySpreadConstraint selects other pods" % name)
    pod_sc = pod.get("securityContext") or {}
    for c in containers:
        cname = "%s container %s" % (name, c.get("name"))
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
            if isinstance(port, str) and port not in ports:
                problem(path, "%s: %s uses port %r, which no container declares" % (cname, probe, port))
        for env in c.get("env") or []:
            m = re.fullmatch(r".*:(\d+)", str(env.get("value", "")))
            if env.get("name") == "VANBAN_ADDR" and m and int(m.group(1)) not in ports.values():
                problem(path, "%s: VANBAN_ADDR listens on %s, not on a declared port" % (cname, m.group(1)))
        if not ((c.get("resources") or {}).get("requests") or {}).get("cpu"):
            problem(path, "%s: no CPU request (the HPA's CPU utilisation needs one)" % cname)
        # Pod Security Standard "restricted".
        sc = c.get("securityContext") or {}
        if not (sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True):
            problem(path, "%s: runAsNonRoot is not true" % cname)
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(path, "%s: allowPrivilegeEscalation is not false" % cname)
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            problem(path, "%s: capabilities do not drop ALL" % cname)
        if sc.get("readOnlyRootFilesystem") is not True:
            problem(path, "%s: readOnlyRootFilesystem is not true" % cname)
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problem(path, "%s: no RuntimeDefault seccomp profile" % cname)


def pods_selected(selector):
    return [n for n, (labels, *_rest) in deployments.items() if labels_match(selector, labels)]


for path, doc in by_kind.get("Service", []):
    spec = doc.get("spec") or {}
    selected = pods_selected(spec.get("selector"))
    if not selected:
        problem(path, "%s: selector matches no Deployment's pods" % name_of(doc))
    for port in spec.get("ports") or []:
        target = port.get("targetPort")
        for d in selected:
            ports = deployments[d][1]
            if (isinstance(target, str) and target not in ports) or (
                    isinstance(target, int) and target not in ports.values()):
                problem(path, "%s: targetPort %r is not a port of deployment/%s" % (name_of(doc), target, d))

hpa_floor = {}
for path, doc in by_kind.get("HorizontalPodAutoscaler", []):
    ref = (doc.get("spec") or {}).get("scaleTargetRef") or {}
    if ref.get("kind") != "Deployment" or ref.get("name") not in deployments:
        problem(path, "%s: scaleTargetRef names no Deployment in %s" % (name_of(doc), show(manifest_dir)))
    else:
        hpa_floor[ref["name"]] = (doc.get("spec") or {}).get("minReplicas", 1)

for path, doc in by_kind.get("PodDisruptionBudget", []):
    spec = doc.get("spec") or {}
    selected = pods_selected((spec.get("selector") or {}).get("matchLabels"))
    if not selected:
        problem(path, "%s: selector matches no Deployment's pods" % name_of(doc))
    min_available = spec.get("minAvailable")
    for d in selected:
        floor = min(deployments[d][2].get("replicas", 1), hpa_floor.get(d, 10 ** 9))
        if isinstance(min_available, int) and min_available >= floor:
            problem(path, "%s: minAvailable %d leaves no pod of deployment/%s evictable (%d replicas)"
                    % (name_of(doc), min_available, d, floor))

# ---- kustomization.yaml -----------------------------------------------------------------
if kustomization is None:
    problem(manifest_dir / "kustomization.yaml", "missing")
else:
    path, doc = kustomization
    listed = doc.get("resources") or []
    present = sorted(p.name for p, _ in resources)
    for entry in listed:
        if not (manifest_dir / entry).is_file():
            problem(path, "lists %s, which does not exist" % entry)
    for name in sorted(set(present) - set(listed)):
        problem(path, "does not list %s" % name)
    if len(set(listed)) != len(listed):
        problem(path, "lists a file twice")
    oks[show(path)] = "lists exactly the %d manifests in %s" % (len(listed), show(manifest_dir))

# ---- Containerfile and build-context ignore files ---------------------------------------
containerfile = deploy_dir / "Containerfile"
if not containerfile.is_file():
    problem(containerfile, "missing")
else:
    text = re.sub(r"\\\n", " ", containerfile.read_text())
    instructions = [line.strip() for line in text.splitlines()
                    if line.strip() and not line.lstrip().startswith("#")]
    stages = [i for i, line in enumerate(instructions) if re.match(r"(?i)FROM\s", line)]
    if len(stages) < 2:
        problem(containerfile, "expected a build stage and a runtime stage, found %d FROM" % len(stages))
    else:
        final = instructions[stages[-1]:]
        users = [line.split(None, 1)[1].strip() for line in final if re.match(r"(?i)USER\s", line)]
        user = users[-1].split(":")[0] if users else None
        if user is None:
            problem(containerfile, "the runtime stage sets no USER (it would rely on the base image)")
        elif user in ("0", "root"):
            problem(containerfile, "the runtime stage runs as root (USER %s)" % users[-1])
        if not any(re.match(r"(?i)COPY\s+.*--from=", line) for line in final):
            problem(containerfile, "the runtime stage copies nothing from the build stage")
        if not any(re.match(r"(?i)ENTRYPOINT\s", line) for line in final):
            problem(containerfile, "the runtime stage has no ENTRYPOINT")
        if not any(re.match(r"(?i)EXPOSE\s+8080\b", line) for line in final):
            problem(containerfile, "the runtime stage does not EXPOSE 8080")
        if not any("scripts/pgo-build.sh" in line for line in instructions[:stages[-1]]):
            problem(containerfile, "the build stage does not run scripts/pgo-build.sh (the release build)")
        oks[show(containerfile)] = "%d stages, runtime USER %s" % (len(stages), users[-1] if users else "?")

for ignore in (".containerignore", ".dockerignore"):
    path = root / ignore
    if not path.is_file():
        problem(path, "missing (the whole target/ dir would be sent as build context)")
        continue
    entries = {line.strip().strip("/") for line in path.read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    for needed in ("target", ".git"):
        if needed not in entries:
            problem(path, "does not exclude %s/" % needed)
    oks[show(path)] = "excludes target/ and .git/"

# ---- Report ---------------------------------------------------------------------------
for shown in sorted(set(oks) | set(errors)):
    if shown in errors:
        for message in errors[shown]:
            print("FAIL %s: %s" % (shown, message))
    else:
        print("OK   %s: %s" % (shown, oks[shown]))
if errors:
    print("validate-deploy: %d problem(s) in %d file(s)" % (sum(map(len, errors.values())), len(errors)))
    sys.exit(1)
print("validate-deploy: all %d files OK" % len(oks))
PY
