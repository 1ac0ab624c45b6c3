package dev.signedmail.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signedmail.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Where DKIM public keys come from: DNS TXT records by name. An empty list means "no such record"
 * (a permanent error for DKIM); {@link TemporaryFailure} means "could not ask" (a temporary one).
 */
@FunctionalInterface
public interface KeyRecords {

    /** The TXT strings at {@code name} (each record's character-strings already joined). */
    List<String> txt(String name) throws TemporaryFailure;

    /** DNS could not answer now (timeout, SERVFAIL). */
    final class TemporaryFailure extends Exception {
        public TemporaryFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Fixed answers, e.g. captured with a test message; names are compared case-insensitively. */
    static KeyRecords of(Map<String, String> records) {
        Map<String, String> m = new LinkedHashMap<>();
        records.forEach((k, v) -> m.put(normalise(k), v));
        return name -> {
            String r = m.get(normalise(name));
            return r == null ? List.of() : List.of(r);
        };
    }

    /**
     * Reads a JSON object {@code {"selector._domainkey.domain": "v=DKIM1; k=rsa; p=…", …}}; a value
     * may also be an array of strings (several records at one name).
     */
    static KeyRecords fromJson(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new Problem("cannot read DNS records from " + file + " (" + e.getMessage()
                    + "): it must be a JSON object {\"name\": \"TXT record\", …}", e);
        }
        if (root == null || !root.isObject()) {
            throw new Problem("DNS records file " + file + " must hold a JSON object {\"name\": \"TXT record\", …}");
        }
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(v -> values.add(v.asText()));
            } else if (e.getValue().isTextual()) {
                values.add(e.getValue().asText());
            } else {
                throw new Problem("DNS records file " + file + ": the value for " + e.getKey() + " must be a string");
            }
            m.put(normalise(e.getKey()), values);
        }
        return name -> m.getOrDefault(normalise(name), List.of());
    }

    /** Live DNS through the JDK's own resolver (JNDI), so no extra dependency is needed. */
    static KeyRecords liveDns() {
        return name -> {
            Hashtable<String, String> env = new Hashtable<>();
            env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
            env.put("java.naming.provider.url", "dns:");
            env.put("com.sun.jndi.dns.timeout.initial", "2000");
            env.put("com.sun.jndi.dns.timeout.retries", "2");
            DirContext ctx = null;
            try {
                ctx = new InitialDirContext(env);
                Attributes attrs = ctx.getAttributes(name, new String[] {"TXT"});
                Attribute txt = attrs.get("TXT");
                List<String> out = new ArrayList<>();
                if (txt != null) {
                    NamingEnumeration<?> all = txt.getAll();
                    while (all.hasMore()) {
                        out.add(joinCharacterStrings(String.valueOf(all.next())));
                    }
                }
                return out;
            } catch (NameNotFoundException e) {
                return List.of();
            } catch (NamingException e) {
                throw new TemporaryFailure("DNS lookup of " + name + " failed: " + e.getMessage(), e);
            } finally {
                if (ctx != null) {
                    try {
                        ctx.close();
                    } catch (NamingException ignored) {
                        // nothing to clean up
                    }
                }
            }
        };
    }

    /** JNDI shows a TXT record of several strings as {@code "a" "b"}; DKIM wants them joined. */
    static String joinCharacterStrings(String s) {
        String t = s.strip();
        if (!t.startsWith("\"")) {
            return t;
        }
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '"') {
                in = !in;
            } else if (c == '\\' && in && i + 1 < t.length()) {
                out.append(t.charAt(++i));
            } else if (in) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String normalise(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
