# Sourced by bench/run and bench/workers: builds the bench profile and sets $cp to its classpath.
# MVN_OFFLINE=1 builds with ./mvnw -o (every plugin must already be in ~/.m2).
mvn=./mvnw
[ -n "${MVN_OFFLINE:-}" ] && mvn="./mvnw -o"
$mvn -q -B -ntp -Pbench -pl mailer -DskipTests package
# -q still prints Maven's own lines on stdout; keep them out of the table, but show them if Maven fails.
if ! out=$($mvn -q -B -ntp -Pbench -pl mailer dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath 2>&1); then
  printf '%s\n' "$out" >&2
  echo "bench: Maven could not write the benchmark's classpath (above); with MVN_OFFLINE=1 every plugin must already be in ~/.m2: run once without it" >&2
  exit 1
fi
cp="mailer/target/test-classes:mailer/target/classes:$(cat mailer/target/bench.classpath)"
