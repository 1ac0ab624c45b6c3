package dev.signedmail.subscriber;

import dev.signedmail.Problem;
import dev.signedmail.store.Database;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Imports subscribers from CSV: all or nothing. Every bad line is reported at once (line number
 * and why); nothing is written unless every line is good or the caller asked to skip bad ones.
 * Duplicates — in the file or against the database — are merged, not doubled.
 *
 * <p>Columns, by header: {@code email} (required), {@code name}, {@code topics} (separated by
 * {@code ;} or {@code |}; default "general"). A file without a header row is read as
 * email, name, topics.
 */
public final class CsvImport {

    /** What an import did. */
    public record Result(int added, int updated, int mergedInFile, List<String> skipped) {
    }

    private record Row(String email, String name, Set<String> topics, long line) {
    }

    private static final int MAX_ERRORS_SHOWN = 100;

    private CsvImport() {
    }

    public static Result run(Database db, Path file, boolean skipInvalid) {
        List<String> errors = new ArrayList<>();
        Map<String, Row> rows = new LinkedHashMap<>();
        int merged = 0;
        String text = read(file);
        CSVFormat format = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).setTrim(true).get();
        try (Reader r = new java.io.StringReader(text); CSVParser parser = CSVParser.parse(r, format)) {
            int emailCol = 0;
            int nameCol = 1;
            int topicsCol = 2;
            boolean first = true;
            for (CSVRecord rec : parser) {
                long line = parser.getCurrentLineNumber();
                if (first) {
                    first = false;
                    if (!rec.get(0).contains("@")) {
                        Map<String, Integer> header = new LinkedHashMap<>();
                        for (int i = 0; i < rec.size(); i++) {
                            header.put(rec.get(i).strip().toLowerCase(Locale.ROOT).replace("\uFEFF", ""), i);
                        }
                        if (!header.containsKey("email")) {
                            throw new Problem(file + " line " + line + ": the header row has no 'email' column"
                                    + " (found: " + String.join(", ", header.keySet()) + "); the first row must be"
                                    + " a header such as  email,name,topics  or a subscriber");
                        }
                        emailCol = header.get("email");
                        nameCol = header.getOrDefault("name", -1);
                        topicsCol = header.getOrDefault("topics", header.getOrDefault("topic", -1));
                        continue;
                    }
                }
                String rawEmail = emailCol < rec.size() ? rec.get(emailCol) : "";
                String email;
                try {
                    email = EmailAddresses.normalise(rawEmail);
                } catch (EmailAddresses.Invalid e) {
                    errors.add("line " + line + ": '" + printable(rawEmail) + "': " + e.getMessage());
                    continue;
                }
                String name = nameCol >= 0 && nameCol < rec.size() ? EmailAddresses.cleanName(rec.get(nameCol)) : null;
                Set<String> topics = new LinkedHashSet<>();
                String rawTopics = topicsCol >= 0 && topicsCol < rec.size() ? rec.get(topicsCol) : "";
                boolean badTopic = false;
                for (String t : rawTopics.split("[;|]")) {
                    if (t.isBlank()) {
                        continue;
                    }
                    String topic = Topics.normalise(t);
                    if (topic == null) {
                        errors.add("line " + line + ": topic '" + printable(t.strip()) + "' must be lower-case letters,"
                                + " digits and dashes, e.g. road-closures");
                        badTopic = true;
                    } else {
                        topics.add(topic);
                    }
                }
                if (badTopic) {
                    continue;
                }
                if (topics.isEmpty()) {
                    topics.add(Topics.DEFAULT);
                }
                Row previous = rows.get(email);
                if (previous != null) {
                    merged++;
                    previous.topics.addAll(topics);
                    if (previous.name == null && name != null) {
                        rows.put(email, new Row(email, name, previous.topics, previous.line));
                    }
                } else {
                    rows.put(email, new Row(email, name, topics, line));
                }
            }
        } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
            throw new Problem(file + " is not valid CSV: " + e.getMessage()
                    + " (check quotes: a field with a comma must be in double quotes)");
        }
        if (!errors.isEmpty() && !skipInvalid) {
            StringBuilder msg = new StringBuilder(file + ": " + errors.size() + " invalid line(s), nothing imported"
                    + " (fix them, or rerun with --skip-invalid to import the valid lines):");
            errors.stream().limit(MAX_ERRORS_SHOWN).forEach(e -> msg.append("\n  ").append(e));
            if (errors.size() > MAX_ERRORS_SHOWN) {
                msg.append("\n  … and ").append(errors.size() - MAX_ERRORS_SHOWN).append(" more");
            }
            throw new Problem(msg.toString());
        }
        int[] counts = new int[2];
        Instant now = Instant.now();
        List<String> skipped = new ArrayList<>(errors);
        db.jdbi().useTransaction(h -> {
            for (Row row : rows.values()) {
                SubscriberStore.Change c = SubscriberStore.upsert(h, row.email, row.name, row.topics, now);
                if (c == SubscriberStore.Change.ERASED_BEFORE) {
                    skipped.add("line " + row.line + ": '" + row.email + "' was erased on request; only its owner can"
                            + " subscribe again, through the subscribe form");
                } else {
                    counts[c == SubscriberStore.Change.ADDED ? 0 : 1]++;
                }
            }
        });
        return new Result(counts[0], counts[1], merged, skipped);
    }

    private static String read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new Problem("subscriber file not found: " + file);
        } catch (CharacterCodingException e) {
            throw new Problem(file + " is not UTF-8 text: save it as UTF-8 (CSV UTF-8 in spreadsheet programs) and retry");
        } catch (IOException e) {
            throw new Problem("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 80 ? p.substring(0, 80) + "…" : p;
    }
}
