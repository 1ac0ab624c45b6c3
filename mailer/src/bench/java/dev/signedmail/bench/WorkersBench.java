package dev.signedmail.bench;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.testing.Flow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one release scales over sender processes sharing one PostgreSQL: for 1, 2, 3 … processes —
 * the operator's {@code release send} plus {@code worker --follow} processes started (and given
 * time to start) before it — each in a JVM of its own running the real jar, to a loopback SMTP
 * sink. The time of a run is the database's: from the snapshot of the audience to the last
 * {@code sent_at}, so JVM start-up is not counted. Run with {@code bench/workers}; the database
 * URL comes from the environment (MAILER_BENCH_PG_URL), never from the command line, as it may
 * hold a password. Works in a schema of its own, dropped at the end.
 */
public final class WorkersBench {
    private static final Pattern SENT = Pattern.compile("release \\d+: sent (\\d+),");

    private int subscribers = 6000;
    private int connections = 4;
    private int[] processes = {1, 2, 3};
    private int warmupSeconds = 5;
    private int repeat = 1;

    public static void main(String[] args) throws Exception {
        WorkersBench b = new WorkersBench();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--subscribers" -> b.subscribers = Integer.parseInt(args[++i]);
                case "--connections" -> b.connections = Integer.parseInt(args[++i]);
                case "--workers" -> b.processes = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--warmup" -> b.warmupSeconds = Integer.parseInt(args[++i]);
                case "--repeat" -> b.repeat = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--subscribers N, --connections C per process, --workers 1,2,3, --warmup S, --repeat R)");
            }
        }
        String url = System.getenv("MAILER_BENCH_PG_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("set MAILER_BENCH_PG_URL=jdbc:postgresql://… (bench/workers does)");
        }
        b.run(url);
        System.exit(0);
    }

    private record Result(int processes, long messages, double seconds, String shares, double senderCpu, double databaseCpu) {
    }

    private void run(String url) throws Exception {
        System.out.printf("bench workers: %d cores, java %s, load average at start %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());
        System.out.println("bench workers: free cores at start: " + freeCores());
        System.out.printf("bench workers: %d subscribers, %d connections per process, processes %s (1 = release send alone;"
                + " then + worker --follow), each %d time(s), the fastest counts (other load on the machine only slows a run)%n%n",
                subscribers, connections, java.util.Arrays.toString(processes), repeat);
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String schema = "bench_workers_" + HexFormat.of().formatHex(random); // generated: the only identifier in SQL text
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        Path work = Files.createTempDirectory("signedmail-workers-bench");
        List<Result> results = new ArrayList<>();
        try (SinkServer sink = new SinkServer()) {
            Map<String, String> cfg = TestSupport.settingsMap(work.resolve("data"), sink.port());
            cfg.put("db.url", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
            cfg.put("smtp.connections", Integer.toString(connections));
            // one release per run, several runs within the hour: the burst guard would hold the fourth
            cfg.put("send.burst.limit", "1000");
            Settings settings = Settings.of(cfg);
            MailerRuntime.init(settings);
            Flow flow;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                rt.db().jdbi().useTransaction(h -> {
                    h.createUpdate("INSERT INTO subscribers (email, name, status, created_at, updated_at)"
                                    + " SELECT 'sub' || g || '@example.net', 'Subscriber ' || g, 'active', :now, :now"
                                    + " FROM generate_series(1, :n) AS g")
                            .bind("n", subscribers).bind("now", Instant.now()).execute();
                    h.createUpdate("INSERT INTO subscriber_topics (subscriber_id, topic) SELECT id, 'general' FROM subscribers").execute();
                });
                flow = Flow.operators(rt, work.resolve("tokens"));
            }
            Path config = work.resolve("mailer.properties");
            StringBuilder props = new StringBuilder();
            cfg.forEach((k, v) -> props.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            // the URL may carry a password: this user only
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(config, props, StandardCharsets.UTF_8);

            for (int n : processes) {
                Result best = null;
                for (int k = 1; k <= repeat; k++) {
                    Result r = once(settings, config, flow, sink, n, work.resolve("run" + n + "-" + k));
                    System.out.printf(Locale.ROOT, "  %d process(es): %d messages in %.1f s (per process %s; CPU s: senders %.1f,"
                                    + " PostgreSQL %s; load %s)%n", r.processes(), r.messages(), r.seconds(), r.shares(), r.senderCpu(),
                            r.databaseCpu() < 0 ? "not measured" : String.format(Locale.ROOT, "%.1f", r.databaseCpu()), loadAverage());
                    best = best == null || r.seconds() < best.seconds() ? r : best;
                }
                results.add(best);
            }
        } finally {
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        System.out.println();
        Result first = results.get(0);
        double base = first.messages() / first.seconds();
        System.out.printf("| workers | messages | seconds | msg/s | ratio to %d worker%s | sender CPU ms/msg | PostgreSQL CPU ms/msg |%n",
                first.processes(), first.processes() == 1 ? "" : "s");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            double rate = r.messages() / r.seconds();
            System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.2f | %.1f | %s |%n", r.processes(), r.messages(), r.seconds(),
                    rate, rate / base, r.senderCpu() * 1000 / r.messages(),
                    r.databaseCpu() < 0 ? "–" : String.format(Locale.ROOT, "%.1f", r.databaseCpu() * 1000 / r.messages()));
        }
        System.out.println();
        System.out.println("bench workers: load average at end " + loadAverage());
        System.out.println("bench workers: free cores at end: " + freeCores());
    }

    /** One release sent by {@code n} processes; checks every subscriber got exactly one message. */
    private Result once(Settings settings, Path config, Flow flow, SinkServer sink, int n, Path dir) throws Exception {
        Files.createDirectories(dir);
        long id;
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            id = flow.approved(rt, "Scaling run with " + n + " process(es)", Bench.SAMPLE_BODY, "general");
        }
        List<Process> workers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        long sinkBefore = sink.messages.get();
        double databaseBefore = databaseCpuSeconds();
        CpuSampler cpu = new CpuSampler();
        try {
            for (int i = 1; i < n; i++) {
                logs.add(dir.resolve("worker" + i + ".log"));
                workers.add(cpu.watch(start(config, logs.get(logs.size() - 1), "worker", "--follow", "--every", "1")));
            }
            if (n > 1) {
                // the workers are services that are already running when an operator sends
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
            }
            logs.add(dir.resolve("send.log"));
            Process send = cpu.watch(start(config, logs.get(logs.size() - 1), "--token-file", flow.approverToken.toString(),
                    "release", "send", Long.toString(id)));
            if (!send.waitFor(2, TimeUnit.HOURS) || send.exitValue() != 0) {
                throw new IllegalStateException("release send failed:\n" + Files.readString(logs.get(logs.size() - 1)));
            }
            // each worker prints its share when its pass over the release ends
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (shares(logs).stream().mapToLong(Long::longValue).sum() < subscribers && System.nanoTime() - deadline < 0) {
                Thread.sleep(50);
            }
        } finally {
            cpu.close();
            workers.forEach(Process::destroy); // SIGTERM: they hand back anything they hold and end
            for (Process p : workers) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        long got = sink.messages.get() - sinkBefore;
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            Map<String, Integer> counts = rt.outbox().counts(id);
            if (!counts.equals(Map.of("sent", subscribers)) || got != subscribers) {
                throw new IllegalStateException(n + " process(es): outbox " + counts + ", sink got " + got + " of " + subscribers);
            }
            double seconds = rt.db().jdbi().withHandle(h -> {
                Instant start = h.createQuery("SELECT snapshot_at FROM releases WHERE id = :id").bind("id", id)
                        .mapTo(OffsetDateTime.class).one().toInstant();
                Instant end = h.createQuery("SELECT MAX(sent_at) FROM outbox WHERE release_id = :id").bind("id", id)
                        .mapTo(OffsetDateTime.class).one().toInstant();
                return (end.toEpochMilli() - start.toEpochMilli()) / 1000.0;
            });
            Thread.sleep(500); // the senders' database sessions have ended and been counted
            double databaseCpu = databaseBefore < 0 ? -1 : databaseCpuSeconds() - databaseBefore;
            return new Result(n, subscribers, seconds, shares(logs).toString(), cpu.seconds(), databaseCpu);
        }
    }

    /**
     * CPU time of the sender processes, the last value read of each (every 200 ms while they run,
     * once more at the end): a process's time cannot be read after it has exited.
     */
    private static final class CpuSampler implements AutoCloseable {
        private final Map<Long, Double> last = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<Process> watched = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

        CpuSampler() {
            timer.scheduleAtFixedRate(this::sample, 200, 200, TimeUnit.MILLISECONDS);
        }

        Process watch(Process p) {
            watched.add(p);
            return p;
        }

        private void sample() {
            for (Process p : watched) {
                p.toHandle().info().totalCpuDuration().ifPresent(d -> last.put(p.pid(), d.toNanos() / 1e9));
            }
        }

        double seconds() {
            return last.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        @Override
        public void close() {
            timer.shutdownNow();
            sample();
        }
    }

    /**
     * CPU time of the throwaway PostgreSQL so far: its postmaster's own and that of its ended
     * sessions (reaped children), from /proc; -1 when bench/workers did not start the cluster.
     */
    private static double databaseCpuSeconds() {
        String pid = System.getenv("MAILER_BENCH_PG_PID");
        if (pid == null || pid.isBlank()) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid.strip(), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14-17 of stat (utime, stime, cutime, cstime), counted from the state field (3); Linux's USER_HZ is 100
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static List<Long> shares(List<Path> logs) throws IOException {
        List<Long> shares = new ArrayList<>();
        for (Path log : logs) {
            long n = 0;
            Matcher m = SENT.matcher(Files.exists(log) ? Files.readString(log) : "");
            while (m.find()) {
                n += Long.parseLong(m.group(1));
            }
            shares.add(n);
        }
        return shares;
    }

    /** The real jar (bench/workers builds it) in a JVM of its own; only the config file configures it. */
    private static Process start(Path config, Path log, String... command) throws IOException {
        Path jar = TestSupport.projectRoot().resolve("mailer/target/mailer.jar");
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--config", config.toString()));
        args.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        return pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * How much of the machine this run could have: {@code openssl speed rsa2048} with one process and
     * with one per core. On an idle machine the second is about cores × the first; when other work
     * holds the cores it is less, and more sender processes cannot be faster either.
     */
    private static String freeCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            double one = opensslSigns(1);
            double all = opensslSigns(cores);
            return String.format(Locale.ROOT, "openssl rsa2048 %.0f signs/s with 1 process, %.0f with %d (%.2f cores' worth)",
                    one, all, cores, all / one);
        } catch (IOException | InterruptedException | IllegalStateException e) {
            return "unknown (openssl speed: " + e.getMessage() + ")";
        }
    }

    private static double opensslSigns(int processes) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "speed", "-seconds", "2"));
        if (processes > 1) {
            cmd.addAll(List.of("-multi", Integer.toString(processes)));
        }
        cmd.add("rsa2048");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        p.waitFor();
        Matcher m = Pattern.compile("rsa\\s+2048 bits\\s+\\S+\\s+\\S+\\s+([0-9.]+)").matcher(out);
        double best = 0;
        while (m.find()) {
            best = Math.max(best, Double.parseDouble(m.group(1)));
        }
        if (best == 0) {
            throw new IllegalStateException("no rsa2048 line in its output");
        }
        return best;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
