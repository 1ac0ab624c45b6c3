package dev.signedmail.config;

import dev.signedmail.Problem;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The one settings object: built-in defaults, then the config file, then {@code MAILER_*}
 * environment variables (the environment wins, so a deployment can override one value without
 * editing the file). Secrets are never values here, only paths of files that hold them.
 *
 * <p>Every setting has a property key ({@code smtp.host}) and an environment name derived from it
 * ({@code MAILER_SMTP_HOST}). Relative paths in the config file are relative to the file's folder;
 * relative paths from the environment are relative to the working directory.
 */
public final class Settings {

    /** Where a value came from, so an error can say which place to fix. */
    private record Value(String text, String source, Path base) {
    }

    private final Map<String, Value> values;

    private Settings(Map<String, Value> values) {
        this.values = values;
    }

    /**
     * Loads settings. {@code configFile} may be null: then {@code MAILER_CONFIG} is used if set,
     * else only defaults and the environment.
     */
    public static Settings load(Path configFile, Map<String, String> env) {
        Map<String, Value> values = new LinkedHashMap<>();
        Path cwd = Path.of("").toAbsolutePath();
        for (Setting s : Setting.values()) {
            if (s.defaultValue != null) {
                values.put(s.key, new Value(s.defaultValue, "built-in default", cwd));
            }
        }
        if (configFile == null && env.get("MAILER_CONFIG") != null && !env.get("MAILER_CONFIG").isBlank()) {
            configFile = Path.of(env.get("MAILER_CONFIG"));
        }
        if (configFile != null) {
            readFile(configFile, values);
        }
        for (Setting s : Setting.values()) {
            String v = env.get(s.envName());
            if (v != null && !v.isBlank()) {
                values.put(s.key, new Value(v.trim(), "environment variable " + s.envName(), cwd));
            }
        }
        return new Settings(values);
    }

    /** Settings from a map of property keys, for the demo and tests; no file, no environment. */
    public static Settings of(Map<String, String> properties) {
        Map<String, Value> values = new LinkedHashMap<>();
        Path cwd = Path.of("").toAbsolutePath();
        for (Setting s : Setting.values()) {
            if (s.defaultValue != null) {
                values.put(s.key, new Value(s.defaultValue, "built-in default", cwd));
            }
        }
        properties.forEach((k, v) -> {
            Setting.byKey(k).orElseThrow(() -> new Problem("unknown setting '" + k + "'"));
            values.put(k, new Value(v, "setting " + k, cwd));
        });
        return new Settings(values);
    }

    private static void readFile(Path file, Map<String, Value> values) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem("cannot read config file " + file + ": " + e.getMessage()
                    + " (check --config / MAILER_CONFIG)");
        }
        Properties p = new Properties();
        try (Reader r = new StringReader(text)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new Problem("config file " + file + " is not in properties format: " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        List<String> unknown = new ArrayList<>();
        for (String key : p.stringPropertyNames()) {
            if (Setting.byKey(key).isEmpty()) {
                unknown.add(key + " (line " + lineOf(text, key) + ")");
                continue;
            }
            String v = p.getProperty(key).trim();
            if (!v.isEmpty()) {
                values.put(key, new Value(v, "config file " + file + " line " + lineOf(text, key), base));
            }
        }
        if (!unknown.isEmpty()) {
            throw new Problem("config file " + file + " has unknown settings: " + String.join(", ", unknown)
                    + "; see mailer/mailer.example.properties for the names");
        }
    }

    private static int lineOf(String text, String key) {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].stripLeading();
            if (l.startsWith(key) && l.substring(key.length()).matches("\\s*[=:\\s].*")) {
                return i + 1;
            }
        }
        return 0;
    }

    // ---- typed accessors -------------------------------------------------------------------

    public String string(Setting s) {
        Value v = values.get(s.key);
        return v == null ? null : v.text;
    }

    public String required(Setting s) {
        String v = string(s);
        if (v == null || v.isBlank()) {
            throw new Problem("setting " + s.key + " is missing: set it in the config file or as "
                    + s.envName());
        }
        return v;
    }

    public int integer(Setting s, int min, int max) {
        String v = required(s);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Problem(s.key + " = '" + v + "' (from " + values.get(s.key).source
                    + ") must be a whole number from " + min + " to " + max);
        }
    }

    /** A yes/no setting: {@code true} or {@code false}, in any case. */
    public boolean bool(Setting s) {
        String v = required(s).strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Problem(s.key + " = '" + v + "' (from " + sourceOf(s) + ") must be true or false");
        };
    }

    public double number(Setting s, double min, double max) {
        String v = required(s);
        try {
            double n = Double.parseDouble(v);
            if (!(n >= min && n <= max)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Problem(s.key + " = '" + v + "' (from " + values.get(s.key).source
                    + ") must be a number from " + min + " to " + max);
        }
    }

    /** A path setting, resolved against where it was set; null when not set. */
    public Path path(Setting s) {
        Value v = values.get(s.key);
        if (v == null || v.text.isBlank()) {
            return null;
        }
        return v.base.resolve(v.text).normalize();
    }

    public Path requiredPath(Setting s) {
        required(s);
        return path(s);
    }

    /** Where a setting's value came from, for error messages. */
    public String sourceOf(Setting s) {
        Value v = values.get(s.key);
        return v == null ? "not set" : v.source;
    }

    public Path home() {
        return requiredPath(Setting.HOME).toAbsolutePath();
    }

    public InternetAddress from() {
        String v = required(Setting.FROM);
        try {
            InternetAddress a = new InternetAddress(v, true);
            a.validate();
            return a;
        } catch (AddressException e) {
            throw new Problem("from = '" + v + "' (from " + sourceOf(Setting.FROM)
                    + ") is not an e-mail address: " + e.getMessage()
                    + "; write it as  Press Office <news@example.org>");
        }
    }

    public String fromDomain() {
        String a = from().getAddress();
        return a.substring(a.indexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    public TlsMode smtpTls() {
        String v = required(Setting.SMTP_TLS).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "none" -> TlsMode.NONE;
            case "starttls" -> TlsMode.STARTTLS;
            case "tls" -> TlsMode.TLS;
            default -> throw new Problem("smtp.tls = '" + v + "' (from " + sourceOf(Setting.SMTP_TLS)
                    + ") must be one of none, starttls, tls");
        };
    }

    /** Public base URL for links, without a trailing slash. */
    public String baseUrl() {
        String v = required(Setting.BASE_URL);
        try {
            URI u = new URI(v);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (Exception e) {
            throw new Problem("base.url = '" + v + "' (from " + sourceOf(Setting.BASE_URL)
                    + ") must be an absolute http(s) URL such as https://news.example.org");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    /** The database URL: the setting, or an H2 file in the home folder that keeps committed rows on kill -9. */
    public String databaseUrl() {
        String v = string(Setting.DB_URL);
        if (v != null && !v.isBlank()) {
            return v;
        }
        // WRITE_DELAY=0: with H2's default delay a kill -9 lost tens of thousands of committed rows;
        // with 0 it lost none (see DESIGN.md, Known traps).
        return "jdbc:h2:file:" + home().resolve("mailer") + ";WRITE_DELAY=0";
    }

    /** Reads a secret from the file a setting names; null when the setting is unset. */
    public String secretFromFile(Setting s) {
        Path p = path(s);
        if (p == null) {
            return null;
        }
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new Problem("cannot read the file named by " + s.key + " (" + sourceOf(s) + "): " + p
                    + " — create it or point " + s.envName() + " at the right file");
        }
    }

    public enum TlsMode { NONE, STARTTLS, TLS }
}
