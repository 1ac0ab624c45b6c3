package dev.signedmail.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens and passwords are stored only as hashes, and guessing locks the guesser out. */
class OperatorSecretsTest {
    @TempDir
    Path dir;

    private MailerRuntime open() {
        Settings s = TestSupport.settings(dir.resolve("data"), 2525);
        MailerRuntime.init(s);
        return MailerRuntime.open(s);
    }

    @Test
    void tokensAreRandomAndStoredOnlyAsTheirHash() {
        try (MailerRuntime rt = open()) {
            OperatorStore.Created a = rt.operators().add("alice", Role.EDITOR);
            OperatorStore.Created b = rt.operators().add("bob", Role.APPROVER);
            assertTrue(a.token().matches("[A-Za-z0-9_-]{43}"), a.token());
            assertFalse(a.token().equals(b.token()));
            List<Map<String, Object>> rows = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT * FROM operators").mapToMap().list());
            assertFalse(rows.toString().contains(a.token()), "the token itself is never stored");
            assertEquals("alice", rt.operators().authenticateToken(a.token(), "test").name());
        }
    }

    @Test
    void fiveWrongTokensLockTheAddressOutEvenForTheRightOne() {
        try (MailerRuntime rt = open()) {
            OperatorStore.Created a = rt.operators().add("alice", Role.EDITOR);
            for (int i = 0; i < OperatorStore.MAX_FAILURES; i++) {
                assertThrows(Problem.class, () -> rt.operators().authenticateToken("guess", "10.0.0.9"));
            }
            Problem p = assertThrows(Problem.class, () -> rt.operators().authenticateToken(a.token(), "10.0.0.9"));
            assertTrue(p.getMessage().contains("locked out"), p.getMessage());
            assertEquals("alice", rt.operators().authenticateToken(a.token(), "10.0.0.10").name(), "other addresses still work");
        }
    }

    @Test
    void passwordsAreArgon2idAndRepeatedFailuresLockTheOperatorOut() {
        try (MailerRuntime rt = open()) {
            Operator alice = rt.operators().add("alice", Role.EDITOR).operator();
            assertThrows(Problem.class, () -> rt.operators().setPassword(alice, "short".toCharArray()));
            rt.operators().setPassword(alice, "correct horse battery staple".toCharArray());
            String stored = rt.db().jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM operators")
                    .mapTo(String.class).one());
            assertTrue(stored.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), stored);
            assertEquals("alice", rt.operators().authenticatePassword("alice", "correct horse battery staple".toCharArray()).name());
            for (int i = 0; i < OperatorStore.MAX_FAILURES; i++) {
                assertThrows(Problem.class, () -> rt.operators().authenticatePassword("alice", "wrong".toCharArray()));
            }
            Problem p = assertThrows(Problem.class,
                    () -> rt.operators().authenticatePassword("alice", "correct horse battery staple".toCharArray()));
            assertTrue(p.getMessage().contains("locked out"), p.getMessage());
        }
    }

    @Test
    void anUnknownNameIsRefusedEvenWithThePasswordOfTheStandInHash() {
        try (MailerRuntime rt = open()) {
            // an unknown name is checked against a written-out Argon2id hash of "not a password": a real one,
            // with the parameters of the others, so the refusal takes as long as a wrong password's
            assertTrue(OperatorStore.DUMMY.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
            assertTrue(PasswordHasher.matches("not a password".toCharArray(), OperatorStore.DUMMY));
            assertThrows(Problem.class, () -> rt.operators().authenticatePassword("nobody", "not a password".toCharArray()));
        }
    }

    @Test
    void aDisabledOperatorsTokenNoLongerWorks() {
        try (MailerRuntime rt = open()) {
            OperatorStore.Created a = rt.operators().add("alice", Role.EDITOR);
            rt.operators().disable(a.operator());
            assertThrows(Problem.class, () -> rt.operators().authenticateToken(a.token(), "test"));
        }
    }
}
