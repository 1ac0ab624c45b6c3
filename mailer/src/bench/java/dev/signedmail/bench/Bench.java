package dev.signedmail.bench;

import dev.signedmail.MailerRuntime;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.release.Release;
import dev.signedmail.render.Personalisation;
import dev.signedmail.render.Renderer;
import dev.signedmail.render.Site;
import dev.signedmail.send.MessageComposer;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.sign.CryptoProviders;
import dev.signedmail.sign.DkimKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.api.email.config.DkimConfig;
import org.simplejavamail.api.email.config.SmimeSigningConfig;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;

/**
 * The issue-6 benchmark: one run, same inputs, prints a table, the ratios and one line per target.
 * Run with {@code bench/run} (options: {@code --seconds S}, {@code --e2e N}, {@code --sjm N},
 * {@code --connections N}, {@code --scale N1,N2}).
 */
public final class Bench {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private final Map<String, Double> rows = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final List<String> targets = new ArrayList<>();
    private double seconds = 5;
    private int e2eRecipients = 10_000;
    private int[] scale = {100_000, 200_000};
    private int sjmMessages = 300;
    /** SMTP connections of the end-to-end and scale sends; more of them share more of each H2 commit. */
    private static int connections = 8;

    /** send.commit.delay.ms for the end-to-end and scale sends; null: the product's default. */
    private static String commitDelayMs;
    private boolean quick;

    public static void main(String[] args) throws Exception {
        Bench b = new Bench();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> b.seconds = Double.parseDouble(args[++i]);
                case "--e2e" -> b.e2eRecipients = Integer.parseInt(args[++i]);
                case "--sjm" -> b.sjmMessages = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--commit-delay-ms" -> commitDelayMs = args[++i];
                case "--quick" -> b.quick = true;
                case "--scale" -> {
                    String[] p = args[++i].split(",");
                    b.scale = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--seconds S, --e2e N, --sjm N, --connections N, --commit-delay-ms MS, --scale N1,N2; --scale 0,0 skips the child-JVM runs;"
                        + " --quick: only full signing and end to end, and their ratio)");
            }
        }
        b.run();
        System.exit(0);
    }

    private void row(String name, double value, String note) {
        rows.put(name, value);
        if (note != null) {
            notes.put(name, note);
        }
        System.out.printf(Locale.ROOT, "  %-58s %10.1f  %s%n", name, value, note == null ? "" : note);
    }

    private void run() throws Exception {
        String provider = CryptoProviders.install();
        System.out.printf("bench: %d cores, java %s, first JCA provider: %s%n", CORES, System.getProperty("java.version"), provider);
        System.out.println("bench: load average at start " + loadAverage() + " (other processes on this machine skew absolute rates; the ratios compare phases of one run)");
        System.out.printf("bench: %.0f s per rate phase, each after its JIT warm-up (at least " + MIN_WARMUP_SECONDS + " s, until three 1-s windows agree within 3%%, at most "
                + MAX_WARMUP_SECONDS + " s); end to end %d recipients over %d connections; scale runs %d and %d recipients (-Xmx256m)%n%n",
                seconds, e2eRecipients, connections, scale[0], scale[1]);

        if (quick) {
            quick();
            return;
        }
        // physical limit
        double ossl1 = openssl(1);
        double osslAll = openssl(CORES);
        row("openssl speed rsa2048, 1 core (sign/s)", ossl1, null);
        row("openssl speed rsa2048, " + CORES + " cores (sign/s)", osslAll, null);

        // raw JVM signing
        rawSigning();

        Path work = Files.createTempDirectory("signedmail-bench");
        try (SinkServer sink = new SinkServer()) {
            Map<String, String> cfg = TestSupport.settingsMap(work.resolve("inproc"), sink.port());
            cfg.put("smtp.connections", "4");
            Settings settings = Settings.of(cfg);
            MailerRuntime.init(settings);
            long releaseId;
            Release release;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                dev.signedmail.testing.Flow flow = dev.signedmail.testing.Flow.operators(rt, work.resolve("tokens"));
                releaseId = approvedSample(rt, flow);
                release = rt.releases().get(releaseId);

                // render only
                Renderer renderer = new Renderer(new Site("Example Press Office", "https://news.example.org",
                        "https://news.example.org/verify"), null);
                row("render only, " + CORES + " threads (msg/s)", rate(CORES, i -> renderer.render(release,
                        new Personalisation("sub" + i + "@example.net", "Subscriber " + i, "general",
                                "https://news.example.org/unsubscribe/t" + i, "https://news.example.org/preferences/t" + i))), null);

                // render + full signing (S/MIME + DKIM per recipient), native provider and JDK provider
                MessageComposer composer = rt.composer();
                double full = signingRate(composer, release);
                row("render + S/MIME + DKIM, " + CORES + " threads (msg/s)", full, provider + stealNote());
                rows.put("full", full);

                // shared-body mode: the same release signed once; per recipient only headers + DKIM
                Release shared = rt.releases().get(approvedSample(rt, flow, true));
                double sharedRate = signingRate(composer, shared);
                row("shared-body mode: headers + DKIM per recipient, " + CORES + " threads (msg/s)", sharedRate, provider);
                rows.put("shared", sharedRate);
            }
            double fullJdk = withJdkProviders(() -> {
                try (MailerRuntime rt = MailerRuntime.open(settings)) {
                    MessageComposer c = rt.composer();
                    return signingRate(c, release);
                }
            });
            row("render + S/MIME + DKIM, JDK providers (before) (msg/s)", fullJdk, "native is " + ratio(rows.get("full"), fullJdk) + "x");

            // end to end, in this JVM: real outbox in H2, ReleaseSender with its pool of connections, to the sink
            warmUpEndToEnd(work, sink);
            double fullBefore = fullSigningNow(settings, release);
            Measured e2eRun = endToEnd(work.resolve("e2e"), sink, e2eRecipients);
            double e2e = e2eRun.rate();
            double fullAfter = fullSigningNow(settings, release);
            row("end to end: release send, " + e2eRecipients + " recipients, " + connections + " connections (msg/s)", e2e, e2eRun.note());
            double around = (fullBefore + fullAfter) / 2;
            row("render + S/MIME + DKIM just before / after end to end (msg/s)", around,
                    String.format(Locale.ROOT, "mean of %.1f and %.1f", fullBefore, fullAfter));

            // Simple Java Mail loop on the same sink
            double sjm = simpleJavaMail(sink, release, sjmMessages);
            row("Simple Java Mail loop (render, build, S/MIME, DKIM, send) (msg/s)", sjm, "1 thread, its own connection handling");

            // scale, in a child JVM with -Xmx256m running the real CLI
            double[] perRecipient = new double[2];
            long[] peak = new long[2];
            boolean[] ok = new boolean[2];
            if (scale[0] > 0) {
                for (int k = 0; k < 2; k++) {
                    Scale r = childSend(work.resolve("scale" + k), sink, scale[k]);
                    perRecipient[k] = r.seconds / scale[k] * 1e6;
                    peak[k] = r.peakHeapMb;
                    ok[k] = r.ok;
                    row("child JVM -Xmx256m: release send " + scale[k] + " (msg/s)", scale[k] / r.seconds,
                            (r.ok ? "completed" : "FAILED") + ", " + String.format(Locale.ROOT, "%.0f s, peak heap %d MB, heap after GC at the end %d MB",
                                    r.seconds, r.peakHeapMb, r.heapAfterGcAtEndMb));
                }
            }

            // ratios and targets
            System.out.println();
            System.out.println("bench: load average at end " + loadAverage());
        System.out.println("bench: warm-up of each rate phase (s): " + warmups.stream()
                .map(w -> String.format(Locale.ROOT, "%.0f", w)).collect(java.util.stream.Collectors.joining(", ")));
            System.out.println("ratios:");
            System.out.printf(Locale.ROOT, "  full signing / (openssl all cores / 2) = %.2f%n", full() / (osslAll / 2));
            System.out.printf(Locale.ROOT, "  full signing / JVM raw RSA all cores / 2 = %.2f%n", full() / (rows.get("rawRsaAll") / 2));
            System.out.printf(Locale.ROOT, "  shared-body / openssl all cores = %.2f%n", rows.get("shared") / osslAll);
            System.out.printf(Locale.ROOT, "  shared-body / full signing = %.2f%n", rows.get("shared") / full());
            System.out.printf(Locale.ROOT, "  end to end / full signing measured around it = %.2f (/ the first full signing: %.2f)%n", e2e / around, e2e / full());
            System.out.printf(Locale.ROOT, "  end to end / Simple Java Mail loop = %.1f%n", e2e / sjm);
            System.out.printf(Locale.ROOT, "  native / JDK provider (full signing) = %.2f%n", full() / fullJdk);
            System.out.println();
            target("full-signing", full(), 0.7 * osslAll / 2, "msg/s", "70% of openssl all-core RSA-2048 / 2");
            target("shared-body", rows.get("shared"), 0.7 * osslAll, "msg/s", "70% of openssl all-core RSA-2048");
            target("end-to-end", e2e, 0.7 * around, "msg/s", "70% of render + full signing, measured just before and after it");
            target("vs-simple-java-mail", e2e / sjm, 10, "x", "10x the Simple Java Mail loop");
            if (scale[0] > 0) {
                boolean million = scale[1] >= 1_000_000;
                String what = ok[1] ? "completed " + scale[1] + " with -Xmx256m, peak heap " + peak[1] + " MB" : "FAILED at " + scale[1];
                System.out.println("target 1M-in-256m: " + what + " (goal 1000000 recipients with -Xmx256m) "
                        + (ok[1] && million ? "met" : "missed" + (million ? "" : " (scaled down: not run at 1M)")));
                double lin = perRecipient[1] / perRecipient[0];
                System.out.printf(Locale.ROOT, "target linear: %.2f x per-recipient time at %d vs %d (goal <= 1.20) %s%n",
                        lin, scale[1], scale[0], lin <= 1.2 && ok[0] && ok[1] ? "met" : "missed");
            } else {
                System.out.println("target 1M-in-256m: not run (--scale 0,0) (goal 1000000 recipients with -Xmx256m) missed");
                System.out.println("target linear: not run (--scale 0,0) (goal <= 1.20) missed");
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private double full() {
        return rows.get("full");
    }

    private void target(String name, double measured, double goal, String unit, String what) {
        System.out.printf(Locale.ROOT, "target %s: %.1f %s (goal %.1f %s = %s) %s%n", name, measured, unit, goal, unit, what,
                measured >= goal ? "met" : "missed");
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    // ---- raw signing -------------------------------------------------------------------------

    private void rawSigning() throws Exception {
        byte[] input = new byte[400];
        for (String[] alg : new String[][] {{"RSA", "SHA256withRSA"}, {"Ed25519", "Ed25519"}}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg[0]);
            if (alg[0].equals("RSA")) {
                g.initialize(2048);
            }
            PrivateKey key = g.generateKeyPair().getPrivate();
            Provider p = Signature.getInstance(alg[1]).getProvider();
            for (int threads : new int[] {1, CORES}) {
                double r = rate(threads, i -> {
                    try {
                        Signature s = Signature.getInstance(alg[1]);
                        s.initSign(key);
                        s.update(input);
                        s.sign();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                row("JVM " + alg[0] + (alg[0].equals("RSA") ? "-2048" : "") + " sign, " + threads + " thread(s) (sign/s)", r, p.getName());
                if (alg[0].equals("RSA") && threads == CORES) {
                    rows.put("rawRsaAll", r);
                }
            }
        }
        // the JDK's own provider for comparison (what runs where the native one cannot load)
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
        g.initialize(2048);
        PrivateKey key = g.generateKeyPair().getPrivate();
        double r = rate(CORES, i -> {
            try {
                Signature s = Signature.getInstance("SHA256withRSA", "SunRsaSign");
                s.initSign(key);
                s.update(input);
                s.sign();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        row("JVM RSA-2048 sign, " + CORES + " threads, JDK SunRsaSign (sign/s)", r, null);
    }

    interface Task {
        void run(long i) throws Exception;
    }

    /** Operations per second over all threads: 1 s warm-up, then {@link #seconds}. */
    /**
     * Steady-state rate of {@code task} on {@code threads} threads. The threads first run until the
     * JIT has settled (at least {@link #MIN_WARMUP_SECONDS}, then until three consecutive one-second
     * windows are within 3% of each other, at most {@link #MAX_WARMUP_SECONDS}); only then is the measured window of {@code seconds} counted. With
     * both cores busy signing, the compiler threads are starved and a path as deep as render + CMS
     * + DKIM keeps speeding up for ten seconds and more; a fixed one-second warm-up measured that
     * ramp, not the rate a long send runs at.
     */
    private double rate(int threads, Task task) throws Exception {
        AtomicLong counter = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        task.run(counter.incrementAndGet());
                        completed.incrementAndGet();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        try {
            List<Double> windows = new ArrayList<>();
            long warmupStart = System.nanoTime();
            while (errors.isEmpty() && System.nanoTime() - warmupStart < MAX_WARMUP_SECONDS * 1_000_000_000L) {
                long c0 = completed.get();
                Thread.sleep(1000);
                windows.add((double) (completed.get() - c0));
                if (System.nanoTime() - warmupStart >= MIN_WARMUP_SECONDS * 1_000_000_000L && settled(windows)) {
                    break;
                }
            }
            warmups.add((System.nanoTime() - warmupStart) / 1e9);
            long c0 = completed.get();
            long t0 = System.nanoTime();
            long[] ticks = cpuTicks();
            Thread.sleep((long) (seconds * 1000));
            long n = completed.get() - c0;
            lastSteal = stealSince(ticks);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (!errors.isEmpty()) {
                throw new IllegalStateException(errors.get(0));
            }
            return n / elapsed;
        } finally {
            stop.set(true);
            for (Thread th : ts) {
                th.join();
            }
        }
    }

    /** CPU steal during the measured window of the last rate phase (see {@link #cpuTicks()}), or -1. */
    private double lastSteal = -1;

    private String stealNote() {
        return stealNote(lastSteal);
    }

    /** ", CPU steal N%", or nothing where steal is unknown (-1). */
    static String stealNote(double steal) {
        return steal < 0 ? "" : String.format(Locale.ROOT, ", CPU steal %.0f%%", steal * 100);
    }

    /** Upper bound of a rate phase's warm-up; every loop in the benchmark is bounded. */
    private static final int MAX_WARMUP_SECONDS = 40;
    /**
     * Lower bound: with both cores busy, C2 finishes the signing path only after about ten seconds,
     * and before that the rate can sit on a plateau long enough to look settled.
     */
    private static final int MIN_WARMUP_SECONDS = 10;

    /** The last three one-second windows agree within 3%. */
    private static boolean settled(List<Double> windows) {
        if (windows.size() < 3) {
            return false;
        }
        List<Double> last = windows.subList(windows.size() - 3, windows.size());
        double max = java.util.Collections.max(last);
        double min = java.util.Collections.min(last);
        return max > 0 && (max - min) <= 0.03 * max;
    }
    /** The warm-up each rate phase needed, printed with the table. */
    private final List<Double> warmups = new ArrayList<>();

    interface Measure {
        double get() throws Exception;
    }

    /** Runs {@code m} with the native provider taken out of the provider list (keys loaded inside are JDK keys). */
    private static double withJdkProviders(Measure m) throws Exception {
        Provider accp = Security.getProvider("AmazonCorrettoCryptoProvider");
        if (accp == null) {
            return m.get();
        }
        Security.removeProvider(accp.getName());
        try {
            return m.get();
        } finally {
            Security.insertProviderAt(accp, 1);
        }
    }

    /**
     * Full signing again, in a runtime of its own, for the end-to-end ratio: measured just before and
     * just after the end-to-end send, so both sides of the ratio see the machine at the same time.
     * On a shared host the same full-signing phase gave 2,650–3,430 msg/s from run to run, and the
     * first measurement comes minutes before the send.
     */
    private double fullSigningNow(Settings settings, Release release) throws Exception {
        try (MailerRuntime rt = MailerRuntime.open(settings)) {
            return signingRate(rt.composer(), release);
        }
    }

    /** Render + sign (S/MIME + DKIM, or shared body) per recipient on every core, in messages a second. */
    private double signingRate(MessageComposer composer, Release release) throws Exception {
        return rate(CORES, i -> composer.compose(release,
                new MessageComposer.Recipient(i, "sub" + i + "@example.net", "Subscriber " + i), Instant.now()));
    }

    // ---- end to end in this JVM ----------------------------------------------------------------

    /** The end-to-end ratio alone, for trying a change to the send path: full signing, then end to end. */
    private void quick() throws Exception {
        Path work = Files.createTempDirectory("signedmail-bench");
        try (SinkServer sink = new SinkServer()) {
            Settings settings = Settings.of(TestSupport.settingsMap(work.resolve("inproc"), sink.port()));
            MailerRuntime.init(settings);
            double full;
            Release release;
            try (MailerRuntime rt = MailerRuntime.open(settings)) {
                release = rt.releases().get(approvedSample(rt, dev.signedmail.testing.Flow.operators(rt, work.resolve("tokens"))));
                MessageComposer composer = rt.composer();
                full = signingRate(composer, release);
            }
            row("render + S/MIME + DKIM, " + CORES + " threads (msg/s)", full, stealNote().replaceFirst("^, ", ""));
            // --commit-delay-ms A,B,...: one end-to-end send per value, in turn, in this run
            String[] delays = commitDelayMs == null ? new String[] {null} : commitDelayMs.split(",");
            commitDelayMs = delays[0];
            warmUpEndToEnd(work, sink);
            double before = fullSigningNow(settings, release);
            for (int k = 0; k < delays.length; k++) {
                commitDelayMs = delays[k];
                Measured e2e = endToEnd(work.resolve("e2e" + k), sink, e2eRecipients);
                double after = fullSigningNow(settings, release);
                double around = (before + after) / 2;
                row("end to end: release send, " + e2eRecipients + " recipients, " + connections + " connections (msg/s)", e2e.rate(),
                        String.format(Locale.ROOT, "commit delay %s, %.2f of full signing around it (%.0f / %.0f msg/s before / after; %.2f of the first), %s",
                                delays[k] == null ? "default" : delays[k] + " ms", e2e.rate() / around, before, after, e2e.rate() / full, e2e.note()));
                before = after;
            }
        }
    }

    /**
     * Whole sends, unmeasured, until the send path is compiled: two sends in a row agree within 5%
     * and the JIT spent under 5% of the last one's time compiling (at least the rate phases'
     * minimum warm-up, at most {@link #MAX_E2E_WARMUP_SECONDS}). Rates alone settle too early: in
     * one run two warm-up sends agreed within 5% while the JIT compiled for the whole of each
     * (H2's commit, the SMTP client), and the compiler threads took a sixth of both cores during
     * the measured send. In the runs so far the share fell to 10–20% within two minutes and stayed
     * there (each send opens a new runtime and database), so the cap usually ends the warm-up; the
     * table shows the share during the measured send.
     */
    private void warmUpEndToEnd(Path work, SinkServer sink) throws Exception {
        long start = System.nanoTime();
        int n = Math.max(1_000, e2eRecipients / 4);
        double last = 0;
        for (int k = 0; k < 100; k++) {
            double secs = (System.nanoTime() - start) / 1e9;
            if (secs >= MAX_E2E_WARMUP_SECONDS) {
                break;
            }
            Measured m = endToEnd(work.resolve("e2e-warmup" + k), sink, n);
            if (secs >= MIN_WARMUP_SECONDS && last > 0 && Math.abs(m.rate() - last) / last < 0.05 && m.jitShare() < 0.05) {
                break;
            }
            last = m.rate();
        }
        warmups.add((System.nanoTime() - start) / 1e9);
    }

    /** The longest end-to-end warm-up; a send of 5,000 takes a few seconds. */
    private static final int MAX_E2E_WARMUP_SECONDS = 120;

    /** CPU time of this whole process (the sink's threads included), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static final java.lang.management.CompilationMXBean JIT = java.lang.management.ManagementFactory.getCompilationMXBean();

    /**
     * An end-to-end send, the share of its time the JIT spent compiling (0.05 is 5%), and the share
     * of CPU time the machine's host took from this one meanwhile (steal; -1 where unknown).
     */
    record Measured(double rate, double jitShare, double steal, double answersPerCommit, double coresUsed) {
        String note() {
            return String.format(Locale.ROOT, "%.1f answers a commit, %.2f of %d cores busy, JIT compiling %.0f%% of the send",
                    answersPerCommit, coresUsed, CORES, jitShare * 100) + stealNote(steal);
        }
    }

    /**
     * The machine-wide CPU counters of /proc/stat: {total, steal} in clock ticks, or null where there
     * is none. Steal is time a virtual machine's host gave to someone else: on this benchmark's
     * machine the same end-to-end send ran anywhere between 600 and 1,150 msg/s from one run to
     * the next, and the share stolen during the send tells a slow host from a slow send.
     */
    static long[] cpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user … steal; guest time is inside user
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, f.length > 8 ? Long.parseLong(f[8]) : 0};
        } catch (Exception e) {
            return null;
        }
    }

    static double stealSince(long[] before) {
        long[] now = cpuTicks();
        if (before == null || now == null || now[0] == before[0]) {
            return -1;
        }
        return (double) (now[1] - before[1]) / (now[0] - before[0]);
    }

    private static Settings populated(Path home, SinkServer sink, int recipients, int connections) throws Exception {
        Map<String, String> cfg = TestSupport.settingsMap(home, sink.port());
        cfg.put("smtp.connections", Integer.toString(connections));
        if (commitDelayMs != null) {
            cfg.put("send.commit.delay.ms", commitDelayMs);
        }
        Settings s = Settings.of(cfg);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            rt.db().jdbi().useHandle(h -> {
                h.createUpdate("INSERT INTO subscribers (email, name, status, created_at, updated_at)"
                        + " SELECT CONCAT('sub', X, '@example.net'), CONCAT('Subscriber ', X), 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
                        + " FROM SYSTEM_RANGE(1, " + recipients + ")").execute();
                h.createUpdate("INSERT INTO subscriber_topics (subscriber_id, topic) SELECT id, 'general' FROM subscribers").execute();
            });
            flow = dev.signedmail.testing.Flow.operators(rt, home.resolve("tokens"));
            approvedSample(rt, flow);
        }
        return s;
    }

    /** The operators of the last populated database (a send needs an approver's authority). */
    private static dev.signedmail.testing.Flow flow;

    /** The sample release, written by the editor and approved by the approver (two people). */
    private static long approvedSample(MailerRuntime rt, dev.signedmail.testing.Flow f) {
        return approvedSample(rt, f, false);
    }

    private static long approvedSample(MailerRuntime rt, dev.signedmail.testing.Flow f, boolean sharedBody) {
        long id = rt.workflow().create(f.editor, dev.signedmail.release.ReleaseStore.validate(
                "Road closed: Station Road between the bridge and the market",
                "Station Road is closed after a collision; use the ring road.", SAMPLE_BODY,
                "https://news.example.org/2026/road-closed", "general").withSharedBody(sharedBody));
        rt.workflow().submit(f.editor, id);
        rt.workflow().approve(f.approver, id);
        return id;
    }

    /** One release send to the sink; the JIT's share is of the send alone, not of filling the database. */
    private static Measured endToEnd(Path home, SinkServer sink, int recipients) throws Exception {
        Settings s = populated(home, sink, recipients, connections);
        long before = sink.messages.get();
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            long jitBefore = JIT.getTotalCompilationTime();
            long[] ticks = cpuTicks();
            long cpuBefore = processCpuNanos();
            ReleaseSender sender = rt.sender(flow.approver);
            SendSummary summary = sender.send(1, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
            double jitShare = (JIT.getTotalCompilationTime() - jitBefore) / (summary.seconds() * 1000);
            double steal = stealSince(ticks);
            long got = sink.messages.get() - before;
            if (summary.sent() != recipients || got != recipients) {
                throw new IllegalStateException("end to end sent " + summary.sent() + ", sink got " + got + " of " + recipients);
            }
            double perCommit = (double) sender.outbox().answersWritten() / Math.max(1, sender.outbox().commits());
            double cores = (processCpuNanos() - cpuBefore) / (summary.seconds() * 1e9);
            return new Measured(recipients / summary.seconds(), jitShare, steal, perCommit, cores);
        }
    }

    // ---- Simple Java Mail ----------------------------------------------------------------------

    private static double simpleJavaMail(SinkServer sink, Release release, int messages) throws Exception {
        Path keys = TestSupport.keys();
        byte[] p12 = Files.readAllBytes(keys.resolve("signer.p12"));
        String pw = Files.readString(keys.resolve("signer.p12.password")).strip();
        byte[] dkimDer = DkimKey.load(keys.resolve("dkim-private.pem"), "example.org", "demo").privateKey().getEncoded();
        Renderer renderer = new Renderer(new Site("Example Press Office", "https://news.example.org",
                "https://news.example.org/verify"), null);
        Mailer mailer = MailerBuilder.withSMTPServer("127.0.0.1", sink.port())
                .withTransportStrategy(TransportStrategy.SMTP).buildMailer();
        long before = sink.messages.get();
        int warm = Math.max(20, messages / 10);
        long t0 = 0;
        for (int i = 0; i < warm + messages; i++) {
            if (i == warm) {
                t0 = System.nanoTime();
            }
            String to = "sjm" + i + "@example.net";
            var r = renderer.render(release, new Personalisation(to, "Subscriber " + i, "general",
                    "https://news.example.org/unsubscribe/t" + i, "https://news.example.org/preferences/t" + i));
            Email email = EmailBuilder.startingBlank()
                    // Simple Java Mail looks the DKIM key up in DNS for every message unless the From domain is
                    // its test domain; this machine has no DNS, so the loop signs for that domain.
                    .from("Example Press Office", "news@" + SJM_DOMAIN)
                    .to("Subscriber " + i, to)
                    .withSubject(r.subject())
                    .withPlainText(r.text())
                    .withHTMLText(r.html())
                    .withHeader("List-Unsubscribe", "<https://news.example.org/unsubscribe/t" + i + ">")
                    .withHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
                    .signWithSmime(SmimeSigningConfig.builder().pkcs12Config(p12, pw, "signer", pw).build())
                    .signWithDomainKey(DkimConfig.builder().dkimPrivateKeyData(dkimDer)
                            .dkimSigningDomain(SJM_DOMAIN).dkimSelector("demo").build())
                    .buildEmail();
            mailer.sendMail(email);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long got = sink.messages.get() - before;
        if (got != warm + messages) {
            throw new IllegalStateException("Simple Java Mail: sink got " + got + " of " + (warm + messages));
        }
        mailer.shutdownConnectionPool();
        return messages / secs;
    }

    // ---- child JVM at scale --------------------------------------------------------------------

    record Scale(boolean ok, double seconds, long peakHeapMb, long heapAfterGcAtEndMb) {
    }

    private static final Pattern GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private static Scale childSend(Path home, SinkServer sink, int recipients) throws Exception {
        System.out.printf("  (preparing %d subscribers for the child JVM ...)%n", recipients);
        Settings s = populated(home, sink, recipients, connections);
        Path cfg = home.resolve("mailer.properties");
        StringBuilder props = new StringBuilder();
        TestSupport.settingsMap(home, sink.port()).forEach((k, v) -> props.append(k).append('=')
                .append(v.replace("\\", "\\\\")).append('\n'));
        props.append("smtp.connections=").append(connections).append('\n');
        Files.writeString(cfg, props.toString(), StandardCharsets.UTF_8);
        Path jar = TestSupport.projectRoot().resolve("mailer/target/mailer.jar");
        Path gcLog = home.resolve("gc.log");
        Path out = home.resolve("send.out");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long before = sink.messages.get();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(javaBin, "-Xmx256m", "-Xlog:gc:file=" + gcLog, "-jar", jar.toString(),
                "--config", cfg.toString(), "--token-file", flow.approverToken.toString(), "release", "send", "1")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean finished = p.waitFor(4, TimeUnit.HOURS);
        double secs = (System.nanoTime() - t0) / 1e9;
        long got = sink.messages.get() - before;
        boolean ok = finished && p.exitValue() == 0 && got == recipients;
        if (!ok) {
            System.out.println("  child JVM output:\n" + Files.readString(out));
        }
        long peak = 0;
        List<Long> after = new ArrayList<>();
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
                after.add(Long.parseLong(m.group(2)));
            }
        }
        // What a young collection leaves includes old garbage not yet collected; the lowest of the
        // last quarter of collections is the closest the log comes to the live set at the end.
        long endLow = after.subList(after.size() * 3 / 4, after.size()).stream().mapToLong(Long::longValue).min().orElse(0);
        return new Scale(ok, secs, peak, endLow);
    }

    // ---- openssl --------------------------------------------------------------------------------

    private double openssl(int processes) {
        try {
            List<String> cmd = new ArrayList<>(List.of("openssl", "speed", "-seconds", Integer.toString((int) Math.max(2, seconds))));
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
                best = Double.parseDouble(m.group(1));
            }
            if (best == 0) {
                throw new IllegalStateException("cannot read openssl speed output:\n" + out);
            }
            return best;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("openssl speed failed (is openssl installed?)", e);
        }
    }

    private static final String SJM_DOMAIN = "supersecret-testing-domain.com";

    static final String SAMPLE_BODY = """
            Station Road is **closed** in both directions between the river bridge and the market square
            after a collision involving a lorry this morning. Emergency services are at the scene.

            * Diversion: follow the signed route via the ring road.
            * Buses 4 and 17 are diverted; expect delays of about 20 minutes.
            * Pedestrian access to the shops on Station Road remains open.

            We expect the road to reopen by 18:00. We will send an update when it does. Please do not
            call 999 for travel information; use the [live traffic page](https://news.example.org/traffic).
            """;
}
