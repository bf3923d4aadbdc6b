#!/usr/bin/env python3
"""Checks the deployment kit in deploy/ and docker-compose.yml (run by scripts/test.sh, needs PyYAML).

  check-deploy.py static             manifests, probes, grace periods, budgets, topology, compose, runbook links
  check-deploy.py metrics SCRAPE...  every metric name used by the alert rules and the dashboard appears in one of
                                     the scrapes (files holding a /metrics page of the gateway and of each worker)

Prints one line per problem and exits 1 when there is any, 0 otherwise.
"""

import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
RULES = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARDS = sorted((DEPLOY / "grafana").glob("*.json"))
DEFAULT_DRAIN_SECONDS = 30.0
WORKLOADS = ("StatefulSet", "Deployment")

problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def duration_seconds(text: str) -> float:
    """The binaries' duration syntax: ms, s, m, h, or a bare number of seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def load_manifests() -> list[tuple[pathlib.Path, dict]]:
    documents = []
    # kustomization.yaml is kustomize's own file, not a Kubernetes object.
    files = sorted(path for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")
    if not files:
        problem(f"{KUBERNETES.relative_to(ROOT)}: no manifests")
    for path in files:
        try:
            loaded = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError as error:
            problem(f"{path.relative_to(ROOT)}: does not parse: {error}")
            continue
        for index, document in enumerate(loaded):
            if document is None:
                continue
            where = f"{path.relative_to(ROOT)} document {index + 1}"
            if not isinstance(document, dict):
                problem(f"{where}: not a mapping")
                continue
            name = (document.get("metadata") or {}).get("name")
            if not document.get("kind") or not document.get("apiVersion") or not name:
                problem(f"{where}: needs kind, apiVersion and metadata.name")
                continue
            documents.append((path, document))
    return documents


def check_other_yaml() -> None:
    for path in sorted(DEPLOY.rglob("*.y*ml")):
        try:
            list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError as error:
            problem(f"{path.relative_to(ROOT)}: does not parse: {error}")
    for path in DASHBOARDS:
        try:
            json.loads(path.read_text())
        except json.JSONDecodeError as error:
            problem(f"{path.relative_to(ROOT)}: not JSON: {error}")


def env_value(container: dict, config_maps: dict, name: str):
    for entry in container.get("env") or []:
        if entry.get("name") == name and "value" in entry:
            return entry["value"]
    for source in container.get("envFrom") or []:
        reference = (source.get("configMapRef") or {}).get("name")
        if reference in config_maps and name in config_maps[reference]:
            return config_maps[reference][name]
    return None


def check_workloads(documents: list[tuple[pathlib.Path, dict]]) -> None:
    config_maps = {doc["metadata"]["name"]: doc.get("data") or {} for _, doc in documents if doc["kind"] == "ConfigMap"}
    budgets = [doc for _, doc in documents if doc["kind"] == "PodDisruptionBudget"]
    workloads = [(path, doc) for path, doc in documents if doc["kind"] in WORKLOADS]
    families_deployed: dict[str, str] = {}
    statefulsets = 0
    for path, doc in workloads:
        where = f"{path.relative_to(ROOT)}: {doc['kind']} {doc['metadata']['name']}"
        template = (doc.get("spec") or {}).get("template") or {}
        pod = template.get("spec") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        containers = pod.get("containers") or []
        if not containers:
            problem(f"{where}: no containers")
            continue
        grace = pod.get("terminationGracePeriodSeconds", 30)
        for container in containers:
            for probe, path_wanted in (("readinessProbe", "/readyz"), ("livenessProbe", "/livez")):
                http = (container.get(probe) or {}).get("httpGet") or {}
                if http.get("path") != path_wanted:
                    problem(f"{where}: container {container.get('name')} needs a {probe} on {path_wanted}")
            drain = env_value(container, config_maps, "DRAIN_TIMEOUT")
            try:
                drain_seconds = DEFAULT_DRAIN_SECONDS if drain is None else duration_seconds(drain)
            except ValueError as error:
                problem(f"{where}: DRAIN_TIMEOUT: {error}")
                continue
            if not grace > drain_seconds:
                problem(f"{where}: terminationGracePeriodSeconds {grace} must be above DRAIN_TIMEOUT ({drain_seconds:g} s)")
            command = container.get("command") or []
            if "SinkWorker" in command and "--family" in command:
                family = command[command.index("--family") + 1]
                if family in families_deployed:
                    problem(f"{where}: family {family} already has {families_deployed[family]}")
                families_deployed[family] = doc["metadata"]["name"]
        if doc["kind"] == "StatefulSet":
            statefulsets += 1
            check_spool_claim(where, doc, containers, config_maps)
        if not any(selects(budget, labels) for budget in budgets):
            problem(f"{where}: no PodDisruptionBudget selects its pods")
    if statefulsets == 0:
        problem("deploy/kubernetes: the gateway must be a StatefulSet (one spool volume per pod)")
    topology = json.loads((ROOT / "config" / "topology.json").read_text())
    for family in topology["families"]:
        if family["name"] not in families_deployed:
            problem(f"deploy/kubernetes: no Deployment runs SinkWorker --family {family['name']}")
    shipped = [data.get("topology.json") for data in config_maps.values() if "topology.json" in data]
    if len(shipped) != 1:
        problem("deploy/kubernetes: exactly one ConfigMap must hold topology.json")
    elif json.loads(shipped[0]) != topology:
        problem("deploy/kubernetes: the topology ConfigMap differs from config/topology.json")


def check_spool_claim(where: str, doc: dict, containers: list, config_maps: dict) -> None:
    claims = {(claim.get("metadata") or {}).get("name") for claim in doc["spec"].get("volumeClaimTemplates") or []}
    if not claims:
        problem(f"{where}: needs a volumeClaimTemplate for SPOOL_DIR")
        return
    for container in containers:
        spool_dir = env_value(container, config_maps, "SPOOL_DIR")
        mounts = {mount.get("mountPath"): mount.get("name") for mount in container.get("volumeMounts") or []}
        if spool_dir is None:
            problem(f"{where}: container {container.get('name')} sets no SPOOL_DIR")
        elif mounts.get(spool_dir) not in claims:
            problem(f"{where}: SPOOL_DIR {spool_dir} is not the mount of a volume claim ({sorted(claims)})")


def selects(budget: dict, labels: dict) -> bool:
    wanted = ((budget.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return bool(wanted) and all(labels.get(key) == value for key, value in wanted.items())


def check_compose() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose.get("services") or {}
    app = [name for name, service in services.items() if "build" in service]
    for name in app:
        service = services[name]
        environment = service.get("environment") or {}
        drain = duration_seconds(environment.get("DRAIN_TIMEOUT", DEFAULT_DRAIN_SECONDS))
        grace = duration_seconds(service.get("stop_grace_period", "10s"))
        if not grace > drain:
            problem(f"docker-compose.yml: {name}: stop_grace_period must be above DRAIN_TIMEOUT ({drain:g} s)")
        for variable in ("RABBIT_USER", "RABBIT_PASSWORD", "ADMIN_HOST", "ADMIN_TOKEN"):
            if variable not in environment:
                problem(f"docker-compose.yml: {name}: {variable} is not set")
        if environment.get("ADMIN_HOST") not in ("0.0.0.0", "::"):
            problem(f"docker-compose.yml: {name}: the admin port must be reachable by a scraper (ADMIN_HOST)")
    for name in ("prometheus", "grafana"):
        if "monitoring" not in (services.get(name) or {}).get("profiles", []):
            problem(f"docker-compose.yml: {name} must be a service of the monitoring profile")
    for service in services.values():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else ""
            if source.startswith("./") and not (ROOT / source).exists():
                problem(f"docker-compose.yml: mounts {source}, which is not in the repository")


def check_rules_links() -> None:
    readme = (ROOT / "README.md").read_text()
    anchors = set(re.findall(r'<a id="([^"]+)"', readme))
    rules = yaml.safe_load(RULES.read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
    for rule in alerts:
        url = (rule.get("annotations") or {}).get("runbook_url", "")
        anchor = url.partition("#")[2]
        if not url.startswith("README.md#") or anchor not in anchors:
            problem(f"{RULES.relative_to(ROOT)}: {rule['alert']}: runbook_url {url!r} names no runbook row of README.md")
        elif rule["alert"] not in readme:
            problem(f"README.md: the runbook does not name the alert {rule['alert']}")


KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
FUNCTION_CALL = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(")
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")


def metric_names(expr: str) -> set[str]:
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = GROUPING.sub(" ", text)
    text = re.sub(r"\boffset\s+\S+", " ", text)
    text = FUNCTION_CALL.sub(" (", text)
    names = re.findall(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", text)
    return {name for name in names if name not in KEYWORDS and not re.fullmatch(r"(?i)(inf|nan)", name)}


def used_metrics() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            for name in metric_names(str(rule["expr"])):
                used.setdefault(name, set()).add(f"{RULES.relative_to(ROOT)} {rule.get('alert') or rule.get('record')}")
    for path in DASHBOARDS:

        def visit(node):
            if isinstance(node, dict):
                if isinstance(node.get("expr"), str):
                    for name in metric_names(node["expr"]):
                        used.setdefault(name, set()).add(f"{path.relative_to(ROOT)} {node.get('refId', '')}".strip())
                for value in node.values():
                    visit(value)
            elif isinstance(node, list):
                for value in node:
                    visit(value)

        visit(json.loads(path.read_text()))
    return used


def check_metrics(scrapes: list[str]) -> None:
    exported: set[str] = set()
    for scrape in scrapes:
        for line in pathlib.Path(scrape).read_text().splitlines():
            if line and not line.startswith("#"):
                exported.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    if not exported:
        problem("no metric in the scrapes given")
    used = used_metrics()
    for name in sorted(used):
        if name not in exported:
            problem(f"metric {name} (used by {', '.join(sorted(used[name]))}) is not in the live scrape")
    if not problems:
        print(f"check-deploy: {len(used)} metric names of deploy/ found in the live scrape of {len(scrapes)} endpoints")


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["static"] and len(arguments) == 1:
        check_other_yaml()
        documents = load_manifests()
        check_workloads(documents)
        check_compose()
        check_rules_links()
        if not problems:
            print(f"check-deploy: {len(documents)} manifests, compose file and runbook links valid")
    elif arguments[:1] == ["metrics"] and len(arguments) > 1:
        check_metrics(arguments[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for line in problems:
        print(f"check-deploy: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
