# The Pulsar standalone distribution that run.sh and load-tests/bench.sh start, fetched through Maven and extracted
# once into $PULSAR_HOME_DIR (the test kit uses the same directory). Sourced; the caller defines PULSAR_VERSION,
# CACHE_DIR, PULSAR_HOME_DIR, log and die.

# The local Maven repository: $MAVEN_REPO_LOCAL, the one settings.xml names, or ~/.m2/repository.
local_repository() {
  if [[ -n ${MAVEN_REPO_LOCAL:-} ]]; then
    printf '%s' "$MAVEN_REPO_LOCAL"
  elif grep -qs '<localRepository>' "$HOME/.m2/settings.xml"; then
    mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout
  else
    printf '%s' "$HOME/.m2/repository"
  fi
}

tarball_path() {
  local repo
  repo=$(local_repository)
  printf '%s/org/apache/pulsar/pulsar-server-distribution/%s/pulsar-server-distribution-%s-bin.tar.gz' \
    "$repo" "$PULSAR_VERSION" "$PULSAR_VERSION"
}

# Extracts the distribution once into $PULSAR_HOME_DIR (the test kit uses the same directory).
ensure_distribution() {
  [[ -x $PULSAR_HOME_DIR/bin/pulsar && -d $PULSAR_HOME_DIR/lib ]] && return 0
  local tarball
  tarball=$(tarball_path)
  if [[ ! -f $tarball ]]; then
    log "Fetching the Pulsar $PULSAR_VERSION distribution through Maven..."
    local repo_opt=()
    [[ -n ${MAVEN_REPO_LOCAL:-} ]] && repo_opt=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL")
    mkdir -p "$CACHE_DIR"
    # From a directory without a pom.xml, so Maven does not load this project for a plain download.
    (cd "$CACHE_DIR" && mvn -B -q -Dstyle.color=never ${repo_opt[@]+"${repo_opt[@]}"} dependency:get \
      -Dartifact="org.apache.pulsar:pulsar-server-distribution:$PULSAR_VERSION:tar.gz:bin" -Dtransitive=false)
    [[ -f $tarball ]] || die "Maven did not put the distribution at $tarball"
  fi
  log "Extracting $tarball into $CACHE_DIR..."
  mkdir -p "$CACHE_DIR"
  local scratch
  scratch=$(mktemp -d "$CACHE_DIR/.extract-XXXXXX")
  tar xzf "$tarball" -C "$scratch"
  # rename(2) is atomic: a concurrent extraction (another run, a test JVM) either wins or loses as a whole.
  mv -T "$scratch/apache-pulsar-$PULSAR_VERSION" "$PULSAR_HOME_DIR" 2> /dev/null || true
  rm -rf "$scratch"
  [[ -x $PULSAR_HOME_DIR/bin/pulsar ]] || die "extraction of $tarball failed"
}
