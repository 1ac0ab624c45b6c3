package dev.signedmail.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.Problem;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvImportTest {

    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() {
        Settings s = TestSupport.settings(dir.resolve("data"), 25);
        Database.init(s);
        db = Database.open(s);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Path csv(String text) throws Exception {
        Path f = dir.resolve("subs.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private List<Subscriber> all() {
        List<Subscriber> l = new ArrayList<>();
        new SubscriberStore(db).forEach(l::add);
        return l;
    }

    @Test
    void badLinesAreAllListedAndNothingIsImported() throws Exception {
        Path f = csv("email,name,topics\n"
                + "good@example.org,Good,general\n"
                + "not-an-address,Bad,general\n"
                + "also@good.example,Fine,\n"
                + "x@example.org,Bad topic,Not A Slug\n"
                + "zoë@example.org,Non-ASCII local part,\n");
        Problem p = assertThrows(Problem.class, () -> CsvImport.run(db, f, false));
        assertTrue(p.getMessage().contains("3 invalid line(s), nothing imported"), p.getMessage());
        assertTrue(p.getMessage().contains("line 3: 'not-an-address'"), p.getMessage());
        assertTrue(p.getMessage().contains("line 5: topic 'Not A Slug'"), p.getMessage());
        assertTrue(p.getMessage().contains("line 6: 'zoë@example.org'"), p.getMessage());
        assertTrue(p.getMessage().contains("--skip-invalid"), p.getMessage());
        assertEquals(0, new SubscriberStore(db).count());
    }

    @Test
    void skipInvalidImportsTheGoodLinesAndSaysWhichWereSkipped() throws Exception {
        Path f = csv("email,name\ngood@example.org,Good\nbroken,Bad\n");
        CsvImport.Result r = CsvImport.run(db, f, true);
        assertEquals(1, r.added());
        assertEquals(1, r.skipped().size());
        assertTrue(r.skipped().get(0).startsWith("line 3:"), r.skipped().get(0));
    }

    @Test
    void duplicatesAreMergedInTheFileAndAgainstTheDatabase() throws Exception {
        Path f = csv("email,name,topics\n"
                + "Anna@Bücher.example,Anna,general\n"
                + "anna@bücher.EXAMPLE,,road-closures\n"
                + "ben@example.org,\"Ben, Jr.\",general\n");
        CsvImport.Result r = CsvImport.run(db, f, false);
        assertEquals(2, r.added());
        assertEquals(1, r.mergedInFile());
        CsvImport.Result again = CsvImport.run(db, f, false);
        assertEquals(0, again.added());
        assertEquals(2, again.updated());
        List<Subscriber> subs = all();
        assertEquals(2, subs.size());
        Subscriber anna = subs.get(0);
        assertEquals("anna@xn--bcher-kva.example", anna.email());
        assertEquals("Anna", anna.name());
        assertEquals(List.of("general", "road-closures"), anna.topics());
        assertEquals("Ben, Jr.", subs.get(1).name());
    }

    @Test
    void aFileWithoutHeaderIsReadAsEmailNameTopics() throws Exception {
        Path f = csv("one@example.org,One\ntwo@example.org,Two,alerts\n");
        assertEquals(2, CsvImport.run(db, f, false).added());
        assertEquals(List.of("alerts"), all().get(1).topics());
    }

    @Test
    void aHeaderWithoutEmailColumnIsRefusedWithTheFix() throws Exception {
        Path f = csv("mail,name\none@example.org,One\n");
        Problem p = assertThrows(Problem.class, () -> CsvImport.run(db, f, false));
        assertTrue(p.getMessage().contains("line 1") && p.getMessage().contains("no 'email' column"), p.getMessage());
    }

    @Test
    void nonUtf8FilesAreRefusedNotMangled() throws Exception {
        Path f = dir.resolve("latin1.csv");
        Files.write(f, "email,name\nz@example.org,Zo\u00eb\n".getBytes(StandardCharsets.ISO_8859_1));
        Problem p = assertThrows(Problem.class, () -> CsvImport.run(db, f, false));
        assertTrue(p.getMessage().contains("not UTF-8"), p.getMessage());
    }
}
