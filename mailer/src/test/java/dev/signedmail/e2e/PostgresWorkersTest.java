package dev.signedmail.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.outbox.OutboxRow;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape on a real PostgreSQL: the operator's {@code release send} and two
 * {@code worker --follow} processes (separate JVMs, as on separate machines) share one release of a
 * few thousand subscribers, sending to a loopback relay. Runs when MAILER_TEST_PG_URL names a
 * PostgreSQL database (.ci/run starts one); under CI=true a missing URL fails instead of skipping.
 * Each test works in a schema of its own, so it never touches what PostgresStoreTest wipes.
 */
class PostgresWorkersTest {
    static final String URL = System.getenv("MAILER_TEST_PG_URL");

    private static final int SUBSCRIBERS = 2000;
    /** Per process: also the most messages a killed process can have in flight (one per connection). */
    private static final int CONNECTIONS = 2;
    /** The shortest lease the settings allow: a dead worker's rows wait at most this long. */
    private static final int LEASE_SECONDS = 5;
    /**
     * Every wait in a test ends by then, so a hang fails the test instead of stalling the build.
     * Generous: a send of SUBSCRIBERS needs about 20 CPU-seconds of signing (bench/workers: 10 ms a
     * message), but took 60–120 s on a 2-core machine while other builds held the cores.
     */
    private static final long TEST_SECONDS = 240;
    private static final Pattern SENT = Pattern.compile("release \\d+: sent (\\d+),");

    @TempDir
    Path dir;

    /** Generated here (letters, digits, underscore): the only identifier put into SQL text. */
    private String schema;

    @BeforeEach
    void freshSchema() throws Exception {
        if (URL == null || URL.isBlank()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("MAILER_TEST_PG_URL is not set: CI must run the PostgreSQL tests (.ci/run sets it)");
            }
            System.err.println("PostgresWorkersTest SKIPPED: set MAILER_TEST_PG_URL=jdbc:postgresql://… to run the worker tests on PostgreSQL");
            Assumptions.abort("MAILER_TEST_PG_URL not set: PostgreSQL tests skipped");
        }
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        schema = "workers_test_" + HexFormat.of().formatHex(random);
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** The test database URL with this test's schema first on the search path (pgjdbc's currentSchema). */
    private String schemaUrl() {
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** An approved release to every subscriber, and the config file every process reads. */
    private record Setup(Settings settings, Path config, Flow flow, long release, Set<String> audience) {
    }

    private Setup prepare(ScriptedSmtpServer relay, int subscribers, Map<String, String> extra) throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), relay.port());
        cfg.put("db.url", schemaUrl());
        cfg.put("smtp.connections", Integer.toString(CONNECTIONS));
        cfg.put("send.lease.seconds", Integer.toString(LEASE_SECONDS));
        // a sender waiting for another's lease to run out makes no progress meanwhile: longer than a lease
        cfg.put("send.patience.seconds", "60");
        cfg.putAll(extra);
        Settings settings = Settings.of(cfg);
        MailerRuntime.init(settings);
        Set<String> audience = new HashSet<>();
        for (int i = 1; i <= subscribers; i++) {
            audience.add("reader" + i + "@example.com");
        }
        Flow flow;
        long id;
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            // the list in two statements (the import path has tests of its own; row by row it would take
            // a good part of this test's time on a busy machine)
            rt.db().jdbi().useTransaction(h -> {
                h.createUpdate("INSERT INTO subscribers (email, status, created_at, updated_at)"
                                + " SELECT 'reader' || g || '@example.com', 'active', :now, :now FROM generate_series(1, :n) AS g")
                        .bind("n", subscribers).bind("now", Instant.now()).execute();
                h.createUpdate("INSERT INTO subscriber_topics (subscriber_id, topic) SELECT id, 'general' FROM subscribers").execute();
            });
            assertEquals(subscribers, rt.subscribers().count());
            flow = Flow.operators(rt, dir.resolve("tokens"));
            id = flow.approved(rt, "Shared on PostgreSQL", "Body.", "general");
        }
        StringBuilder props = new StringBuilder();
        cfg.forEach((k, v) -> props.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
        // the database URL may carry a password: readable by this user only, and never on a command line
        Path config = dir.resolve("mailer.properties");
        Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(config, props, StandardCharsets.UTF_8);
        return new Setup(settings, config, flow, id, audience);
    }

    @Test
    void theOperatorsSendAndTwoWorkersShareOneReleaseAndEveryRecipientGetsItExactlyOnce() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup s = prepare(relay, SUBSCRIBERS, Map.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TEST_SECONDS);
            List<Process> processes = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            try {
                // workers first, as the services they are in production; they join when the send starts
                for (int i = 0; i < 2; i++) {
                    logs.add(dir.resolve("worker" + i + ".log"));
                    processes.add(start(s.config(), logs.get(i), List.of(), "worker", "--follow", "--every", "1"));
                }
                logs.add(dir.resolve("send.log"));
                Process send = start(s.config(), logs.get(2), List.of(),
                        "--token-file", s.flow().approverToken.toString(), "release", "send", Long.toString(s.release()));
                processes.add(send);

                assertTrue(send.waitFor(remaining(deadline), TimeUnit.NANOSECONDS),
                        () -> "release send finishes: " + progress(s, relay, logs));
                assertEquals(0, send.exitValue(), () -> "release send: " + read(logs.get(2)));
                // each worker prints its share when its pass over the release ends
                await(deadline, () -> sentPerProcess(logs).stream().mapToInt(Integer::intValue).sum() >= SUBSCRIBERS);
                List<Integer> shares = sentPerProcess(logs);

                Map<String, Integer> per = deliveries(relay);
                assertEquals(s.audience(), per.keySet(), "every subscriber received the release");
                assertTrue(per.values().stream().allMatch(n -> n == 1), "exactly once: " + duplicated(per));
                assertEquals(SUBSCRIBERS, relay.received().size());
                assertEquals(SUBSCRIBERS, shares.stream().mapToInt(Integer::intValue).sum(),
                        "the processes' own counts add up to one message per subscriber: " + shares);
                assertTrue(shares.stream().allMatch(n -> n > 0), "all three processes sent part of the release: " + shares);
                try (MailerRuntime rt = MailerRuntime.open(s.settings())) {
                    assertEquals(Map.of("sent", SUBSCRIBERS), rt.outbox().counts(s.release()));
                    assertEquals("sent", rt.releases().get(s.release()).status());
                }
            } finally {
                stopAll(processes);
            }
        }
    }

    @Test
    void aWorkerKilledMidSendIsTakenOverWhenItsLeaseRunsOutAndAStoppedOneHandsBackItsRowsNothingLost() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup s = prepare(relay, SUBSCRIBERS, Map.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TEST_SECONDS);
            List<Process> processes = new ArrayList<>();
            try {
                // These two workers cannot resolve their own host name, so their leases name a random host
                // instead of this machine: to the operator's send they are workers on another machine, whose
                // death it cannot see and whose rows it may take only when their lease has run out.
                Path hosts = Files.writeString(dir.resolve("hosts-without-this-machine"), "127.0.0.1 localhost\n");
                List<String> elsewhere = List.of("-Djdk.net.hosts.file=" + hosts);
                Process killed = start(s.config(), dir.resolve("killed.log"), elsewhere, "worker", "--follow", "--every", "1");
                Process stopped = start(s.config(), dir.resolve("stopped.log"), elsewhere, "worker", "--follow", "--every", "1");
                Process send = start(s.config(), dir.resolve("send.log"), List.of(),
                        "--token-file", s.flow().approverToken.toString(), "release", "send", Long.toString(s.release()));
                processes.addAll(List.of(killed, stopped, send));

                Map<Long, Instant> held;
                boolean anotherMachine;
                Instant killedAt;
                try (MailerRuntime rt = MailerRuntime.open(s.settings())) {
                    // mid-send (half delivered: what is left, the operator's send does alone), both workers
                    // holding claimed rows
                    await(deadline, () -> relay.received().size() >= SUBSCRIBERS / 2
                            && !leasedTo(rt, s.release(), killed.pid()).isEmpty()
                            && !leasedTo(rt, s.release(), stopped.pid()).isEmpty()
                            && !leasedTo(rt, s.release(), send.pid()).isEmpty());
                    held = leasedTo(rt, s.release(), killed.pid());
                    anotherMachine = leasesNameDifferentHosts(rt, s.release(), killed.pid(), send.pid());
                    killed.destroyForcibly(); // kill -9
                    assertTrue(killed.waitFor(remaining(deadline), TimeUnit.NANOSECONDS));
                    killedAt = Instant.now();

                    stopped.destroy(); // SIGTERM, as systemctl stop sends
                    assertTrue(stopped.waitFor(20, TimeUnit.SECONDS), "a stopped worker ends within its shutdown wait");
                    assertEquals(Map.of(), leasedTo(rt, s.release(), stopped.pid()),
                            "a stopped worker gives its unsent rows back before it ends");
                    assertTrue(SENT.matcher(read(dir.resolve("stopped.log"))).find(),
                            "a stopped worker reports what it sent: " + read(dir.resolve("stopped.log")));
                }

                assertTrue(send.waitFor(remaining(deadline), TimeUnit.NANOSECONDS), () -> "release send finishes: "
                        + progress(s, relay, List.of(dir.resolve("killed.log"), dir.resolve("stopped.log"), dir.resolve("send.log"))));
                assertEquals(0, send.exitValue(), () -> "release send: " + read(dir.resolve("send.log")));

                Map<String, Integer> per = deliveries(relay);
                int duplicates = per.values().stream().mapToInt(n -> n - 1).sum();
                assertEquals(s.audience(), per.keySet(), "the killed worker's rows were taken over: nothing lost");
                assertTrue(duplicates <= CONNECTIONS, "at most the killed worker's in-flight messages twice: "
                        + duplicates + ": " + duplicated(per));
                try (MailerRuntime rt = MailerRuntime.open(s.settings())) {
                    assertEquals(Map.of("sent", SUBSCRIBERS), rt.outbox().counts(s.release()));
                    assertEquals("sent", rt.releases().get(s.release()).status());
                    Map<Long, Instant> sentAt = sentAt(rt, held.keySet());
                    assertEquals(held.keySet(), sentAt.keySet(), "every row the killed worker held was delivered");
                    List<Long> takenOver = held.keySet().stream().filter(id -> sentAt.get(id).isAfter(killedAt)).toList();
                    assertFalse(takenOver.isEmpty(), "the killed worker's claimed rows were still unsent when it died");
                    if (anotherMachine) {
                        for (long id : takenOver) {
                            assertFalse(sentAt.get(id).isBefore(held.get(id)),
                                    "row " + id + " was taken from the dead worker only after its lease ran out");
                        }
                    } else {
                        System.err.println("PostgresWorkersTest: the killed worker's leases name the same host as the others'"
                                + " (a machine called localhost needs no lookup), so they took its rows at once, not at lease expiry");
                    }
                    System.err.printf("PostgresWorkersTest: killed worker held %d rows, %d taken over; %d duplicate(s)%n",
                            held.size(), takenOver.size(), duplicates);
                }
            } finally {
                stopAll(processes);
            }
        }
    }

    @Test
    void aLiveSenderKeepsTheRowsItHoldsPastItsLeaseSoNoOtherSenderTakesThem() throws Exception {
        // 150 rows, all claimed at once (two batches), sent at 20 a second: the last wait in the queue
        // for 7 s, longer than the 5 s lease. A live sender renews; otherwise another takes them.
        int subscribers = 150;
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup s = prepare(relay, subscribers, Map.of("send.rate.per.second", "20"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TEST_SECONDS);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (MailerRuntime rt = MailerRuntime.open(s.settings())) {
                Future<SendSummary> sending = pool.submit(() ->
                        rt.sender(s.flow().approver).send(s.release(), SendListener.NONE, ReleaseSender.StopSignal.NEVER));
                // 120 messages at 20/s: at least 6 s in, past the first lease of every claimed row
                await(deadline, () -> relay.received().size() >= 120);
                List<OutboxRow> taken = rt.outbox().claim(s.release(), "another-machine:1:regress", subscribers,
                        Duration.ofSeconds(LEASE_SECONDS));
                assertEquals(List.of(), taken.stream().map(OutboxRow::email).toList(),
                        "rows a live sender holds are not free for another sender");
                SendSummary summary = sending.get(remaining(deadline), TimeUnit.NANOSECONDS);
                assertEquals(subscribers, summary.sent());
                Map<String, Integer> per = deliveries(relay);
                assertEquals(s.audience(), per.keySet());
                assertTrue(per.values().stream().allMatch(n -> n == 1), "exactly once: " + duplicated(per));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void claimsOnPostgresAreDisjointAndAnotherMachinesRowsAreTakenOnlyWhenItsLeaseRunsOut() throws Exception {
        int rows = 300;
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> null)) {
            Setup s = prepare(relay, rows, Map.of());
            try (MailerRuntime rt = MailerRuntime.open(s.settings())) {
                OutboxStore outbox = rt.outbox();
                assertEquals(rows, outbox.snapshot(s.release()));
                // Three senders on other machines (owners this host cannot check) claim at the same moment.
                // SKIP LOCKED: none waits for another's uncommitted claim, and no row goes to two of them.
                Duration lease = Duration.ofSeconds(2);
                List<String> owners = List.of("host-a:11:aaaa", "host-b:22:bbbb", "host-c:33:cccc");
                CyclicBarrier together = new CyclicBarrier(owners.size());
                ExecutorService pool = Executors.newFixedThreadPool(owners.size());
                Map<String, Set<Long>> claimed = new TreeMap<>();
                Instant beforeClaims = Instant.now();
                try {
                    List<Future<List<OutboxRow>>> claims = new ArrayList<>();
                    for (String owner : owners) {
                        claims.add(pool.submit(() -> {
                            together.await(10, TimeUnit.SECONDS);
                            return outbox.claim(s.release(), owner, 100, lease);
                        }));
                    }
                    for (int i = 0; i < owners.size(); i++) {
                        claimed.put(owners.get(i), claims.get(i).get(30, TimeUnit.SECONDS).stream()
                                .map(OutboxRow::id).collect(java.util.stream.Collectors.toSet()));
                    }
                } finally {
                    pool.shutdownNow();
                }
                Set<Long> all = new HashSet<>();
                claimed.values().forEach(all::addAll);
                assertEquals(rows, all.size(), "every row claimed once, by one owner: " + claimed.values().stream().map(Set::size).toList());
                claimed.values().forEach(ids -> assertEquals(100, ids.size()));

                assertEquals(List.of(), outbox.claim(s.release(), "host-d:44:dddd", rows, lease),
                        "live leases hold every row");
                // host-b is alive and renews; host-a and host-c died
                assertEquals(100, outbox.renewLeases("host-b:22:bbbb", claimed.get("host-b:22:bbbb"), Duration.ofSeconds(60)));
                assertEquals(0, outbox.renewLeases("host-b:22:bbbb", claimed.get("host-a:11:aaaa"), Duration.ofSeconds(60)),
                        "a sender renews only its own rows");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Set<Long> takenOver = new HashSet<>();
                Instant firstTakeover = null;
                while (takenOver.size() < 200 && System.nanoTime() - deadline < 0) {
                    List<OutboxRow> got = outbox.claim(s.release(), "host-d:44:dddd", rows, lease);
                    if (!got.isEmpty() && firstTakeover == null) {
                        firstTakeover = Instant.now();
                    }
                    got.forEach(r -> takenOver.add(r.id()));
                    Thread.sleep(100);
                }
                assertTrue(firstTakeover != null && !firstTakeover.isBefore(beforeClaims.plus(lease)),
                        "taken only after the lease ran out: " + firstTakeover + " vs claims at " + beforeClaims);
                Set<Long> dead = new HashSet<>(claimed.get("host-a:11:aaaa"));
                dead.addAll(claimed.get("host-c:33:cccc"));
                assertEquals(dead, takenOver, "the dead senders' rows, and none of the live one's, were taken over");
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Unsent rows of the release under a live lease of the sender with process id {@code pid}, with the lease's end. */
    private static Map<Long, Instant> leasedTo(MailerRuntime rt, long release, long pid) {
        return rt.db().jdbi().withHandle(h -> {
            Map<Long, Instant> m = new TreeMap<>();
            // lease owners are host:pid:random
            h.createQuery("SELECT id, lease_until FROM outbox WHERE release_id = :r AND status IN ('pending', 'retry')"
                            + " AND lease_owner LIKE :owner AND lease_until > :now")
                    .bind("r", release).bind("owner", "%:" + pid + ":%").bind("now", Instant.now())
                    .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getObject("lease_until", OffsetDateTime.class).toInstant()))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    private static Map<Long, Instant> sentAt(MailerRuntime rt, Set<Long> ids) {
        return rt.db().jdbi().withHandle(h -> {
            Map<Long, Instant> m = new TreeMap<>();
            h.createQuery("SELECT id, sent_at FROM outbox WHERE status = 'sent' AND id IN (<ids>)").bindList("ids", List.copyOf(ids))
                    .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getObject("sent_at", OffsetDateTime.class).toInstant()))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    /**
     * Whether, right now, the leases (owner host:pid:random) of the senders with process ids
     * {@code pid} and {@code otherPid} name different hosts: only then must the one wait for the
     * other's lease to run out instead of seeing at once that its process has ended.
     */
    private static boolean leasesNameDifferentHosts(MailerRuntime rt, long release, long pid, long otherPid) {
        List<String> owners = rt.db().jdbi().withHandle(h -> h.createQuery(
                        "SELECT DISTINCT lease_owner FROM outbox WHERE release_id = :r AND lease_owner IS NOT NULL")
                .bind("r", release).mapTo(String.class).list());
        Map<String, Set<String>> hostsByPid = new HashMap<>();
        for (String o : owners) {
            String[] parts = o.split(":");
            if (parts.length == 3) {
                hostsByPid.computeIfAbsent(parts[1], k -> new HashSet<>()).add(parts[0]);
            }
        }
        Set<String> one = hostsByPid.getOrDefault(Long.toString(pid), Set.of());
        Set<String> other = hostsByPid.getOrDefault(Long.toString(otherPid), Set.of());
        return !one.isEmpty() && !other.isEmpty() && one.stream().noneMatch(other::contains);
    }

    private static List<Integer> sentPerProcess(List<Path> logs) {
        List<Integer> shares = new ArrayList<>();
        for (Path log : logs) {
            int n = 0;
            Matcher m = SENT.matcher(read(log));
            while (m.find()) {
                n += Integer.parseInt(m.group(1));
            }
            shares.add(n);
        }
        return shares;
    }

    private static Map<String, Integer> deliveries(ScriptedSmtpServer relay) {
        Map<String, Integer> per = new HashMap<>();
        for (ScriptedSmtpServer.Received r : relay.received()) {
            for (String a : r.recipients()) {
                per.merge(a, 1, Integer::sum);
            }
        }
        return per;
    }

    /** The addresses delivered more than once (the first few, for a readable failure) and how often. */
    private static String duplicated(Map<String, Integer> per) {
        Map<String, Integer> d = new TreeMap<>();
        per.forEach((a, n) -> {
            if (n > 1) {
                d.put(a, n);
            }
        });
        return d.size() + " address(es) more than once, e.g. " + d.entrySet().stream().limit(5).toList();
    }

    private static void await(long deadline, BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + TEST_SECONDS + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Where a send stands, for a failure message: what the relay got, the outbox, what each process printed. */
    private static String progress(Setup s, ScriptedSmtpServer relay, List<Path> logs) {
        StringBuilder b = new StringBuilder("relay received " + relay.received().size() + " of " + s.audience().size());
        try (MailerRuntime rt = MailerRuntime.open(s.settings())) {
            b.append("; outbox ").append(rt.outbox().counts(s.release()));
        } catch (RuntimeException e) {
            b.append("; outbox unreadable: ").append(e.getMessage());
        }
        for (Path log : logs) {
            String text = read(log);
            b.append("\n--- ").append(log.getFileName()).append(":\n").append(text.substring(Math.max(0, text.length() - 2000)));
        }
        return b.toString();
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The real command line in a JVM of its own, on this test's classpath; output to {@code log}. */
    private static Process start(Path config, Path log, List<String> jvmOptions, String... command) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(List.of(java));
        args.addAll(jvmOptions);
        args.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.signedmail.cli.Main",
                "--config", config.toString()));
        args.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(args);
        // only the config file speaks: no MAILER_* setting of the test environment leaks in
        pb.environment().keySet().removeIf(k -> k.startsWith("MAILER_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb.start();
    }

    /** Workers run until stopped: SIGTERM first (their shutdown path), then kill what is left. */
    private static void stopAll(List<Process> processes) throws InterruptedException {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
