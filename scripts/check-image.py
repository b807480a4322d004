#!/usr/bin/env python3
"""Checks the proxy's container image (the tar `mvn -Pimage` writes) against the runtime contract.

    python3 scripts/check-image.py proxy-app/target/jib-image.tar

Reads the image's config from the tar (docker-load format) and fails, naming what is wrong, unless: it runs as a
numeric non-root user, starts io.pulsarproxy.app.Main with container-aware JVM settings and no default arguments (the
jar's defaults), and exposes the client and management ports (8088, 8089).
"""
import json
import sys
import tarfile

EXPECTED_PORTS = {"8088/tcp", "8089/tcp"}
EXPECTED_FLAGS = ["-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError"]
MAIN_CLASS = "io.pulsarproxy.app.Main"


def image_config(path):
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        if len(manifest) != 1:
            raise SystemExit(f"{path}: expected one image, found {len(manifest)}")
        return json.load(tar.extractfile(manifest[0]["Config"]))["config"]


def problems(config):
    found = []
    user = config.get("User", "")
    uid = user.split(":")[0]
    if not uid.isdigit() or int(uid) == 0:
        found.append(f"User must be a numeric non-root uid (Kubernetes runAsNonRoot checks it): {user!r}")
    entrypoint = config.get("Entrypoint") or []
    if not entrypoint or entrypoint[0] != "java" or entrypoint[-1] != MAIN_CLASS:
        found.append(f"Entrypoint must be java ... {MAIN_CLASS}: {entrypoint}")
    for flag in EXPECTED_FLAGS:
        if not any(arg.startswith(flag) for arg in entrypoint):
            found.append(f"Entrypoint lacks the JVM setting {flag}: {entrypoint}")
    if config.get("Cmd"):
        found.append(f"no default arguments expected (the jar's defaults), found Cmd {config['Cmd']}")
    ports = set(config.get("ExposedPorts") or {})
    if not EXPECTED_PORTS <= ports:
        found.append(f"ExposedPorts must include {sorted(EXPECTED_PORTS)}: {sorted(ports)}")
    return found


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    config = image_config(sys.argv[1])
    found = problems(config)
    for problem in found:
        print(f"{sys.argv[1]}: {problem}", file=sys.stderr)
    if found:
        sys.exit(1)
    print(f"{sys.argv[1]}: user {config['User']}, ports {sorted(config['ExposedPorts'])}, "
          f"entrypoint {' '.join(config['Entrypoint'])}")


if __name__ == "__main__":
    main()
